"""Hostile input on the intranet's forms: a 4xx naming the field (in French), never a 5xx."""

from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.service.api import PARTNER
from tests.service.people import make_person
from tests.service.test_intranet import csrf, page_sign_in


@pytest.fixture
def signed(client: TestClient) -> tuple[TestClient, str]:
    make_person(client, "jeanne@example.org")
    html = page_sign_in(client, "jeanne@example.org")
    return client, csrf(html)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price_eur": "nan"}, "Valeur refusée."),
        ({"price_eur": "1e999"}, "Valeur refusée."),
        ({"price_eur": "9" * 400}, "Valeur refusée."),
        ({"price_eur": "12\u202e000"}, "Un nombre est attendu"),
        ({"note": "Maison\x00de bourg"}, "Caractère interdit dans le texte."),
        ({"note": "x" * 501}, "Au plus 500 caractères."),
        ({"available_from": "2026-02-30"}, "Une date est attendue."),
        ({"expires_at": "1999-01-01"}, "Une date du"),
        ({"bedrooms": "2.5"}, "Un nombre entier est attendu."),
    ],
)
def test_hostile_home_fields_are_named_in_french(
    signed: tuple[TestClient, str], fields: dict[str, str], message: str
) -> None:
    client, token = signed
    body = {"csrf_token": token, "tenure": "buy", "price_eur": "100000", "bedrooms": "2", **fields}
    response = client.post(f"/intranet/villages/{PARTNER}/homes", data=body, follow_redirects=False)
    assert response.status_code == 422, response.text[:300]
    assert message in unescape(response.text)


def test_too_many_fields_or_a_body_too_large_are_refused(signed: tuple[TestClient, str]) -> None:
    client, token = signed
    many = "&".join(f"f{i}=1" for i in range(300)) + f"&csrf_token={token}"
    response = client.post(
        f"/intranet/villages/{PARTNER}/homes",
        content=many,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "at most 100 fields" in response.text
    huge = client.post(
        f"/intranet/villages/{PARTNER}/homes", data={"csrf_token": token, "note": "x" * 70_000}
    )
    assert huge.status_code == 413


def test_a_body_that_is_not_utf8_is_read_without_failing(signed: tuple[TestClient, str]) -> None:
    client, token = signed
    body = f"csrf_token={token}&tenure=buy&price_eur=100000&bedrooms=2&note=".encode() + b"\xff\xfe"
    response = client.post(
        f"/intranet/villages/{PARTNER}/homes",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code in (303, 422)


def test_the_sign_in_form_takes_anything_without_failing(client: TestClient) -> None:
    form = client.get("/intranet/sign-in")
    for email, password in (("", ""), ("\x00" * 5000, "x"), ("a@b.c", "p" * 100_000)):
        response = client.post(
            "/intranet/sign-in",
            data={"csrf_token": csrf(form.text), "email": email, "password": password},
            follow_redirects=False,
        )
        assert response.status_code in (401, 413), response.status_code
        form = response if response.status_code == 401 else client.get("/intranet/sign-in")


def test_only_intranet_paths_are_followed_after_sign_in(client: TestClient) -> None:
    make_person(client, "jeanne@example.org")
    form = client.get("/intranet/sign-in")
    response = client.post(
        "/intranet/sign-in?next=https://evil.example/x",
        data={
            "csrf_token": csrf(form.text),
            "email": "jeanne@example.org",
            "password": "un village au soleil du Gers",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/intranet/?")
