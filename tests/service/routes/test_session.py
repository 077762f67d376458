"""Signing in and out, sessions, CSRF, password changes and throttled failures, on SQLite and
PostgreSQL."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.api import PARTNER
from tests.service.conftest import ANALYST, STAFF, make_settings
from tests.service.people import PASSWORD, invite, make_person, person, sign_in, token_of

HOMES = {"homes": [{"tenure": "buy", "price_eur": 150000, "bedrooms": 3}]}


def test_a_person_signs_in_with_a_cookie_and_a_csrf_token(backend_client: TestClient) -> None:
    make_person(backend_client, "jeanne@example.org")
    response = backend_client.post(
        "/v1/session", json={"email": "Jeanne@Example.org ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "committee"
    assert body["villages"] == [PARTNER]
    assert len(body["csrf_token"]) >= 40
    cookie = response.headers["set-cookie"]
    assert "sohosolo_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    assert backend_client.get("/v1/session").json()["csrf_token"] == body["csrf_token"]
    assert backend_client.get(f"/v1/villages/{PARTNER}/homes").status_code == 200


def test_the_cookie_is_secure_over_https(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path)), base_url="https://testserver") as client:
        make_person(client)
        response = client.post(
            "/v1/session", json={"email": "jeanne@example.org", "password": PASSWORD}
        )
        assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("email", ["jeanne@example.org", "nobody@example.org"])
def test_a_wrong_password_or_email_answers_the_same_401(
    backend_client: TestClient, email: str
) -> None:
    make_person(backend_client, "jeanne@example.org")
    response = backend_client.post("/v1/session", json={"email": email, "password": "wrong" * 3})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong email or password"}
    assert "set-cookie" not in response.headers


def test_a_change_with_a_session_needs_its_csrf_token(backend_client: TestClient) -> None:
    headers = person(backend_client)
    without = {"Cookie": headers["Cookie"]}
    refused = backend_client.put(f"/v1/villages/{PARTNER}/homes", json=HOMES, headers=without)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    wrong = without | {"X-CSRF-Token": "not-the-token"}
    assert (
        backend_client.put(f"/v1/villages/{PARTNER}/homes", json=HOMES, headers=wrong).status_code
        == 403
    )
    done = backend_client.put(f"/v1/villages/{PARTNER}/homes", json=HOMES, headers=headers)
    assert done.status_code == 200
    # Reading needs no token; a key needs none either.
    assert backend_client.get(f"/v1/villages/{PARTNER}/homes", headers=without).status_code == 200
    assert (
        backend_client.put(f"/v1/villages/{PARTNER}/homes", json=HOMES, headers=STAFF).status_code
        == 200
    )


def test_signing_out_ends_the_session(backend_client: TestClient) -> None:
    headers = person(backend_client)
    assert (
        backend_client.delete("/v1/session", headers={"Cookie": headers["Cookie"]}).status_code
        == 403
    )
    assert backend_client.delete("/v1/session", headers=headers).status_code == 204
    assert backend_client.get("/v1/session", headers=headers).status_code == 401


def test_a_cookie_from_before_a_password_change_no_longer_works(
    backend_client: TestClient,
) -> None:
    make_person(backend_client)
    phone = sign_in(backend_client, "jeanne@example.org")
    laptop = sign_in(backend_client, "jeanne@example.org")
    new_password = "les collines de Lomagne 2027"
    changed = backend_client.post(
        "/v1/session/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=laptop,
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.cookies["sohosolo_session"]
    backend_client.cookies.clear()
    for old in (phone, laptop):
        assert backend_client.get("/v1/session", headers=old).status_code == 401
    renewed = {"Cookie": f"sohosolo_session={fresh}", "X-CSRF-Token": changed.json()["csrf_token"]}
    assert backend_client.get("/v1/session", headers=renewed).status_code == 200
    assert (
        backend_client.post(
            "/v1/session", json={"email": "jeanne@example.org", "password": PASSWORD}
        ).status_code
        == 401
    )
    sign_in(backend_client, "jeanne@example.org", new_password)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"current_password": "wrong" * 3, "new_password": "une autre phrase longue"},
            "current_password",
            "wrong",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password", "at least 12"),
        ({"current_password": PASSWORD, "new_password": "Password1234!"}, "new_password", "common"),
    ],
)
def test_a_refused_password_change_names_the_field(
    backend_client: TestClient, body: dict[str, str], field: str, message: str
) -> None:
    headers = person(backend_client)
    response = backend_client.post("/v1/session/password", json=body, headers=headers)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert message in error["msg"]
    assert backend_client.get("/v1/session", headers=headers).status_code == 200


def test_a_key_has_no_password_to_change(backend_client: TestClient) -> None:
    body = {"current_password": PASSWORD, "new_password": "une autre phrase longue"}
    response = backend_client.post("/v1/session/password", json=body, headers=STAFF)
    assert response.status_code == 403


def test_failed_sign_ins_are_slowed_then_refused(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        signin_account_limit="4/15 minutes",
        signin_slow_after=2,
        signin_max_delay_seconds=0.01,
    )
    with TestClient(create_app(settings)) as client:
        make_person(client)
        throttle = client.app.state.sohosolo.accounts.throttle  # type: ignore[attr-defined]
        wrong = {"email": "jeanne@example.org", "password": "not the password"}
        delays = []
        for _ in range(4):
            delays.append(throttle.check("jeanne@example.org", "testclient"))
            assert client.post("/v1/session", json=wrong).status_code == 401
        assert delays[:2] == [0.0, 0.0]
        assert delays[2] > 0
        refused = client.post("/v1/session", json={**wrong, "password": PASSWORD})
        assert refused.status_code == 429  # even with the right password, for a while
        assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
        # Another account from the same address is not refused yet.
        make_person(client, "paul@example.org")
        sign_in(client, "paul@example.org")


def test_failures_are_counted_per_address_too(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, signin_address_limit="3/15 minutes", signin_slow_after=10)
    with TestClient(create_app(settings)) as client:
        make_person(client)
        for n in range(3):
            body = {"email": f"guess{n}@example.org", "password": "not the password"}
            assert client.post("/v1/session", json=body).status_code == 401
        right = {"email": "jeanne@example.org", "password": PASSWORD}
        assert client.post("/v1/session", json=right).status_code == 429


def test_a_disabled_account_is_signed_out_at_once(backend_client: TestClient) -> None:
    account = make_person(backend_client)
    headers = sign_in(backend_client, "jeanne@example.org")
    disabled = backend_client.patch(
        f"/v1/accounts/{account}", json={"active": False}, headers=STAFF
    )
    assert disabled.status_code == 200
    assert disabled.json()["status"] == "disabled"
    assert backend_client.get("/v1/session", headers=headers).status_code == 401
    again = backend_client.post(
        "/v1/session", json={"email": "jeanne@example.org", "password": PASSWORD}
    )
    assert again.status_code == 401
    backend_client.patch(f"/v1/accounts/{account}", json={"active": True}, headers=STAFF)
    sign_in(backend_client, "jeanne@example.org")


def test_the_audit_names_each_sign_in_failure_and_change_without_secrets(
    backend_client: TestClient,
) -> None:
    account = make_person(backend_client)
    backend_client.post(
        "/v1/session", json={"email": "jeanne@example.org", "password": "wrong" * 3}
    )
    headers = sign_in(backend_client, "jeanne@example.org")
    backend_client.post(
        "/v1/session/password",
        json={"current_password": PASSWORD, "new_password": "les collines de Lomagne 2027"},
        headers=headers,
    )
    backend_client.patch(f"/v1/accounts/{account}", json={"active": False}, headers=STAFF)
    audit = backend_client.get("/v1/audit", headers=ANALYST).json()
    actions = [
        (e["action"], e["actor"].split(":")[0], e["target"])
        for e in reversed(audit)
        if e["action"].startswith(("account.", "session."))
    ]
    who = f"account-{account}"
    assert actions == [
        ("account.invite", "staff", who),
        ("account.accept", "committee", who),
        ("session.sign_in_failed", "anonymous", who),
        ("session.sign_in", "committee", who),
        ("account.password", "committee", who),
        ("session.sign_in", "committee", who),
        ("account.disable", "staff", who),
    ]
    text = str(audit)
    for secret in (PASSWORD, "Lomagne", "jeanne@example.org", headers["X-CSRF-Token"]):
        assert secret not in text


def test_an_invitation_works_once(backend_client: TestClient) -> None:
    invited = invite(backend_client, "jeanne@example.org")
    token = token_of(invited["url"])
    assert invited["url"].startswith("http://testserver/intranet/invitation/")
    assert (
        backend_client.post(f"/v1/invitations/{token}", json={"password": PASSWORD}).status_code
        == 201
    )
    again = backend_client.post(f"/v1/invitations/{token}", json={"password": PASSWORD})
    assert again.status_code == 410
    unknown = backend_client.post(
        "/v1/invitations/nothing-of-the-sort", json={"password": PASSWORD}
    )
    assert unknown.status_code == 404


def test_an_expired_invitation_is_gone(backend_client: TestClient) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from service.db.models import InvitationRow
    from service.store import utcnow

    invited = invite(backend_client, "jeanne@example.org")
    store = backend_client.app.state.sohosolo.store  # type: ignore[attr-defined]
    with store.transaction() as session:
        session.execute(update(InvitationRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = backend_client.post(
        f"/v1/invitations/{token_of(invited['url'])}", json={"password": PASSWORD}
    )
    assert response.status_code == 410


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("tiny pw", "at least 12 characters"),
        ("password1234", "common password"),
        ("Azertyuiop123!", "common password"),
        ("aaaaaaaaaaaaaaa", "different characters"),
        ("jeanne-village-2027", "contains the email"),
    ],
)
def test_a_weak_password_is_refused_and_the_link_still_works(
    backend_client: TestClient, password: str, message: str
) -> None:
    token = token_of(invite(backend_client, "jeanne@example.org")["url"])
    response = backend_client.post(f"/v1/invitations/{token}", json={"password": password})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "password"]
    assert message in error["msg"]
    assert password not in response.text  # never echoed
    assert error["input"] is None
    assert (
        backend_client.post(f"/v1/invitations/{token}", json={"password": PASSWORD}).status_code
        == 201
    )
