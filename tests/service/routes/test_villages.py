"""The villages: summaries, one village's detail, the partners' GeoJSON."""

import pytest
from fastapi.testclient import TestClient

from features.village import OPTIONAL_COLUMNS, village_columns
from tests.service.api import PARTNERS


@pytest.mark.parametrize(("partner", "count"), [("true", PARTNERS), ("false", 458 - PARTNERS)])
def test_village_summaries(shared_client: TestClient, partner: str, count: int) -> None:
    body = shared_client.get(f"/v1/villages?partner={partner}").json()
    assert len(body) == count
    assert {v["partner"] for v in body} == {partner == "true"}
    required = {"insee", "name", "population", "partner", "km_to_auch", "minutes_to_auch"}
    assert required | {"ftth_share", "homes_available"} <= set(body[0])
    assert len(shared_client.get("/v1/villages").json()) == 458


def test_one_village_has_every_model_attribute_with_its_unit(shared_client: TestClient) -> None:
    body = shared_client.get("/v1/villages/32013").json()
    assert body["name"] == "Auch"
    for column in set(village_columns()) - set(OPTIONAL_COLUMNS):
        attribute = body["attributes"][column]
        assert attribute["unit"], f"{column} has no unit"
        assert attribute["sources"], f"{column} has no source"
    assert body["attributes"]["population"]["value"] == body["population"] == 22825
    assert body["attributes"]["minutes_to_auch"]["estimate"] is True


@pytest.mark.parametrize("code", ["99999", "32999", "abc", "3201"])
def test_an_unknown_village_is_a_404(shared_client: TestClient, code: str) -> None:
    response = shared_client.get(f"/v1/villages/{code}")
    assert response.status_code == 404
    assert code in response.json()["detail"]


def test_geojson_of_the_partner_villages_in_wgs84(shared_client: TestClient) -> None:
    response = shared_client.get("/v1/villages.geojson")
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == PARTNERS
    for feature in body["features"]:
        assert feature["properties"]["partner"] is True
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        lon, lat = ring[0]
        assert -0.4 < lon < 1.3, "degrees of EPSG:4326 within the Gers"
        assert 43.2 < lat < 44.1


def test_each_attribute_names_its_vintage_and_publishers(shared_client: TestClient) -> None:
    attributes = shared_client.get("/v1/villages/32249").json()["attributes"]
    assert attributes["ftth_share"]["vintage"] == "ARCEP 2025"
    assert attributes["ftth_share"]["publishers"] == ["ARCEP"]
    assert attributes["operators_4g"]["vintage"] == "ARCEP 2018"
    assert attributes["apl_doctors"]["vintage"] == "DREES, APL 2023"
    assert attributes["minutes_to_auch"]["publishers"][0].startswith("© OpenStreetMap")
    assert all(a["vintage"] and a["publishers"] for a in attributes.values())
