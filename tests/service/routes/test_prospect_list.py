"""The staff's list of prospects (newest first, searched by name or email case and accents
aside, filtered by furthest outcome and village, paginated) and one prospect's events, oldest
first."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNER, add_prospect, locs
from tests.service.conftest import COMMITTEE, STAFF

OTHER = "32012"  # another partner village


def person(name: str, email: str) -> dict[str, Any]:
    return {
        "profile": API_EXAMPLE_PROFILE,
        "contact": {"name": name, "email": email},
        "consent": True,
    }


def record(client: TestClient, prospect_id: str, insee: str, event: str, at: str) -> None:
    body = {"prospect_id": prospect_id, "insee": insee, "event": event, "at": at}
    response = client.post("/v1/outcomes", json=body, headers=STAFF)
    assert response.status_code == 201, response.text


def listed(client: TestClient, **query: Any) -> dict[str, Any]:
    response = client.get("/v1/prospects", params=query, headers=STAFF)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_prospects_are_listed_newest_first_searched_filtered_and_paginated(
    client: TestClient,
) -> None:
    helene = add_prospect(client, person("Hélène Garcia", "helene@example.org"))
    paul = add_prospect(client, person("Paul Durand", "paul.durand@example.org"))
    nina = add_prospect(client, person("Nina Roux", "nina@exemple.fr"))
    record(client, helene, PARTNER, "shortlisted", "2026-09-01T10:00:00Z")
    record(client, helene, PARTNER, "visit_planned", "2026-09-02T10:00:00Z")
    record(client, paul, OTHER, "settled", "2026-09-03T10:00:00Z")

    everyone = listed(client)
    assert everyone["total"] == 3
    assert [item["id"] for item in everyone["items"]] == [nina, paul, helene]
    statuses = {item["id"]: item["status"] for item in everyone["items"]}
    assert statuses == {nina: "qualified", paul: "settled", helene: "visit_planned"}
    assert everyone["items"][2]["villages"] == [PARTNER]
    assert everyone["items"][2]["last_event_at"] == "2026-09-02T10:00:00Z"

    assert [i["id"] for i in listed(client, q="HELENE")["items"]] == [helene]
    assert [i["id"] for i in listed(client, q="exemple.fr")["items"]] == [nina]
    assert [i["id"] for i in listed(client, status="settled")["items"]] == [paul]
    assert [i["id"] for i in listed(client, status="qualified")["items"]] == [nina]
    assert [i["id"] for i in listed(client, village=PARTNER)["items"]] == [helene]
    assert listed(client, q="nobody")["total"] == 0

    second = listed(client, per_page=2, page=2)
    assert second["total"] == 3
    assert [i["id"] for i in second["items"]] == [helene]
    assert listed(client, per_page=2, page=9)["items"] == []


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"status": "liked"}, ["query", "status"]),
        ({"village": "32 01"}, ["query", "village"]),
        ({"page": 0}, ["query", "page"]),
        ({"per_page": 101}, ["query", "per_page"]),
        ({"q": "x" * 201}, ["query", "q"]),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(
    shared_client: TestClient, query: dict[str, Any], where: list[str]
) -> None:
    response = shared_client.get("/v1/prospects", params=query, headers=STAFF)
    assert response.status_code == 422
    assert where in locs(response)


def test_committees_may_not_list_prospects(shared_client: TestClient) -> None:
    assert shared_client.get("/v1/prospects", headers=COMMITTEE).status_code == 403
    assert shared_client.get("/v1/prospects").status_code == 401


def test_a_prospects_events_come_oldest_first(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    record(client, prospect_id, PARTNER, "visited", "2026-09-05T10:00:00Z")
    record(client, prospect_id, PARTNER, "shortlisted", "2026-09-01T10:00:00Z")
    record(client, prospect_id, PARTNER, "met_committee", "2026-09-06T10:00:00Z")
    response = client.get(f"/v1/prospects/{prospect_id}/outcomes", headers=STAFF)
    assert response.status_code == 200
    events = [(e["event"], e["at"][:10]) for e in response.json()]
    assert events == [
        ("shortlisted", "2026-09-01"),
        ("visited", "2026-09-05"),
        ("met_committee", "2026-09-06"),
    ]
    assert all(e["insee"] == PARTNER for e in response.json())


def test_the_events_of_an_unknown_or_erased_prospect_are_a_404(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 204
    assert client.get(f"/v1/prospects/{prospect_id}/outcomes", headers=STAFF).status_code == 404
    assert client.get("/v1/prospects/nobody/outcomes", headers=STAFF).status_code == 404
    assert listed(client)["total"] == 0
