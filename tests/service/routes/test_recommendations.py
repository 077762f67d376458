"""Rankings for one profile and for a batch, with every invariant of api.md."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNERS, check_invariants, locs
from tests.strategies import profiles


def test_the_api_md_example_keeps_every_invariant(
    shared_client: TestClient, partner_codes: set[str]
) -> None:
    response = shared_client.post("/v1/recommendations?k=10&lang=fr", json=API_EXAMPLE_PROFILE)
    assert response.status_code == 200
    ranking = response.json()
    assert ranking["model"] == {"name": "default", "version": "2026-12-07"}
    check_invariants(ranking, 10, partner_codes)
    assert ranking["excluded"], "the example's musts exclude some villages"
    first = ranking["results"][0]
    assert {"minutes_to_auch", "ftth_share", "homes_matching"} <= set(first["facts"])


def test_excluded_lists_every_partner_failing_a_must(
    shared_client: TestClient, partner_codes: set[str]
) -> None:
    ranking = shared_client.post(f"/v1/recommendations?k={PARTNERS}", json=API_EXAMPLE_PROFILE)
    body = ranking.json()
    listed = {r["insee"] for r in body["results"]} | {e["insee"] for e in body["excluded"]}
    assert listed == partner_codes


def test_k_defaults_to_10_and_lang_to_french(shared_client: TestClient) -> None:
    body = shared_client.post("/v1/recommendations", json={**API_EXAMPLE_PROFILE, "must": []})
    assert body.json()["k"] == 10
    assert len(body.json()["results"]) == 10
    english = shared_client.post("/v1/recommendations?lang=en", json=API_EXAMPLE_PROFILE).json()
    french = shared_client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    assert english["results"][0]["insee"] == french["results"][0]["insee"]
    assert english["results"][0]["reasons"] != french["results"][0]["reasons"]


def test_the_same_request_gives_the_same_response(shared_client: TestClient) -> None:
    first = shared_client.post("/v1/recommendations?k=7", json=API_EXAMPLE_PROFILE)
    second = shared_client.post("/v1/recommendations?k=7", json=API_EXAMPLE_PROFILE)
    assert first.content == second.content


@pytest.mark.parametrize("k", [0, -1, PARTNERS + 1, 1000])
def test_k_out_of_range_is_a_422_naming_k(shared_client: TestClient, k: int) -> None:
    response = shared_client.post(f"/v1/recommendations?k={k}", json=API_EXAMPLE_PROFILE)
    assert response.status_code == 422
    assert locs(response) == [["query", "k"]]
    error = response.json()["detail"][0]
    assert error["type"] in {"greater_than_equal", "less_than_equal"}, "pydantic's own types"
    if k > PARTNERS:
        assert error["ctx"] == {"le": PARTNERS}


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"profesion": "translator"}, ["body", "profesion"]),
        ({"profession": "astronaut"}, ["body", "profession"]),
        ({"connectivity": None}, ["body", "connectivity"]),
        ({"remote_days_per_week": 8}, ["body", "remote_days_per_week"]),
        ({"household": {"adults": 0}}, ["body", "household", "adults"]),
        ({"household": {"children_ages": [4, 26]}}, ["body", "household", "children_ages", 1]),
        ({"housing": {"tenure": "buy", "budget_eur": -5}}, ["body", "housing", "budget_eur"]),
        ({"housing": {"tenure": "lease", "budget_eur": 900}}, ["body", "housing", "tenure"]),
        ({"preferences": {"settlement": "city"}}, ["body", "preferences", "settlement"]),
        ({"must": ["wifi"]}, ["body", "must", 0]),
    ],
)
def test_an_invalid_profile_is_a_422_naming_the_field(
    shared_client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    response = shared_client.post("/v1/recommendations", json={**API_EXAMPLE_PROFILE, **change})
    assert response.status_code == 422
    assert loc in locs(response)


def test_a_missing_required_field_is_named(shared_client: TestClient) -> None:
    profile = {k: v for k, v in API_EXAMPLE_PROFILE.items() if k != "profession"}
    response = shared_client.post("/v1/recommendations", json=profile)
    assert response.status_code == 422
    assert locs(response) == [["body", "profession"]]


def test_batch_answers_in_order_as_single_requests_do(shared_client: TestClient) -> None:
    first = API_EXAMPLE_PROFILE
    second = {"profession": "therapist", "connectivity": "basic", "must": ["health"]}
    batch = shared_client.post("/v1/recommendations/batch?k=5", json={"profiles": [first, second]})
    assert batch.status_code == 200
    rankings = batch.json()["rankings"]
    singles = [
        shared_client.post("/v1/recommendations?k=5", json=p).json() for p in (first, second)
    ]
    assert rankings == singles


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"profiles": []}, ["body", "profiles"]),
        ({"profiles": [{"profession": "translator"}]}, ["body", "profiles", 0, "connectivity"]),
        ({"rankings": []}, ["body", "profiles"]),
    ],
)
def test_a_bad_batch_is_a_422_naming_the_profile(
    shared_client: TestClient, body: dict[str, Any], loc: list[str | int]
) -> None:
    response = shared_client.post("/v1/recommendations/batch", json=body)
    assert response.status_code == 422
    assert loc in locs(response)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(profile=profiles, k=st.integers(1, PARTNERS))
def test_every_generated_profile_keeps_the_invariants(
    shared_client: TestClient, partner_codes: set[str], profile: dict[str, Any], k: int
) -> None:
    response = shared_client.post(f"/v1/recommendations?k={k}", json=profile)
    assert response.status_code == 200
    check_invariants(response.json(), k, partner_codes)


def test_villages_current_needs_enter_every_ranking(client: TestClient) -> None:
    """A need the prospect answers lifts the village in the public ranking, the batch and the
    shortlist alike (the same snapshot), and every invariant still holds."""
    from tests.service.api import add_prospect, check_invariants
    from tests.service.conftest import COMMITTEE, STAFF

    partners = {v["insee"] for v in client.get("/v1/villages?partner=true").json()}
    profile = {**API_EXAMPLE_PROFILE, "must": []}
    url = f"/v1/recommendations?k={PARTNERS}"

    def of_32001(body: dict[str, Any]) -> dict[str, Any]:
        (result,) = [r for r in body["results"] if r["insee"] == "32001"]
        return result

    before = of_32001(client.post(url, json=profile).json())
    assert before["contributions"]["village_needs"] == 0.0
    need = {
        "kind": "school_pupils",
        "school": "École",
        "age_min": 3,
        "age_max": 14,
        "pupils": 2,
        "by": "2027-09-01",
    }
    assert client.post("/v1/villages/32001/needs", json=need, headers=COMMITTEE).status_code == 201
    ranking = client.post(url, json=profile).json()
    check_invariants(ranking, PARTNERS, partners)
    after = of_32001(ranking)
    assert after["contributions"]["village_needs"] > 0
    assert after["score"] > before["score"]
    assert any("École cherche 2 élèves" in reason for reason in after["reasons"])
    batch = client.post(f"/v1/recommendations/batch?k={PARTNERS}", json={"profiles": [profile]})
    assert of_32001(batch.json()["rankings"][0])["score"] == after["score"]
    prospect = add_prospect(client, {"profile": profile, "consent": True})
    shortlist = client.get(f"/v1/prospects/{prospect}/shortlist?k={PARTNERS}", headers=STAFF)
    assert of_32001(shortlist.json())["score"] == after["score"]
