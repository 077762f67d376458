"""Each domain error gets its HTTP answer from ``service.errors``, in one place."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.errors import add_error_handlers
from service.exceptions import Conflict, NotFound, RateLimited


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
