"""The weight profile: versioned, used from the next request, changed by analysts only."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from features.criteria import codes as criterion_codes
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import locs
from tests.service.conftest import ANALYST, STAFF


def test_new_weights_are_versioned_and_used_from_the_next_request(client: TestClient) -> None:
    before = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    weights = dict.fromkeys(criterion_codes(), 1.0) | {"community": 0.0, "housing": 5.0}
    body = {"name": "housing-first", "description": "Essai", "weights": weights}
    response = client.put("/v1/weights", json=body, headers=ANALYST)
    assert response.status_code == 200
    stored = response.json()
    assert stored["name"] == "housing-first"
    assert stored["weights"] == weights
    assert stored["version"].endswith(".2")
    assert stored["created_by"].startswith("analyst:")
    assert client.get("/v1/weights", headers=STAFF).json() == stored
    after = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    assert after["model"] == {"name": "housing-first", "version": stored["version"]}
    assert after["results"][0]["contributions"]["community"] == 0.0
    assert before["results"] != after["results"]
    assert client.get("/v1/health").json()["model"]["name"] == "housing-first"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"schools": -1.0}, ["body", "weights", "schools"]),
        ({"schools": "high"}, ["body", "weights", "schools"]),
        ({"wifi": 1.0}, ["body", "weights", "wifi"]),
        ({"schools": None}, ["body", "weights", "schools"]),
        (dict.fromkeys(criterion_codes(), 0.0), ["body", "weights"]),
        ({"schools": 1e308}, ["body", "weights", "schools"]),
    ],
)
def test_bad_weights_are_a_422_and_leave_the_active_profile(
    client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    weights = dict.fromkeys(criterion_codes(), 1.0) | change
    body = {"name": "bad", "weights": weights}
    response = client.put("/v1/weights", json=body, headers=ANALYST)
    assert response.status_code == 422
    assert loc in locs(response)
    assert client.get("/v1/weights", headers=STAFF).json()["name"] == "default"


def test_a_nan_or_missing_weight_is_refused(client: TestClient) -> None:
    weights = {code: 1.0 for code in criterion_codes() if code != "schools"}
    missing = client.put("/v1/weights", json={"name": "m", "weights": weights}, headers=ANALYST)
    assert ["body", "weights", "schools"] in locs(missing)
    text = json.dumps({"name": "n", "weights": {**weights, "schools": 1.5}})
    nan = client.put(
        "/v1/weights",
        content=text.replace("1.5", "NaN"),
        headers={**ANALYST, "Content-Type": "application/json"},
    )
    assert nan.status_code == 422
    assert ["body", "weights", "schools"] in locs(nan)


def test_changing_weights_needs_an_analyst_key(shared_client: TestClient) -> None:
    body = {"name": "staff-try", "weights": dict.fromkeys(criterion_codes(), 1.0)}
    response = shared_client.put("/v1/weights", json=body, headers=STAFF)
    assert response.status_code == 403
    assert shared_client.get("/v1/weights", headers=ANALYST).json()["name"] == "default"


def test_a_profile_stored_before_village_needs_weighs_it_zero(
    database_url: str, tmp_path: Any, new_client: Any
) -> None:
    """A profile stored by a version before the village_needs criterion (2026-11-22) has no
    weight for it: it loads with 0 there and ranks as it did, needs or not."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from matcher.weights import load_weight_profile
    from service.store import Store
    from tests.service.conftest import COMMITTEE, make_settings

    old = {k: v for k, v in load_weight_profile("default").weights.items() if k != "village_needs"}
    store = Store(database_url)
    store.upgrade()
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO weight_profiles (name, version, description, weights, created_at, "
                "created_by) VALUES ('default', '2026-11-22', '', :weights, :now, 'package')"
            ),
            {"weights": json.dumps(old), "now": datetime.now(UTC)},
        )
    assert store.active_weights().profile.weights["village_needs"] == 0.0  # type: ignore[union-attr]
    store.dispose()
    with new_client(make_settings(tmp_path, database_url)) as client:
        served = client.get("/v1/weights", headers=STAFF).json()
        assert served["version"] == "2026-11-22"
        assert served["weights"] == old | {"village_needs": 0.0}
        before = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
        need = {
            "kind": "school_pupils",
            "school": "É",
            "age_min": 3,
            "age_max": 14,
            "pupils": 2,
            "by": "2027-09-01",
        }
        stated = client.post("/v1/villages/32001/needs", json=need, headers=COMMITTEE)
        assert stated.status_code == 201, stated.text
        after = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
        assert after["model"]["version"] == "2026-11-22"
        assert [r["score"] for r in after["results"]] == [r["score"] for r in before["results"]]
        assert all(r["contributions"]["village_needs"] == 0.0 for r in after["results"])
