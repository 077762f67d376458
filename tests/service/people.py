"""What the tests of people's accounts share: inviting, choosing a password, signing in, and
the headers of a request made with a session."""

from typing import Any

from fastapi.testclient import TestClient

from tests.service.api import PARTNER
from tests.service.conftest import STAFF

PASSWORD = "un village au soleil du Gers"
#: A second partner village: a committee of PARTNER does not keep it.
OTHER_PARTNER = "32012"


def invite(
    client: TestClient,
    email: str,
    role: str = "committee",
    villages: tuple[str, ...] = (PARTNER,),
    headers: dict[str, str] = STAFF,
    name: str = "Jeanne Lafitte",
) -> dict[str, Any]:
    body = {"role": role, "villages": list(villages), "name": name, "email": email}
    response = client.post("/v1/accounts/invitations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def make_person(
    client: TestClient,
    email: str = "jeanne@example.org",
    role: str = "committee",
    villages: tuple[str, ...] = (PARTNER,),
    password: str = PASSWORD,
) -> int:
    """An account with its password chosen; its id."""
    invited = invite(client, email, role, villages)
    accepted = client.post(
        f"/v1/invitations/{token_of(invited['url'])}", json={"password": password}
    )
    assert accepted.status_code == 201, accepted.text
    return int(accepted.json()["id"])


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in and return the headers of a request made with that session (the client's own
    cookie jar is emptied, so that each request says whose it is)."""
    response = client.post("/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token = response.cookies["sohosolo_session"]
    client.cookies.clear()
    return {"Cookie": f"sohosolo_session={token}", "X-CSRF-Token": response.json()["csrf_token"]}


def person(
    client: TestClient,
    email: str = "jeanne@example.org",
    role: str = "committee",
    villages: tuple[str, ...] = (PARTNER,),
) -> dict[str, str]:
    """A signed-in person's request headers."""
    make_person(client, email, role, villages)
    return sign_in(client, email)
