"""Who may do what: keys (missing, wrong, revoked) and the public endpoints' rate limit. The
keyed checks run on SQLite and on PostgreSQL."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cli import main
from service.config import Settings, get_settings
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNER
from tests.service.conftest import ANALYST, ANALYST_KEY, STAFF, STAFF_KEY, make_settings

HOMES = {"homes": [{"tenure": "buy", "price_eur": 180000, "bedrooms": 3}]}
WEIGHTS = {
    "name": "schools-first",
    "weights": {
        "connectivity": 1,
        "housing": 1,
        "schools": 5,
        "childcare": 1,
        "health": 1,
        "shops": 1,
        "access_auch": 1,
        "access_toulouse": 1,
        "settlement": 1,
        "ecosystem": 1,
        "community": 1,
        "village_needs": 1,
    },
}


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


@pytest.fixture
def cli_env(
    backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.MonkeyPatch]:
    """The command line configured as the service is."""
    monkeypatch.setenv("SOHOSOLO_DATABASE_URL", backend_settings.sqlalchemy_url)
    monkeypatch.setenv("SOHOSOLO_STAFF_API_KEYS", STAFF_KEY)
    monkeypatch.setenv("SOHOSOLO_ANALYST_API_KEYS", ANALYST_KEY)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


# -- keys -----------------------------------------------------------------------------------

KEYED = [
    ("get", "/v1/prospects/00000000-0000-4000-8000-000000000000", None),
    ("post", "/v1/prospects", {"profile": API_EXAMPLE_PROFILE, "consent": False}),
    ("post", "/v1/outcomes", {"prospect_id": "x", "insee": "32001", "event": "visited"}),
    ("get", "/v1/villages/32001/homes", None),
    ("put", "/v1/villages/32001/homes", HOMES),
    ("get", "/v1/weights", None),
    ("put", "/v1/weights", WEIGHTS),
    ("get", "/v1/exposure", None),
    ("get", "/v1/audit", None),
]


@pytest.mark.parametrize(("method", "path", "body"), KEYED)
@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "not-a-key-of-this-service"}])
def test_keyed_endpoints_refuse_a_missing_or_wrong_key(
    backend_client: TestClient, method: str, path: str, body: object, headers: dict[str, str]
) -> None:
    response = backend_client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]


def test_a_revoked_key_is_refused_from_the_next_request(
    backend_client: TestClient, cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert backend_client.get("/v1/weights", headers=STAFF).status_code == 200
    assert main(["revoke", key_id(STAFF_KEY)]) == 0
    assert "revoked: refused from the next request" in capsys.readouterr().out
    for method, path, body in KEYED:
        response = backend_client.request(method, path, json=body, headers=STAFF)
        assert response.status_code == 401, path
        assert "revoked" in response.json()["detail"]
    # The other keys still work; revoking again says so.
    assert backend_client.get("/v1/weights", headers=ANALYST).status_code == 200
    assert main(["revoke", STAFF_KEY]) == 0
    assert "was already revoked" in capsys.readouterr().out
    assert main(["revoke", "--list"]) == 0
    assert key_id(STAFF_KEY) in capsys.readouterr().out


def test_a_key_is_revoked_by_its_digest_too(
    backend_client: TestClient, cli_env: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256(ANALYST_KEY.encode()).hexdigest()
    assert main(["revoke", f"sha256:{digest}"]) == 0
    assert backend_client.get("/v1/weights", headers=ANALYST).status_code == 401
    assert backend_client.get("/v1/weights", headers=STAFF).status_code == 200


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("abcdef12", "found no configured key"),
        ("sha256:abc", "expected sha256: and 64 hex digits"),
        ("", "expected a key, its sha256: digest or its id"),
    ],
)
def test_a_revocation_naming_no_key_is_an_error(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str, message: str
) -> None:
    assert main(["revoke", given] if given else ["revoke"]) == 2
    assert message in capsys.readouterr().err


# -- rate limit -----------------------------------------------------------------------------


def limited_client(tmp_path: Path, rate: str, address: str = "203.0.113.7") -> TestClient:
    settings = make_settings(tmp_path, rate_limit=rate)
    return TestClient(create_app(settings), client=(address, 50000))


def test_the_public_rankings_answer_429_past_the_limit(tmp_path: Path) -> None:
    with limited_client(tmp_path, "3/minute") as client:
        answers = [client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "too many rankings from 203.0.113.7" in refused.json()["detail"]
        assert "3 per 1 minute" in refused.json()["detail"]
        # The other public endpoints are not counted.
        assert client.get("/v1/villages").status_code == 200


def test_the_limit_is_per_address(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit="1/minute")
    app = create_app(settings)
    with TestClient(app, client=("198.51.100.1", 1)) as first:
        second = TestClient(app, client=("198.51.100.2", 1))
        assert first.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).status_code == 200
        assert first.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).status_code == 429
        assert second.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).status_code == 200


def test_a_batch_counts_each_profile(tmp_path: Path) -> None:
    with limited_client(tmp_path, "5/minute") as client:
        batch = {"profiles": [API_EXAMPLE_PROFILE] * 4}
        assert client.post("/v1/recommendations/batch", json=batch).status_code == 200
        refused = client.post("/v1/recommendations/batch", json=batch)
        assert refused.status_code == 429
        assert "this batch counts 4" in refused.json()["detail"]
        assert client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).status_code == 200


def test_a_batch_larger_than_the_limit_is_refused_once_naming_the_most(tmp_path: Path) -> None:
    with limited_client(tmp_path, "5/minute") as client:
        six = {"profiles": [API_EXAMPLE_PROFILE] * 6}
        for _ in range(3):  # the same answer each time: never a 429 to wait out
            refused = client.post("/v1/recommendations/batch", json=six)
            assert refused.status_code == 422
            (error,) = refused.json()["detail"]
            assert error["loc"] == ["body", "profiles"]
            assert error["type"] == "too_long"
            assert error["ctx"] == {"field_type": "List", "max_length": 5, "actual_length": 6}
            assert "at most 5 profiles" in error["msg"]
            assert "5 per 1 minute" in error["msg"]
        five = {"profiles": [API_EXAMPLE_PROFILE] * 5}
        assert client.post("/v1/recommendations/batch", json=five).status_code == 200


def test_refused_requests_cost_nothing(tmp_path: Path) -> None:
    with limited_client(tmp_path, "2/minute") as client:
        for _ in range(3):
            too_many = client.post("/v1/recommendations?k=999", json=API_EXAMPLE_PROFILE)
            assert too_many.status_code == 422
            assert client.post("/v1/recommendations", json={"x": 1}).status_code == 422
            batch = client.post("/v1/recommendations/batch?k=999", json={"profiles": [{}]})
            assert batch.status_code == 422
        answers = [client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]


def test_staff_and_analyst_keys_are_not_held_by_the_public_limit(tmp_path: Path) -> None:
    with limited_client(tmp_path, "1/minute") as client:
        for headers in (STAFF, ANALYST):
            for _ in range(3):
                answer = client.post(
                    "/v1/recommendations", json=API_EXAMPLE_PROFILE, headers=headers
                )
                assert answer.status_code == 200
            batch = {"profiles": [API_EXAMPLE_PROFILE] * 4}
            answer = client.post("/v1/recommendations/batch", json=batch, headers=headers)
            assert answer.status_code == 200
        # A key that is no key leaves the caller a member of the public.
        wrong = {"X-API-Key": "not-a-key-of-this-service"}
        answers = [client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE, headers=wrong)]
        answers.append(client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE))
        assert [a.status_code for a in answers] == [200, 429]


def test_a_revoked_key_is_held_by_the_public_limit(tmp_path: Path) -> None:
    with limited_client(tmp_path, "1/minute") as client:
        assert client.app.state.sohosolo.store.revoke_key(
            hashlib.sha256(STAFF_KEY.encode()).hexdigest(), by="test"
        )
        answers = [
            client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE, headers=STAFF)
            for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [200, 429]


def test_off_switches_the_limit_off(tmp_path: Path) -> None:
    with limited_client(tmp_path, "off") as client:
        for _ in range(100):
            assert client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).status_code == 200


@pytest.mark.parametrize("rate", ["lots", "60/fortnight", "-1/minute"])
def test_an_unreadable_rate_is_refused_naming_the_setting(tmp_path: Path, rate: str) -> None:
    with pytest.raises(ValueError, match="rate_limit") as info:
        make_settings(tmp_path, rate_limit=rate)
    assert "expected a rate such as 60/minute" in str(info.value)


STAFF_ENDPOINTS = [
    ("POST", "/v1/prospects"),
    ("GET", "/v1/prospects/any"),
    ("DELETE", "/v1/prospects/any"),
    ("GET", "/v1/prospects/any/shortlist"),
    ("POST", "/v1/outcomes"),
    ("GET", f"/v1/villages/{PARTNER}/homes"),
    ("PUT", f"/v1/villages/{PARTNER}/homes"),
    ("GET", "/v1/weights"),
    ("PUT", "/v1/weights"),
    ("GET", "/v1/exposure"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
@pytest.mark.parametrize("key", [None, "", "wrong-key-0123456789", STAFF["X-API-Key"] + "x"])
def test_staff_endpoints_refuse_a_missing_or_wrong_key(
    shared_client: TestClient, method: str, path: str, key: str | None
) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = shared_client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]
