"""``RankingRoute``: valid ranking requests skip FastAPI's request handler, and get exactly
what that handler would give; everything else is left to it."""

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.personas import PERSONAS
from service.app import create_app
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import make_settings
from tests.strategies import profiles

route = importlib.import_module("service.routes.recommendations")
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def ranking_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(make_settings(tmp_path_factory.mktemp("route")))
    with TestClient(app) as test_client:
        yield test_client


def both_ways(client: TestClient, query: str, body: bytes) -> tuple[Any, Any]:
    """The answer to one request through ``RankingRoute``, and through FastAPI's own handler
    (the route told that no request is valid)."""
    fast = client.post(f"/v1/recommendations{query}", content=body, headers=JSON)
    parse = route.valid_ranking_request
    route.valid_ranking_request = _none
    try:
        standard = client.post(f"/v1/recommendations{query}", content=body, headers=JSON)
    finally:
        route.valid_ranking_request = parse
    return (fast.status_code, fast.json()), (standard.status_code, standard.json())


async def _none(request: Any) -> None:
    return None


def test_the_routes_handler_is_in_use(ranking_client: TestClient, monkeypatch) -> None:
    """The equivalence checks below mean something only if the fast path runs."""
    calls = []
    parse = route.valid_ranking_request

    async def counted(request: Any) -> Any:
        calls.append(request)
        return await parse(request)

    monkeypatch.setattr(route, "valid_ranking_request", counted)
    response = ranking_client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE)
    assert response.status_code == 200
    assert len(calls) == 1


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("query", ["", "?k=3", "?k=10&lang=en", "?lang=fr&k=52", "?k=4&k=6"])
def test_a_valid_request_gets_what_fastapi_gives(
    ranking_client: TestClient, persona: str, query: str
) -> None:
    body = PERSONAS[persona].model_dump_json(exclude_defaults=True).encode()
    fast, standard = both_ways(ranking_client, query, body)
    assert fast[0] == 200
    assert fast == standard


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(profile=profiles, k=st.integers(1, 52), lang=st.sampled_from(["fr", "en"]))
def test_generated_profiles_get_what_fastapi_gives(
    ranking_client: TestClient, profile: dict[str, Any], k: int, lang: str
) -> None:
    body = json.dumps(profile).encode()
    fast, standard = both_ways(ranking_client, f"?k={k}&lang={lang}", body)
    assert fast == standard


def _example_with(field: str, raw: str) -> bytes:
    return json.dumps({**API_EXAMPLE_PROFILE, field: "@@"}).replace('"@@"', raw).encode()


EXAMPLE = json.dumps(API_EXAMPLE_PROFILE).encode()
REFUSED = [
    ("?k=0", EXAMPLE),
    ("?k=-1", EXAMPLE),
    ("?k=abc", EXAMPLE),
    ("?k=1.5", EXAMPLE),
    ("?k=", EXAMPLE),
    ("?k=53", EXAMPLE),
    ("?lang=de", EXAMPLE),
    ("?lang=", EXAMPLE),
    ("?lang=FR", EXAMPLE),
    ("", b""),
    ("", b"null"),
    ("", b"[]"),
    ("", b'{"profession": "translator",'),
    ("", b'{"profession": "\xff"}'),
    ("", b"[" * 3000 + b"]" * 3000),
    ("", _example_with("remote_days_per_week", "NaN")),
    ("", _example_with("remote_days_per_week", "1e400")),
    ("", _example_with("remote_days_per_week", "1" + "0" * 5000)),
    ("", _example_with("remote_days_per_week", '"5"')),
    ("", _example_with("remote_days_per_week", "true")),
    ("", _example_with("profession", r'"translator\u0000"')),
    ("", _example_with("profession", r'"\ud800"')),
    ("", _example_with("typo", "1")),
    ("", _example_with("housing", '{"tenure": "buy", "budget_eur": 1' + "0" * 29 + "}")),
    ("", json.dumps({**API_EXAMPLE_PROFILE, "must": ["housing", "housing"]}).encode()),
]


@pytest.mark.parametrize(("query", "body"), REFUSED)
def test_anything_else_is_refused_as_fastapi_refuses_it(
    ranking_client: TestClient, query: str, body: bytes
) -> None:
    fast, standard = both_ways(ranking_client, query, body)
    assert fast[0] == 422
    assert fast == standard


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(API_EXAMPLE_PROFILE).encode("utf-16"),
        json.dumps(API_EXAMPLE_PROFILE).replace('"buy"', '"bu\\u0079"').encode(),
        json.dumps(API_EXAMPLE_PROFILE | {"profession": "translator"})[:-1].encode()
        + b', "profession": "software_developer"}',
    ],
    ids=["utf-16", "escaped", "duplicate-key"],
)
def test_unusual_but_valid_json_is_read_as_fastapi_reads_it(
    ranking_client: TestClient, body: bytes
) -> None:
    fast, standard = both_ways(ranking_client, "", body)
    assert fast == standard
    assert fast[0] == 200


def test_the_schema_still_documents_the_body_and_the_parameters(tmp_path: Path) -> None:
    operation = create_app(make_settings(tmp_path)).openapi()["paths"]["/v1/recommendations"]
    post = operation["post"]
    assert [p["name"] for p in post["parameters"]] == ["k", "lang"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Profile"}
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ranking"
    }
