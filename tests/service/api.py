"""What the tests of the HTTP API share: the partner villages, the invariants of a
ranking, the errors' locations, a stored prospect."""

import math
from typing import Any

from fastapi.testclient import TestClient

from features.criteria import codes as criterion_codes
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import STAFF

PARTNERS = 52
#: One partner village, and one commune of the Gers that is not a partner.
PARTNER, NOT_PARTNER = "32001", "32002"


def locs(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def check_invariants(ranking: dict[str, Any], k: int, partners: set[str]) -> None:
    """Every invariant api.md lists for a ranking."""
    results, excluded = ranking["results"], ranking["excluded"]
    assert ranking["k"] == k
    assert len(results) <= k
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    order = [(-r["score"], r["insee"]) for r in results]
    assert order == sorted(order), "sorted by score descending, ties by INSEE code"
    for r in results:
        assert 0.0 <= r["score"] <= 1.0
        assert set(r["contributions"]) == set(criterion_codes())
        assert math.isclose(sum(r["contributions"].values()), r["score"], abs_tol=1e-6)
        assert r["reasons"]
        assert all(isinstance(text, str) and text for text in r["reasons"])
    shown = [r["insee"] for r in results] + [e["insee"] for e in excluded]
    assert len(shown) == len(set(shown)), "a village stands at most once"
    assert set(shown) <= partners
    for e in excluded:
        assert e["reasons"], f"{e['insee']} is excluded without a reason"


PROSPECT = {
    "profile": API_EXAMPLE_PROFILE,
    "contact": {"name": "Camille Martin", "email": "camille@example.org", "phone": "+33 6 12"},
    "consent": True,
}


def add_prospect(client: TestClient, body: dict[str, Any] = PROSPECT) -> str:
    response = client.post("/v1/prospects", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
