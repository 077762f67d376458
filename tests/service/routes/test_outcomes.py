"""Outcomes: recorded as stored, refused when they name no prospect or village, and under the
outcome rules (partners only, repeats stored once, one village at a time, a left after a
settled, nothing in the future, each audited)."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api import NOT_PARTNER, PARTNER, add_prospect, locs
from tests.service.conftest import ANALYST, STAFF, STAFF_KEY


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


def test_an_outcome_for_a_village_that_is_not_a_partner_is_a_422_naming_insee(
    client: TestClient,
) -> None:
    body = {"prospect_id": add_prospect(client), "insee": NOT_PARTNER, "event": "settled"}
    response = client.post("/v1/outcomes", json=body, headers=STAFF)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "insee"]
    assert "32002 (Ansan) is not a partner village" in error["msg"]
    assert client.get(f"/v1/villages/{NOT_PARTNER}").json()["solos_settled"] == 0


def test_the_same_event_twice_answers_the_first_with_200(client: TestClient) -> None:
    """Five repeats of one settlement (the issue's Monblanc) count one Solo."""
    body = {"prospect_id": add_prospect(client), "insee": "32249", "event": "settled"}
    first = client.post("/v1/outcomes", json={**body, "at": "2026-10-01T09:30:00Z"}, headers=STAFF)
    assert first.status_code == 201
    for _ in range(5):
        again = client.post("/v1/outcomes", json=body, headers=STAFF)
        assert again.status_code == 200
        assert again.json() == first.json()
    assert client.get("/v1/villages/32249").json()["solos_settled"] == 1


def test_settling_in_a_second_village_is_a_409_saying_where(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = {"prospect_id": prospect_id, "insee": PARTNER, "event": "settled"}
    assert client.post("/v1/outcomes", json=body, headers=STAFF).status_code == 201
    elsewhere = client.post("/v1/outcomes", json={**body, "insee": "32249"}, headers=STAFF)
    assert elsewhere.status_code == 409
    assert "settled in 32001 (Aignan) since" in elsewhere.json()["detail"]
    assert "record their 'left' from 32001 first" in elsewhere.json()["detail"]
    left = {**body, "event": "left"}
    assert client.post("/v1/outcomes", json=left, headers=STAFF).status_code == 201
    moved = client.post("/v1/outcomes", json={**body, "insee": "32249"}, headers=STAFF)
    assert moved.status_code == 201
    counts = {v["insee"]: v["solos_settled"] for v in client.get("/v1/villages").json()}
    assert (counts[PARTNER], counts["32249"]) == (0, 1)


def test_a_left_without_a_settled_there_is_a_409(client: TestClient) -> None:
    settled = {"prospect_id": add_prospect(client), "insee": PARTNER, "event": "settled"}
    assert client.post("/v1/outcomes", json=settled, headers=STAFF).status_code == 201
    other = {"prospect_id": add_prospect(client), "insee": PARTNER, "event": "left"}
    response = client.post("/v1/outcomes", json=other, headers=STAFF)
    assert response.status_code == 409
    assert "not settled in 32001 (Aignan)" in response.json()["detail"]
    assert client.get(f"/v1/villages/{PARTNER}").json()["solos_settled"] == 1


@pytest.mark.parametrize(
    ("ahead", "status"), [(timedelta(minutes=4), 201), (timedelta(hours=1), 422)]
)
def test_an_outcome_in_the_future_is_refused_beyond_a_few_minutes(
    client: TestClient, ahead: timedelta, status: int
) -> None:
    at = (datetime.now(UTC) + ahead).isoformat()
    body = {"prospect_id": add_prospect(client), "insee": PARTNER, "event": "visited", "at": at}
    response = client.post("/v1/outcomes", json=body, headers=STAFF)
    assert response.status_code == status
    if status == 422:
        assert locs(response) == [["body", "at"]]
        assert "is in the future" in response.json()["detail"][0]["msg"]


def test_an_outcome_is_audited_with_the_key_that_entered_it(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = {"prospect_id": prospect_id, "insee": PARTNER, "event": "visited"}
    outcome_id = client.post("/v1/outcomes", json=body, headers=STAFF).json()["id"]
    (entry, *_) = client.get("/v1/audit", headers=ANALYST).json()
    assert entry["actor"] == f"staff:{hashlib.sha256(STAFF_KEY.encode()).hexdigest()[:8]}"
    assert (entry["action"], entry["target"]) == ("outcome.create", prospect_id)
    assert entry["detail"].startswith("32001 visited at ")
    assert entry["detail"].endswith(f"(outcome {outcome_id})")


def test_the_openapi_schema_documents_the_outcome_answers(shared_client: TestClient) -> None:
    answers = shared_client.get("/openapi.json").json()["paths"]["/v1/outcomes"]["post"]
    assert {"200", "201", "404", "409", "422"} <= set(answers["responses"])
    assert "first" in answers["responses"]["200"]["description"]
