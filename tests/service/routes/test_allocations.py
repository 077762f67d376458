"""Allocations (POST /v1/allocations): k villages for each prospect, no committee over its
capacity left in the quarter, the total as high as it can be; recorded, so that the next
allocation of the quarter counts them; short prospects told, never dropped; and the capacity
left shown to staff in rankings, never to the public. SQLite and PostgreSQL."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.simulate import simulate_profiles
from tests.service.api import PARTNERS, locs
from tests.service.conftest import COMMITTEE, STAFF

#: Capacities stated by a few committees.
CAPACITIES = {"32001": 2, "32012": 1, "32019": 3, "32036": 2, "32045": 1, "32079": 2}


def add_prospects(client: TestClient, n: int, seed: int = 0) -> list[str]:
    ids = []
    for profile in simulate_profiles(n, random_state=seed):
        body = {"profile": profile.model_dump(mode="json"), "consent": True}
        response = client.post("/v1/prospects", json=body, headers=STAFF)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def state_capacities(client: TestClient, capacities: dict[str, int] = CAPACITIES) -> None:
    for insee, capacity in capacities.items():
        response = client.put(
            f"/v1/villages/{insee}/committee",
            json={"capacity_per_quarter": capacity},
            headers=STAFF,
        )
        assert response.status_code == 200, response.text


def allocate(client: TestClient, lang: str = "fr", **body: Any) -> dict[str, Any]:
    response = client.post(f"/v1/allocations?lang={lang}", json=body, headers=STAFF)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def check_within_capacity(answer: dict[str, Any], k: int) -> None:
    loads: dict[str, int] = {}
    for proposal in answer["proposals"]:
        assert len(proposal["villages"]) <= k
        assert proposal["short"] == (len(proposal["villages"]) < k)
        assert (proposal["why"] is not None) == proposal["short"]
        insees = [v["insee"] for v in proposal["villages"]]
        assert len(insees) == len(set(insees))
        for village in proposal["villages"]:
            loads[village["insee"]] = loads.get(village["insee"], 0) + 1
    for village in answer["villages"]:
        assert village["load"] == loads.get(village["insee"], 0)
        assert village["load"] <= village["capacity_left"]
        stated = village["capacity"] or 0
        assert village["capacity_left"] == max(0, stated - village["allocated_before"])


def test_an_allocation_keeps_every_capacity_and_is_counted_by_the_next(
    backend_client: TestClient,
) -> None:
    state_capacities(backend_client)
    first, second = add_prospects(backend_client, 6, seed=1), add_prospects(backend_client, 6, 2)
    answer = allocate(backend_client, prospect_ids=first, k=2, quarter="2027-Q1")
    assert answer["quarter"] == "2027-Q1"
    assert answer["recorded"] is True
    assert answer["method"] == "exact"
    assert answer["gap"] == 0.0
    assert answer["optimal"] is True
    assert [p["prospect_id"] for p in answer["proposals"]] == first  # none dropped
    assert answer["short"] == [p["prospect_id"] for p in answer["proposals"] if p["short"]]
    check_within_capacity(answer, 2)
    total = sum(v["score"] for p in answer["proposals"] for v in p["villages"])
    assert answer["total_score"] == pytest.approx(total)
    given = {v["insee"]: v["load"] for v in answer["villages"] if v["load"]}
    assert given, "some village could take someone"
    assert set(given) <= set(CAPACITIES)  # unstated capacity: no one
    # The same allocation again replaces its own proposals: the same answer.
    assert allocate(backend_client, prospect_ids=first, k=2, quarter="2027-Q1") == answer
    # Others in the same quarter find those places taken; another quarter has them all.
    after = allocate(backend_client, prospect_ids=second, k=2, quarter="2027-Q1")
    check_within_capacity(after, 2)
    before = {v["insee"]: v["allocated_before"] for v in after["villages"]}
    assert {k: v for k, v in before.items() if v} == given
    fresh = allocate(backend_client, prospect_ids=second, k=2, quarter="2027-Q2", dry_run=True)
    assert all(v["allocated_before"] == 0 for v in fresh["villages"])
    assert fresh["recorded"] is False
    again = allocate(backend_client, prospect_ids=second, k=2, quarter="2027-Q2")
    assert again | {"recorded": True} == fresh | {"recorded": True}


def test_prospects_who_cannot_be_served_are_told_so(backend_client: TestClient) -> None:
    ids = add_prospects(backend_client, 3)
    answer = allocate(backend_client, prospect_ids=ids, k=3, lang="en")
    assert answer["short"] == ids
    for proposal in answer["proposals"]:
        assert proposal["villages"] == []
        assert proposal["why"].startswith("0 village(s) proposed of 3")
    assert answer["total_score"] == 0.0
    assert answer["gap"] == 0.0


def test_unknown_repeated_and_invalid_input_is_named(backend_client: TestClient) -> None:
    (known,) = add_prospects(backend_client, 1)
    unknown = "00000000-0000-4000-8000-000000000000"
    response = backend_client.post(
        "/v1/allocations", json={"prospect_ids": [known, unknown, "nope"]}, headers=STAFF
    )
    assert response.status_code == 404
    assert response.json()["detail"] == f"no such prospect: {unknown}, nope"
    cases = [
        ({"prospect_ids": [known, known]}, ["body", "prospect_ids"]),
        ({"prospect_ids": []}, ["body", "prospect_ids"]),
        ({"prospect_ids": [known], "k": PARTNERS + 1}, ["body", "k"]),
        ({"prospect_ids": [known], "k": 0}, ["body", "k"]),
        ({"prospect_ids": [known], "quarter": "2027-Q5"}, ["body", "quarter"]),
        ({"prospect_ids": [known], "max_loss": 2}, ["body", "max_loss"]),
        ({"prospect_ids": [known], "size": 3}, ["body", "size"]),
    ]
    for body, loc in cases:
        response = backend_client.post("/v1/allocations", json=body, headers=STAFF)
        assert response.status_code == 422, body
        assert locs(response) == [loc], body


def test_allocations_are_for_staff(backend_client: TestClient) -> None:
    (known,) = add_prospects(backend_client, 1)
    body = {"prospect_ids": [known]}
    assert backend_client.post("/v1/allocations", json=body).status_code == 401
    assert backend_client.post("/v1/allocations", json=body, headers=COMMITTEE).status_code == 403


def test_staff_see_the_capacity_left_in_rankings_and_the_public_never(
    backend_client: TestClient,
) -> None:
    state_capacities(backend_client, {code: 2 for code in ("32001", "32012", "32019")})
    (prospect,) = add_prospects(backend_client, 1)
    profile = backend_client.get(f"/v1/prospects/{prospect}", headers=STAFF).json()["profile"]
    url = f"/v1/recommendations?k={PARTNERS}"

    def committees(body: dict[str, Any]) -> dict[str, Any]:
        return {r["insee"]: r["committee"] for r in body["results"] if "committee" in r}

    public = backend_client.post(url, json=profile)
    assert "committee" not in public.text
    assert "capacity" not in public.text
    assert "committee" not in backend_client.post(url, json=profile, headers=COMMITTEE).text
    batch = {"profiles": [profile]}
    assert "capacity" not in backend_client.post("/v1/recommendations/batch", json=batch).text
    staff = backend_client.post(url, json=profile, headers=STAFF).json()
    stated = {"32001", "32012", "32019"} & {r["insee"] for r in staff["results"]}
    assert committees(staff) == {code: {"capacity_left": 2} for code in stated}
    in_batch = backend_client.post(
        f"/v1/recommendations/batch?k={PARTNERS}", json=batch, headers=STAFF
    ).json()
    assert committees(in_batch["rankings"][0]) == committees(staff)
    shortlist = backend_client.get(
        f"/v1/prospects/{prospect}/shortlist?k={PARTNERS}", headers=STAFF
    ).json()
    assert committees(shortlist) == committees(staff)
    answer = allocate(backend_client, prospect_ids=[prospect], k=3)
    taken = {v["insee"] for p in answer["proposals"] for v in p["villages"]}
    shortlist = backend_client.get(
        f"/v1/prospects/{prospect}/shortlist?k={PARTNERS}", headers=STAFF
    ).json()
    assert committees(shortlist) == {
        code: {"capacity_left": 1 if code in taken else 2} for code in stated
    }
