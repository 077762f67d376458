"""HTTP answers for errors, from ``service.errors``: each domain error its status, and any
malformed or hostile request a 4xx naming the problem, never a 5xx."""

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.errors import add_error_handlers
from service.exceptions import Conflict, NotFound, RateLimited
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import locs
from tests.service.conftest import STAFF


@pytest.fixture(scope="module")
def failing() -> TestClient:
    app = FastAPI()
    add_error_handlers(app)

    @app.get("/not-found")
    def not_found() -> None:
        raise NotFound("prospect", "p1")

    @app.get("/conflict")
    def conflict() -> None:
        raise Conflict("weight profile version", "2026-11-22.1")

    @app.get("/rate-limited")
    async def rate_limited() -> None:
        raise RateLimited("too many rankings from 127.0.0.1", retry_after=7)

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/not-found", 404, "prospect 'p1': no such prospect"),
        ("/conflict", 409, "weight profile version '2026-11-22.1': already stored"),
        ("/rate-limited", 429, "too many rankings from 127.0.0.1"),
    ],
)
def test_domain_errors_get_their_status_and_message(
    failing: TestClient, path: str, status: int, detail: str
) -> None:
    answer = failing.get(path)
    assert answer.status_code == status
    assert answer.json() == {"detail": detail}


def test_a_rate_limited_answer_says_when_to_retry(failing: TestClient) -> None:
    assert failing.get("/rate-limited").headers["Retry-After"] == "7"


def test_domain_errors_are_the_python_errors_they_mean() -> None:
    assert isinstance(NotFound("village", "32999"), LookupError)
    assert isinstance(Conflict("weight profile version", "x"), ValueError)


@pytest.mark.parametrize("text", ['"\\ud800"', '"\\udc00x"'])
def test_a_lone_surrogate_is_a_422_not_a_crash(shared_client: TestClient, text: str) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE).replace('"any"', text.replace("\\\\", "\\"))
    response = shared_client.post(
        "/v1/recommendations", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert ["body", "preferences", "settlement"] in locs(response)


def test_malformed_json_is_a_422(shared_client: TestClient) -> None:
    response = shared_client.post(
        "/v1/recommendations",
        content=b'{"profession": "translator",',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_nan_is_a_422(shared_client: TestClient) -> None:
    body = json.dumps({**API_EXAMPLE_PROFILE, "housing": {"tenure": "buy", "budget_eur": 1}})
    response = shared_client.post(
        "/v1/recommendations",
        content=body.replace('"budget_eur": 1', '"budget_eur": NaN'),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert ["body", "housing", "budget_eur"] in locs(response)


def _example_with(field: str, raw: str) -> bytes:
    """The api.md example with one top-level field set to raw JSON text."""
    return json.dumps({**API_EXAMPLE_PROFILE, field: "@@"}).replace('"@@"', raw).encode()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"profession": "translator",', "JSON decode error"),
        (b'{"profession": "\xff"}', "not UTF-8 text: byte 0xff at 16"),
        (b'{"profession": "\xe9crivain"}', "not UTF-8 text: byte 0xe9"),
        (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
        (_example_with("remote_days_per_week", "1" + "0" * 5000), "number too long"),
        (_example_with("remote_days_per_week", "NaN"), "finite number"),
        (_example_with("remote_days_per_week", "Infinity"), "finite number"),
        (_example_with("remote_days_per_week", "-Infinity"), "finite number"),
        (_example_with("remote_days_per_week", "1e400"), "finite number"),
        (_example_with("remote_days_per_week", "10" * 50), "less than or equal to 7"),
        (_example_with("remote_days_per_week", "-3"), "greater than or equal to 0"),
        (_example_with("remote_days_per_week", '"5"'), "JSON number, not a string"),
        (_example_with("profession", json.dumps("x" * 60_000)), "Input should be"),
        (_example_with("profession", r'"translator\u0000"'), "Input should be"),
        (_example_with("connectivity", r'"b\u00e1sic \ud83d\udce1"'), "Input should be"),
    ],
    ids=[
        "malformed",
        "not-utf8",
        "latin1",
        "deeply-nested",
        "huge-integer",
        "nan",
        "infinity",
        "minus-infinity",
        "overflowing-float",
        "huge-but-readable",
        "negative",
        "number-as-text",
        "very-long-string",
        "control-character",
        "unicode",
    ],
)
def test_hostile_bodies_get_a_422_naming_the_problem(
    shared_client: TestClient, body: bytes, named: str
) -> None:
    response = shared_client.post("/v1/recommendations", content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert any(named in error["msg"] for error in response.json()["detail"]), response.text


def test_a_nested_input_is_echoed_only_so_deep(shared_client: TestClient) -> None:
    # Nested within what the JSON reader takes, but too deep to echo back in full.
    nested = '{"a": ' * 900 + "1" + "}" * 900
    response = shared_client.post(
        "/v1/recommendations", content=_example_with("x", nested), headers=JSON
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "x"]
    assert "..." in json.dumps(error["input"])


def test_a_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.delete("/v1/villages/32001/homes", headers=STAFF)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, PUT"


def _big_422(shared_client: TestClient, profile: dict[str, object]) -> list[dict[str, object]]:
    body = json.dumps(profile).encode()
    assert len(body) < 64 * 1024
    response = shared_client.post("/v1/recommendations", content=body, headers=JSON)
    assert response.status_code == 422
    assert len(response.content) < 32 * 1024, f"{len(response.content)} bytes for {len(body)}"
    detail: list[dict[str, object]] = response.json()["detail"]
    return detail


def test_a_long_input_is_echoed_as_an_excerpt(shared_client: TestClient) -> None:
    (error,) = _big_422(shared_client, {"profession": "x" * 60_000, "connectivity": "basic"})
    assert error["loc"] == ["body", "profession"]
    assert error["input"] == "x" * 200 + "..."


def test_thousands_of_errors_are_answered_with_the_first_fifty(shared_client: TestClient) -> None:
    detail = _big_422(
        shared_client, {"profession": "translator", "connectivity": "basic", "must": ["z"] * 9000}
    )
    assert len(detail) == 51
    assert detail[0]["loc"] == ["body", "must", 0]
    assert detail[-1] == {
        "type": "too_many_errors",
        "loc": ["body"],
        "msg": "8950 more errors not listed; correct these first",
        "input": None,
    }


def test_an_unknown_fields_long_name_is_cut_too(shared_client: TestClient) -> None:
    (error,) = _big_422(shared_client, {**API_EXAMPLE_PROFILE, "y" * 50_000: 1})
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ["body", "y" * 200 + "..."]


def test_a_large_refused_list_is_echoed_as_its_first_items(shared_client: TestClient) -> None:
    (error,) = _big_422(
        shared_client, {"profession": "translator", "connectivity": list(range(9000))}
    )
    echoed = error["input"]
    assert isinstance(echoed, list)
    assert echoed[:3] == [0, 1, 2]
    assert echoed[-1] == "..."
    assert echoed == [*range(10), "..."]


def test_a_trailing_slash_is_not_redirected_to_a_hostile_host(shared_client: TestClient) -> None:
    response = shared_client.get(
        "/v1/health/", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    assert response.json() == {
        "detail": "Not Found: no path /v1/health/; did you mean /v1/health (without the "
        "trailing slash)?"
    }


def test_an_unknown_path_is_a_plain_404(shared_client: TestClient) -> None:
    response = shared_client.get("/v1/nothing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
