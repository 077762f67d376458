"""``RankingRoute``: valid ranking requests skip FastAPI's request handler, and get exactly
what that handler would give; everything else is left to it."""

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
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
Headers = list[tuple[str, str]]
JSON: Headers = [("Content-Type", "application/json")]


@pytest.fixture(scope="module")
def ranking_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(make_settings(tmp_path_factory.mktemp("route")))
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class BothWays:
    fast: tuple[int, Any]  # status and body through ``RankingRoute``
    standard: tuple[int, Any]  # through FastAPI's own handler
    accepted: bool  # whether the fast path took the request


def both_ways(client: TestClient, query: str, body: bytes, headers: Headers = JSON) -> BothWays:
    """One request through ``RankingRoute``, and again through FastAPI's own handler (the
    route told that no request is valid)."""
    parse = route.valid_ranking_request
    taken = []

    async def recorded(request: Any) -> Any:
        arguments = await parse(request)
        taken.append(arguments is not None)
        return arguments

    async def refused(request: Any) -> None:
        return None

    def answer() -> tuple[int, Any]:
        response = client.post(f"/v1/recommendations{query}", content=body, headers=headers)
        return response.status_code, response.json()

    try:
        route.valid_ranking_request = recorded
        fast = answer()
        route.valid_ranking_request = refused
        standard = answer()
    finally:
        route.valid_ranking_request = parse
    return BothWays(fast, standard, accepted=taken == [True])


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("query", ["", "?k=3", "?k=10&lang=en", "?lang=fr&k=52", "?k=4&k=6"])
def test_a_valid_request_gets_what_fastapi_gives(
    ranking_client: TestClient, persona: str, query: str
) -> None:
    body = PERSONAS[persona].model_dump_json(exclude_defaults=True).encode()
    answers = both_ways(ranking_client, query, body)
    assert answers.accepted
    assert answers.fast[0] == 200
    assert answers.fast == answers.standard


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(profile=profiles, k=st.integers(1, 52), lang=st.sampled_from(["fr", "en"]))
def test_generated_profiles_get_what_fastapi_gives(
    ranking_client: TestClient, profile: dict[str, Any], k: int, lang: str
) -> None:
    body = json.dumps(profile).encode()
    answers = both_ways(ranking_client, f"?k={k}&lang={lang}", body)
    assert answers.accepted
    assert answers.fast == answers.standard


def _example_with(field: str, raw: str) -> bytes:
    return json.dumps({**API_EXAMPLE_PROFILE, field: "@@"}).replace('"@@"', raw).encode()


EXAMPLE = json.dumps(API_EXAMPLE_PROFILE).encode()
REFUSED = [
    ("?k=0", EXAMPLE),
    ("?k=-1", EXAMPLE),
    ("?k=abc", EXAMPLE),
    ("?k=1.5", EXAMPLE),
    ("?k=", EXAMPLE),
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
    answers = both_ways(ranking_client, query, body)
    assert not answers.accepted
    assert answers.fast[0] == 422
    assert answers.fast == answers.standard


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
    answers = both_ways(ranking_client, "", body)
    assert answers.fast == answers.standard
    assert answers.fast[0] == 200


def test_k_beyond_the_partners_is_refused_by_the_endpoint_either_way(
    ranking_client: TestClient,
) -> None:
    answers = both_ways(ranking_client, "?k=53", EXAMPLE)
    assert answers.accepted  # a valid whole number: the endpoint knows the partners' count
    assert answers.fast[0] == 422
    assert answers.fast == answers.standard


@pytest.mark.parametrize(
    ("headers", "accepted", "status"),
    [
        ([("Content-Type", "application/json")], True, 200),
        ([("Content-Type", "application/json; charset=utf-8")], True, 200),
        ([("Content-Type", "Application/JSON")], True, 200),
        ([("Content-Type", "application/vnd.sohosolo+json")], True, 200),
        # Not JSON to FastAPI (a second slash makes the email package read text/plain): the
        # service refuses it as it refuses any other type.
        ([("Content-Type", "application/x/y+json")], False, 415),
        # Two types: Starlette, FastAPI and the body check all read the first.
        ([("Content-Type", "text/plain"), ("Content-Type", "application/json")], False, 415),
        ([("Content-Type", "application/json"), ("Content-Type", "text/plain")], True, 200),
    ],
    ids=["plain", "charset", "case", "suffix", "two-slashes", "text-first", "json-first"],
)
def test_the_content_type_is_read_as_fastapi_reads_it(
    ranking_client: TestClient, headers: Headers, accepted: bool, status: int
) -> None:
    answers = both_ways(ranking_client, "", EXAMPLE, headers)
    assert answers.accepted is accepted
    assert answers.fast[0] == status
    assert answers.fast == answers.standard


def test_the_schema_still_documents_the_body_and_the_parameters(tmp_path: Path) -> None:
    operation = create_app(make_settings(tmp_path)).openapi()["paths"]["/v1/recommendations"]
    post = operation["post"]
    assert [p["name"] for p in post["parameters"]] == ["k", "lang"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Profile"}
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ranking"
    }


def test_a_client_gone_mid_body_is_answered_as_fastapi_answers_it(
    ranking_client: TestClient,
) -> None:
    """Not a 500 from the fast path: FastAPI's handler answers it, as before (a body it could
    not read: 422)."""
    app = ranking_client.app
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/recommendations",
        "raw_path": b"/v1/recommendations",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 80),
    }
    messages = iter([{"type": "http.request", "body": b'{"prof', "more_body": True}])

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 422
