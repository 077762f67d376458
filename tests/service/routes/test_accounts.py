"""Accounts kept by staff: invitations, the list, disabling; who may invite whom."""

import pytest
from fastapi.testclient import TestClient

from tests.service.api import NOT_PARTNER, PARTNER, locs
from tests.service.conftest import ANALYST, STAFF
from tests.service.people import invite, make_person, person


def test_staff_list_the_accounts_with_their_state(backend_client: TestClient) -> None:
    make_person(backend_client, "jeanne@example.org")
    invite(backend_client, "paul@example.org", role="staff", villages=())
    accounts = backend_client.get("/v1/accounts", headers=STAFF).json()
    assert [(a["email"], a["role"], a["status"], a["villages"]) for a in accounts] == [
        ("jeanne@example.org", "committee", "active", [PARTNER]),
        ("paul@example.org", "staff", "invited", []),
    ]
    assert all("password_hash" not in a for a in accounts)


def test_inviting_again_before_the_password_replaces_the_link(backend_client: TestClient) -> None:
    first = invite(backend_client, "jeanne@example.org")
    second = invite(backend_client, "Jeanne@example.org", villages=(PARTNER, "32012"))
    assert first["id"] == second["id"]
    gone = backend_client.post(
        f"/v1/invitations/{first['url'].rsplit('/', 1)[1]}", json={"password": "x" * 12}
    )
    assert gone.status_code == 404
    make_person(backend_client, "paul@example.org")
    refused = backend_client.post(
        "/v1/accounts/invitations",
        json={"role": "committee", "villages": [PARTNER], "name": "P", "email": "paul@example.org"},
        headers=STAFF,
    )
    assert refused.status_code == 409


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"role": "committee", "villages": [], "name": "A", "email": "a@example.org"}, ["body"]),
        ({"role": "staff", "villages": [PARTNER], "name": "A", "email": "a@example.org"}, ["body"]),
        (
            {"role": "committee", "villages": [NOT_PARTNER], "name": "A", "email": "a@example.org"},
            ["body", "villages"],
        ),
        (
            {"role": "committee", "villages": ["3200"], "name": "A", "email": "a@example.org"},
            ["body", "villages", 0],
        ),
        (
            {"role": "mayor", "villages": [PARTNER], "name": "A", "email": "a@example.org"},
            ["body", "role"],
        ),
        ({"role": "staff", "name": "A", "email": "not-an-email"}, ["body", "email"]),
        ({"role": "staff", "name": "A\u202eB", "email": "a@example.org"}, ["body", "name"]),
    ],
)
def test_a_bad_invitation_names_the_field(
    shared_client: TestClient, body: dict[str, object], where: list[object]
) -> None:
    response = shared_client.post("/v1/accounts/invitations", json=body, headers=STAFF)
    assert response.status_code == 422
    assert where in locs(response)


def test_only_analysts_invite_or_change_analysts(backend_client: TestClient) -> None:
    body = {"role": "analyst", "name": "A", "email": "a@example.org"}
    assert (
        backend_client.post("/v1/accounts/invitations", json=body, headers=STAFF).status_code == 403
    )
    created = backend_client.post("/v1/accounts/invitations", json=body, headers=ANALYST)
    assert created.status_code == 201
    change = backend_client.patch(
        f"/v1/accounts/{created.json()['id']}", json={"active": False}, headers=STAFF
    )
    assert change.status_code == 403


def test_staff_cannot_disable_themselves(backend_client: TestClient) -> None:
    headers = person(backend_client, "marie@example.org", role="staff", villages=())
    me = backend_client.get("/v1/session", headers=headers).json()["account_id"]
    response = backend_client.patch(f"/v1/accounts/{me}", json={"active": False}, headers=headers)
    assert response.status_code == 403
    assert (
        backend_client.patch("/v1/accounts/999", json={"active": False}, headers=STAFF).status_code
        == 404
    )
