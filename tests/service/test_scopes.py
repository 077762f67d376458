"""Who may do what, for every route of the app and every kind of caller (api.md, "Who may do
what"): the rule of each route is found from its dependencies, so a new route without a rule
fails here until it gets one, or is listed as public.

Runs on SQLite and PostgreSQL. Every answer to a committee is also searched for a prospect's
contact fields."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.app import ROUTERS, create_app
from service.deps import ACCESS_RULES
from tests.service.api import PROSPECT, add_prospect
from tests.service.conftest import (
    ANALYST,
    BACKENDS,
    COMMITTEE,
    COMMITTEE_VILLAGE,
    STAFF,
    make_settings,
    postgres_admin_url,
)
from tests.service.people import OTHER_PARTNER, make_person, sign_in

#: Routes anyone may call (api.md's public endpoints, signing in, accepting an invitation).
PUBLIC = {
    ("POST", "/v1/recommendations"),
    ("POST", "/v1/recommendations/batch"),
    ("GET", "/v1/health"),
    ("GET", "/v1/professions"),
    ("GET", "/v1/villages"),
    ("GET", "/v1/villages.geojson"),
    ("GET", "/v1/villages/{insee}"),
    ("GET", "/v1/villages/{insee}/needs"),
    ("POST", "/v1/session"),
    ("POST", "/v1/invitations/{token}"),
    ("GET", "/embed"),
    ("GET", "/"),
    ("GET", "/docs"),
    ("GET", "/intranet/sign-in"),
    ("POST", "/intranet/sign-in"),
    ("GET", "/intranet/invitation/{token}"),
    ("POST", "/intranet/invitation/{token}"),
}
#: Public forms: refused (403) to anyone without the form's own token, which this test lacks.
PUBLIC_FORMS = {("POST", "/intranet/sign-in"), ("POST", "/intranet/invitation/{token}")}
SIGN_IN_PAGE = 303
CALLERS = [
    "anonymous",
    "committee key",
    "committee session",
    "staff key",
    "staff session",
    "analyst key",
]
ALLOWED, UNAUTHENTICATED, FORBIDDEN = "allowed", 401, 403


def route_rule(route: APIRoute) -> str | None:
    """The access rule among the route's own dependencies, or None."""
    found = {ACCESS_RULES[d.call] for d in route.dependant.dependencies if d.call in ACCESS_RULES}
    assert len(found) <= 1, f"{route.path}: more than one access rule: {found}"
    return found.pop() if found else None


def api_routes() -> list[tuple[str, str, str]]:
    table = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            path = re.sub(r":\w+\}", "}", route.path)  # as documented, without convertors
            for method in sorted(route.methods):
                rule = route_rule(route)
                if rule is None:
                    assert (method, path) in PUBLIC, (
                        f"{method} {path} has no access rule and is not listed as public"
                    )
                    rule = "public_form" if (method, path) in PUBLIC_FORMS else "public"
                table.append((method, path, rule))
    return table


def expected(rule: str, caller: str, own: bool) -> str | int:
    kind, _, how = caller.partition(" ")
    if rule == "public_form":
        return FORBIDDEN
    if rule == "public":
        return ALLOWED
    if rule.startswith("page"):
        # Pages are for people: without a session, the sign-in page (keys are for programs).
        if how != "session":
            return SIGN_IN_PAGE
        rule = {"page": "signed_in", "page_staff": "staff", "page_village": "village"}[rule]
    if kind == "anonymous":
        return UNAUTHENTICATED
    if rule == "person":
        return ALLOWED if how == "session" else FORBIDDEN
    if rule == "analyst":
        return ALLOWED if kind == "analyst" else FORBIDDEN
    if rule == "staff":
        return FORBIDDEN if kind == "committee" else ALLOWED
    if rule == "village":
        return FORBIDDEN if kind == "committee" and not own else ALLOWED
    return ALLOWED  # signed_in


def concrete(path: str, insee: str) -> str:
    values = {
        "insee": insee,
        "prospect_id": str(uuid.uuid4()),
        "token": "no-such-token",
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "999"), path)


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One server per backend, with a committee and a staff member who can sign in, and a
    prospect whose contact fields no committee answer may hold."""
    folder = tmp_path_factory.mktemp("scopes")
    url = None
    if request.param == "postgresql":
        admin = postgres_admin_url()
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"sohosolo_scopes_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)  # type: ignore[arg-type]
    with TestClient(create_app(make_settings(Path(folder), url))) as client:
        make_person(client, "committee@example.org", "committee", (COMMITTEE_VILLAGE,))
        make_person(client, "staff@example.org", "staff", ())
        add_prospect(client)
        yield client
    if url is not None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def headers_of(client: TestClient, caller: str) -> dict[str, str]:
    keys = {"committee key": COMMITTEE, "staff key": STAFF, "analyst key": ANALYST}
    if caller in keys:
        return keys[caller]
    if caller == "anonymous":
        return {}
    return sign_in(client, f"{caller.split()[0]}@example.org")


ROUTE_TABLE = api_routes()
#: Each route, and again with another village than the committee's where the path has one.
CASES = [
    pytest.param(method, path, rule, own, id=f"{method} {path}{'' if own else ' (other village)'}")
    for method, path, rule in ROUTE_TABLE
    for own in ((True, False) if "{insee}" in path else (True,))
]


@pytest.mark.parametrize(("method", "path", "rule", "own"), CASES)
def test_every_route_answers_each_caller_by_its_rule(
    world: TestClient, method: str, path: str, rule: str, own: bool
) -> None:
    url = concrete(path, COMMITTEE_VILLAGE if own else OTHER_PARTNER)
    contact = PROSPECT["contact"]
    for caller in CALLERS:
        headers = headers_of(world, caller)
        response = call(world, method, url, headers, rule)
        want = expected(rule, caller, own)
        got = response.status_code
        assert (got not in (401, 403)) if want == ALLOWED else got == want, (
            f"{method} {url} as {caller}: expected {want}, got {got} {response.text[:200]}"
        )
        if caller.startswith("committee"):
            for value in contact.values():  # type: ignore[union-attr]
                assert str(value) not in response.text, f"{method} {url} shows a contact field"


def call(client: TestClient, method: str, url: str, headers: dict[str, str], rule: str) -> Any:
    """The request, with an empty JSON body, or an empty form with the session's CSRF token
    for a page."""
    if method in ("GET", "DELETE"):
        return client.request(method, url, headers=headers, follow_redirects=False)
    if rule.startswith("page") and "X-CSRF-Token" in headers:
        form = {"csrf_token": headers["X-CSRF-Token"]}
        return client.request(method, url, data=form, headers=headers, follow_redirects=False)
    return client.request(method, url, json={}, headers=headers, follow_redirects=False)


def test_a_session_change_without_its_csrf_token_is_refused_everywhere(world: TestClient) -> None:
    headers = sign_in(world, "staff@example.org")
    cookie_only = {"Cookie": headers["Cookie"]}
    for method, path, rule in ROUTE_TABLE:
        if method in ("GET", "HEAD") or rule.startswith("public"):
            continue
        url = concrete(path, COMMITTEE_VILLAGE)
        forms = ({"data": {}}, {"data": {"csrf_token": "forged"}})
        bodies = forms if path.startswith("/intranet/") else ({"json": {}},)
        for body in bodies:
            response = world.request(method, url, headers=cookie_only, **body)  # type: ignore[arg-type]
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
            assert "csrf" in response.text.lower()
