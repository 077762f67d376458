"""The exposure of the partner villages in the rankings shown."""

from fastapi.testclient import TestClient

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNERS, locs
from tests.service.conftest import STAFF


def test_exposure_counts_the_villages_shown(client: TestClient) -> None:
    for _ in range(3):
        client.post("/v1/recommendations?k=4", json=API_EXAMPLE_PROFILE)
    body = client.get("/v1/exposure", headers=STAFF).json()
    assert body["rankings"] == 3
    assert len(body["villages"]) == PARTNERS
    assert sum(v["appearances"] for v in body["villages"]) == 12
    assert [v["appearances"] for v in body["villages"][:4]] == [3, 3, 3, 3]
    assert body["villages"][0]["share"] == 1.0
    assert 0.9 < body["gini"] <= 1.0, "4 villages of 52 take every appearance"
    later = client.get("/v1/exposure?since=2099-01-01T00:00:00Z", headers=STAFF).json()
    assert later["rankings"] == 0
    assert later["gini"] == 0.0
    naive = client.get("/v1/exposure?since=2026-01-01T00:00:00", headers=STAFF)
    assert naive.status_code == 422
    assert locs(naive) == [["query", "since"]]
