"""Request bodies: JSON only (415 otherwise), and at most 64 KiB (413)."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import API_EXAMPLE_PROFILE


def test_a_body_over_64_kib_is_a_413(shared_client: TestClient) -> None:
    padded = json.dumps({**API_EXAMPLE_PROFILE, "pad": "x" * 70_000})
    assert shared_client.post("/v1/recommendations", content=padded).status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit applies as the body streams in
        for _ in range(70):
            yield b" " * 1024

    response = shared_client.post(
        "/v1/recommendations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("headers", "found"),
    [
        ({"Content-Type": "text/plain"}, "found 'text/plain'"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "found 'application/x-www"),
        ({"Content-Type": ""}, "found none"),
    ],
)
def test_a_body_not_sent_as_json_is_a_415_naming_its_type(
    shared_client: TestClient, headers: dict[str, str], found: str
) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE)
    response = shared_client.post("/v1/recommendations", content=body, headers=headers)
    assert response.status_code == 415
    assert "expected Content-Type: application/json" in response.json()["detail"]
    assert found in response.json()["detail"]


def test_json_with_a_charset_or_a_suffix_is_json(shared_client: TestClient) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE)
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = shared_client.post(
            "/v1/recommendations", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200, content_type
