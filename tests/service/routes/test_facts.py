"""Corrections of village facts: proposed by a committee, approved or rejected by staff; the
ranking changes only after approval. SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from tests.service.api import PARTNER, PARTNERS, locs
from tests.service.conftest import ANALYST, COMMITTEE, STAFF

PROFILE = {"profession": "software_developer", "connectivity": "video_calls"}
NO_FIBRE = {
    "field": "ftth_share",
    "value": 0.0,
    "source": "Mairie, courrier d'Orange",
    "observed_at": "2026-11-30",
}


def connectivity(client: TestClient) -> float:
    ranking = client.post(f"/v1/recommendations?k={PARTNERS}", json=PROFILE).json()
    return float(
        next(r for r in ranking["results"] if r["insee"] == PARTNER)["contributions"][
            "connectivity"
        ]
    )


def test_a_correction_changes_the_next_ranking_only_after_approval(
    backend_client: TestClient,
) -> None:
    before = connectivity(backend_client)
    packaged = backend_client.get(f"/v1/villages/{PARTNER}").json()["attributes"]["ftth_share"][
        "value"
    ]
    assert packaged > 0
    proposed = backend_client.post(
        f"/v1/villages/{PARTNER}/facts/proposals", json=NO_FIBRE, headers=COMMITTEE
    )
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()
    assert (proposal["status"], proposal["proposed_by"].split(":")[0]) == ("pending", "committee")
    assert connectivity(backend_client) == before
    assert (
        backend_client.get("/v1/facts/proposals?status=pending", headers=STAFF).json()[0]["id"]
        == proposal["id"]
    )
    approved = backend_client.post(f"/v1/facts/proposals/{proposal['id']}/approve", headers=STAFF)
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert connectivity(backend_client) < before
    attribute = backend_client.get(f"/v1/villages/{PARTNER}").json()["attributes"]["ftth_share"]
    assert attribute["value"] == 0.0
    corrected = attribute["corrected"]
    assert corrected["packaged_value"] == packaged
    assert corrected["source"] == NO_FIBRE["source"]
    assert corrected["observed_at"] == "2026-11-30"
    assert corrected["approved_by"].startswith("staff:")
    summary = backend_client.get("/v1/villages?partner=true").json()
    assert next(v for v in summary if v["insee"] == PARTNER)["ftth_share"] == 0.0
    again = backend_client.post(
        f"/v1/facts/proposals/{proposal['id']}/reject", json={"reason": "x"}, headers=STAFF
    )
    assert again.status_code == 409
    audit = backend_client.get("/v1/audit", headers=ANALYST).json()
    assert [(e["action"], e["actor"].split(":")[0]) for e in audit[:2]] == [
        ("facts.approve", "staff"),
        ("facts.propose", "committee"),
    ]


def test_a_rejected_correction_keeps_its_reason_and_changes_nothing(
    backend_client: TestClient,
) -> None:
    before = connectivity(backend_client)
    proposal = backend_client.post(
        f"/v1/villages/{PARTNER}/facts/proposals", json=NO_FIBRE, headers=COMMITTEE
    ).json()
    rejected = backend_client.post(
        f"/v1/facts/proposals/{proposal['id']}/reject",
        json={"reason": "L'ARCEP dit 96 %"},
        headers=STAFF,
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "rejected",
        "L'ARCEP dit 96 %",
    )
    assert connectivity(backend_client) == before
    mine = backend_client.get(f"/v1/villages/{PARTNER}/facts/proposals", headers=COMMITTEE).json()
    assert mine[0]["reason"] == "L'ARCEP dit 96 %"
    assert backend_client.get("/v1/facts/proposals?status=pending", headers=STAFF).json() == []
    detail = backend_client.get(f"/v1/villages/{PARTNER}").json()
    assert "corrected" not in detail["attributes"]["ftth_share"]


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"field": "name"}, ["body", "field"], "Input should be"),
        ({"field": "mayor_age"}, ["body", "field"], "Input should be"),
        (
            {"value": 1.5},
            ["body", "value"],
            "ftth_share: expected a number from 0 to 1 (share), found 1.5",
        ),
        (
            {"field": "operators_4g", "value": 2.5},
            ["body", "value"],
            "expected a whole number from 0 to 4",
        ),
        ({"field": "minutes_to_middle_school", "value": -3}, ["body", "value"], "from 0 to 240"),
        ({"value": "0.5"}, ["body", "value"], "JSON number"),
        ({"source": ""}, ["body", "source"], "at least 1"),
        ({"observed_at": "hier"}, ["body", "observed_at"], "date"),
    ],
)
def test_a_bad_proposal_names_the_field(
    shared_client: TestClient, changes: dict[str, object], where: list[object], message: str
) -> None:
    response = shared_client.post(
        f"/v1/villages/{PARTNER}/facts/proposals", json=NO_FIBRE | changes, headers=STAFF
    )
    assert response.status_code == 422
    assert where in locs(response)
    assert message in response.text


def test_reviewing_an_unknown_proposal_is_not_found(shared_client: TestClient) -> None:
    assert (
        shared_client.post("/v1/facts/proposals/999999/approve", headers=STAFF).status_code == 404
    )
