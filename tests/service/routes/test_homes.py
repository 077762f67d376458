"""The homes of a partner village: listed by staff, counted by the next ranking."""

import pytest
from fastapi.testclient import TestClient

from tests.service.api import NOT_PARTNER, PARTNER, PARTNERS, locs
from tests.service.conftest import STAFF


def test_homes_feed_the_next_recommendation(client: TestClient) -> None:
    profile = {
        "profession": "translator",
        "connectivity": "basic",
        "housing": {"tenure": "buy", "budget_eur": 150000, "min_bedrooms": 2},
    }
    before = client.post(f"/v1/recommendations?k={PARTNERS}", json=profile).json()
    village = next(r for r in before["results"] if r["insee"] == PARTNER)
    assert village["facts"]["homes_matching"] == 0
    homes = {
        "homes": [
            {"tenure": "buy", "price_eur": 120000, "bedrooms": 3, "surface_m2": 95},
            {"tenure": "buy", "price_eur": 140000, "bedrooms": 2},
            {"tenure": "rent", "price_eur": 650, "bedrooms": 3, "description": "Maison de bourg"},
        ]
    }
    put = client.put(f"/v1/villages/{PARTNER}/homes", json=homes, headers=STAFF)
    assert put.status_code == 200
    listed = client.get(f"/v1/villages/{PARTNER}/homes", headers=STAFF).json()["homes"]
    assert [
        {key: home[key] for key in ("tenure", "price_eur", "bedrooms", "surface_m2", "description")}
        for home in listed
    ] == [{"surface_m2": None, "description": None} | home for home in homes["homes"]]
    after = client.post(f"/v1/recommendations?k={PARTNERS}", json=profile).json()
    changed = next(r for r in after["results"] if r["insee"] == PARTNER)
    assert changed["facts"]["homes_matching"] == 2
    assert changed["facts"]["homes_available"] == 3
    assert changed["contributions"]["housing"] > village["contributions"]["housing"]
    assert client.get(f"/v1/villages/{PARTNER}").json()["homes_available"] == 3
    cleared = client.put(f"/v1/villages/{PARTNER}/homes", json={"homes": []}, headers=STAFF)
    assert cleared.json()["homes"] == []


@pytest.mark.parametrize(
    ("insee", "body", "status", "where"),
    [
        ("99999", {"homes": []}, 404, "99999"),
        (NOT_PARTNER, {"homes": []}, 404, "not a partner"),
        (PARTNER, {"homes": [{"tenure": "lease"}]}, 422, ["body", "homes", 0, "tenure"]),
        (
            PARTNER,
            {"homes": [{"tenure": "buy", "price_eur": -1, "bedrooms": 2}]},
            422,
            ["body", "homes", 0, "price_eur"],
        ),
        (PARTNER, [], 422, ["body"]),
    ],
)
def test_bad_homes_are_refused_and_change_nothing(
    client: TestClient, insee: str, body: object, status: int, where: object
) -> None:
    listed = {"homes": [{"tenure": "rent", "price_eur": 500, "bedrooms": 1}]}
    client.put(f"/v1/villages/{PARTNER}/homes", json=listed, headers=STAFF)
    response = client.put(f"/v1/villages/{insee}/homes", json=body, headers=STAFF)
    assert response.status_code == status
    if status == 404:
        assert str(where) in response.json()["detail"]
    else:
        assert where in locs(response)
    kept = client.get(f"/v1/villages/{PARTNER}/homes", headers=STAFF).json()["homes"]
    assert len(kept) == 1
