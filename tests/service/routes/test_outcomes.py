"""Outcomes: recorded as stored, refused when they name no prospect or village."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api import PARTNER, add_prospect, locs
from tests.service.conftest import STAFF


def test_outcomes_are_recorded(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = {
        "prospect_id": prospect_id,
        "insee": PARTNER,
        "event": "settled",
        "at": "2026-10-01T09:30:00+02:00",
    }
    response = client.post("/v1/outcomes", json=body, headers=STAFF)
    assert response.status_code == 201
    assert response.json()["at"] == "2026-10-01T07:30:00Z"
    village = client.get(f"/v1/villages/{PARTNER}").json()
    assert village["solos_settled"] == 1


@pytest.mark.parametrize(
    ("change", "status", "where"),
    [
        ({"prospect_id": "nobody"}, 404, "nobody"),
        ({"insee": "99999"}, 404, "99999"),
        ({"event": "liked"}, 422, ["body", "event"]),
        ({"insee": "3201"}, 422, ["body", "insee"]),
        ({"at": "2026-10-01T09:30:00"}, 422, ["body", "at"]),
        ({"at": "9999-12-31T23:59:59-01:00"}, 422, ["body", "at"]),
        ({"at": "yesterday"}, 422, ["body", "at"]),
    ],
)
def test_a_bad_outcome_is_refused(
    client: TestClient, change: dict[str, Any], status: int, where: object
) -> None:
    body = {"prospect_id": add_prospect(client), "insee": PARTNER, "event": "visited"}
    response = client.post("/v1/outcomes", json={**body, **change}, headers=STAFF)
    assert response.status_code == status
    if status == 404:
        assert str(where) in response.json()["detail"]
    else:
        assert where in locs(response)
