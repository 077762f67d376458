"""The intranet's pages through their forms, as a browser sends them (URL-encoded, with the
CSRF token): signing in, a village's homes, needs, committee and corrections, a stale edit,
errors at the field in French, CSRF-less posts refused, staff review. SQLite and PostgreSQL
for the flows; the page texts on SQLite."""

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api import PARTNER
from tests.service.conftest import STAFF
from tests.service.people import OTHER_PARTNER, PASSWORD, invite, make_person, token_of

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def page_sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the page; the village page's HTML (the client keeps the cookie)."""
    form = client.get("/intranet/sign-in")
    response = client.post(
        "/intranet/sign-in",
        data={"csrf_token": csrf(form.text), "email": email, "password": password},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.text[:500]
    return unescape(response.text)


def post(client: TestClient, path: str, html: str, **fields: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf(html), **fields}, follow_redirects=False)


@pytest.fixture
def committee(backend_client: TestClient) -> TestClient:
    make_person(backend_client, "jeanne@example.org")
    page_sign_in(backend_client, "jeanne@example.org")
    return backend_client


def village(client: TestClient, lang: str = "fr") -> str:
    response = client.get(f"/intranet/villages/{PARTNER}?lang={lang}")
    assert response.status_code == 200
    return unescape(response.text)


def test_an_invitation_page_chooses_the_password_and_the_person_signs_in(
    backend_client: TestClient,
) -> None:
    url = invite(backend_client, "jeanne@example.org")["url"]
    path = "/intranet/invitation/" + token_of(url)
    form = backend_client.get(path)
    assert form.status_code == 200
    assert "Choisissez votre mot de passe" in unescape(form.text)
    assert form.headers["referrer-policy"] == "no-referrer"
    mismatch = post(backend_client, path, form.text, password=PASSWORD, confirm="autre chose")
    assert mismatch.status_code == 422
    assert "Les deux mots de passe diffèrent." in unescape(mismatch.text)
    weak = post(
        backend_client, path, mismatch.text, password="motdepasse123", confirm="motdepasse123"
    )
    assert weak.status_code == 422
    assert "trop courant" in unescape(weak.text)
    done = post(backend_client, path, weak.text, password=PASSWORD, confirm=PASSWORD)
    assert done.status_code == 303
    assert "done=password_set" in done.headers["location"]
    gone = backend_client.get(path)
    assert gone.status_code == 410
    assert "déjà servi ou a expiré" in unescape(gone.text)
    html = page_sign_in(backend_client, "jeanne@example.org")
    assert "Logements disponibles" in html  # a committee of one village lands on it


def test_a_wrong_password_on_the_page_says_so_in_french(backend_client: TestClient) -> None:
    make_person(backend_client)
    form = backend_client.get("/intranet/sign-in")
    wrong = post(
        backend_client,
        "/intranet/sign-in",
        form.text,
        email="jeanne@example.org",
        password="pas le bon",
    )
    assert wrong.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in unescape(wrong.text)
    assert (
        "set-cookie" not in wrong.headers or "sohosolo_session=" not in wrong.headers["set-cookie"]
    )


def test_pages_ask_to_sign_in_first(client: TestClient) -> None:
    response = client.get(f"/intranet/villages/{PARTNER}", follow_redirects=False)
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == f"/intranet/sign-in?lang=fr&next=%2Fintranet%2Fvillages%2F{PARTNER}"
    )


def test_a_committee_adds_a_home_a_need_and_a_correction_through_the_page(
    committee: TestClient,
) -> None:
    html = village(committee)
    added = post(
        committee,
        f"/intranet/villages/{PARTNER}/homes",
        html,
        tenure="buy",
        price_eur="140 000",
        bedrooms="3",
        surface_m2="95,5",
        note="Maison de bourg",
    )
    assert added.status_code == 303
    html = village(committee)
    assert "Logement ajouté." not in html  # the notice needs ?done=
    homes = committee.get(f"/v1/villages/{PARTNER}/homes").json()["homes"]
    assert [(h["price_eur"], h["surface_m2"], h["note"]) for h in homes] == [
        (140000, 95.5, "Maison de bourg")
    ]
    need = post(
        committee,
        f"/intranet/villages/{PARTNER}/needs",
        html,
        kind="trade",
        professions="building_artisan",
        service="bakery",
        note="La boulangerie a fermé",
    )
    assert need.status_code == 303
    school = post(
        committee,
        f"/intranet/villages/{PARTNER}/needs",
        html,
        kind="school_pupils",
        school="École du village",
        age_min="6",
        age_max="10",
        pupils="3",
        by="2027-09-01",
    )
    assert school.status_code == 303
    assert len(committee.get(f"/v1/villages/{PARTNER}/needs").json()["needs"]) == 2
    committee_form = post(
        committee,
        f"/intranet/villages/{PARTNER}/committee",
        html,
        capacity_per_quarter="4",
        contact_name="Jean Martin",
        contact_email="maire@example.org",
    )
    assert committee_form.status_code == 303
    proposal = post(
        committee,
        f"/intranet/villages/{PARTNER}/proposals",
        html,
        field="minutes_to_bakery",
        value="12",
        source="Fermeture de la boulangerie",
        observed_at="2026-11-30",
    )
    assert proposal.status_code == 303
    html = village(committee)
    assert "Fermeture de la boulangerie" in html
    assert "en attente" in html
    assert "École du village" in html


@pytest.mark.parametrize(
    ("path", "fields", "messages"),
    [
        (
            "homes",
            {"tenure": "buy", "price_eur": "beaucoup", "bedrooms": ""},
            ["Un nombre est attendu", "Ce champ est obligatoire."],
        ),
        (
            "homes",
            {"tenure": "castle", "price_eur": "-5", "bedrooms": "2"},
            ["Choisissez une des valeurs proposées.", "Doit être supérieur à 0."],
        ),
        (
            "needs",
            {
                "kind": "school_pupils",
                "school": "É",
                "age_min": "11",
                "age_max": "6",
                "pupils": "2",
                "by": "2027-09-01",
            },
            ["L'âge minimum dépasse l'âge maximum."],
        ),
        (
            "needs",
            {
                "kind": "school_pupils",
                "school": "É",
                "age_min": "2",
                "age_max": "6",
                "pupils": "2",
                "by": "2027-09-01",
            },
            ["Doit être au moins 3."],
        ),
        ("needs", {"kind": "trade"}, ["Choisissez au moins un métier ou un service."]),
        ("committee", {"capacity_per_quarter": "80"}, ["Doit être au plus 50."]),
        (
            "committee",
            {"capacity_per_quarter": "2", "contact_email": "maire"},
            ["Une adresse e-mail est attendue"],
        ),
        (
            "proposals",
            {"field": "ftth_share", "value": "1,5", "source": "x", "observed_at": "2026-11-30"},
            ["Valeur hors de la plage de cette donnée : de 0 à 1"],
        ),
        (
            "proposals",
            {"field": "name", "value": "1", "source": "x", "observed_at": "2026-11-30"},
            ["Choisissez une des valeurs proposées."],
        ),
    ],
)
def test_a_refused_form_shows_its_errors_at_the_field_in_french(
    committee: TestClient, path: str, fields: dict[str, str], messages: list[str]
) -> None:
    response = post(committee, f"/intranet/villages/{PARTNER}/{path}", village(committee), **fields)
    assert response.status_code == 422
    assert "Le formulaire n'a pas été enregistré" in unescape(response.text)
    assert 'aria-invalid="true"' in unescape(response.text)
    for message in messages:
        assert message in unescape(response.text)


def test_the_english_page_speaks_english(committee: TestClient) -> None:
    response = post(
        committee,
        f"/intranet/villages/{PARTNER}/committee?lang=en",
        village(committee, "en"),
        capacity_per_quarter="80",
    )
    assert "Must be at most 50." in unescape(response.text)
    assert "Homes on offer" in village(committee, "en")


def test_a_second_member_editing_the_same_home_sees_that_it_changed(
    backend_client: TestClient,
) -> None:
    make_person(backend_client, "jeanne@example.org")
    make_person(backend_client, "paul@example.org")
    home = backend_client.post(
        f"/v1/villages/{PARTNER}/homes",
        json={"tenure": "buy", "price_eur": 150000, "bedrooms": 3},
        headers=STAFF,
    ).json()
    page_sign_in(backend_client, "jeanne@example.org")
    jeanne_page = village(backend_client)  # both open the page at version 1
    backend_client.cookies.clear()
    page_sign_in(backend_client, "paul@example.org")
    paul_page = village(backend_client)
    fields = {
        "tenure": "buy",
        "bedrooms": "3",
        "version": "1",
        "available_from": home["available_from"],
        "expires_at": home["expires_at"],
    }
    saved = post(
        backend_client,
        f"/intranet/villages/{PARTNER}/homes/{home['id']}",
        paul_page,
        **fields,
        price_eur="145000",
    )
    assert saved.status_code == 303
    backend_client.cookies.clear()
    page_sign_in(backend_client, "jeanne@example.org")
    stale = post(
        backend_client,
        f"/intranet/villages/{PARTNER}/homes/{home['id']}",
        village(backend_client),
        **fields,
        price_eur="120000",
    )
    assert stale.status_code == 412
    assert "Quelqu'un a modifié ce logement" in unescape(stale.text)
    assert 'value="145000"' in unescape(stale.text)  # the current value in the form
    assert "Prix ou loyer mensuel (€) : 120000" in unescape(
        stale.text
    )  # what Jeanne had typed, to redo it
    assert jeanne_page  # opened before, as a person would
    kept = backend_client.get(f"/v1/villages/{PARTNER}/homes/{home['id']}", headers=STAFF).json()
    assert (kept["price_eur"], kept["version"]) == (145000, 2)
    for hostile in ("1e30", "9" * 30, "²"):  # no listing's version: stale, not a crash
        refused = post(
            backend_client,
            f"/intranet/villages/{PARTNER}/homes/{home['id']}",
            village(backend_client),
            **fields | {"version": hostile},
            price_eur="120000",
        )
        assert refused.status_code == 412, hostile


def test_forms_without_their_csrf_token_are_refused(committee: TestClient) -> None:
    for path in (
        f"/intranet/villages/{PARTNER}/homes",
        f"/intranet/villages/{PARTNER}/needs",
        f"/intranet/villages/{PARTNER}/committee",
        f"/intranet/villages/{PARTNER}/proposals",
        "/intranet/password",
        "/intranet/sign-out",
    ):
        for token in ({}, {"csrf_token": "forged"}):
            response = committee.post(
                path, data={"capacity_per_quarter": "3", **token}, follow_redirects=False
            )
            assert response.status_code == 403, path
            assert "csrf_token" in unescape(response.text)
    assert committee.get(f"/v1/villages/{PARTNER}/committee").json()["capacity_per_quarter"] is None


def test_another_villages_page_is_forbidden_to_a_committee(committee: TestClient) -> None:
    response = committee.get(f"/intranet/villages/{OTHER_PARTNER}")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


def test_staff_approve_a_correction_from_their_page(backend_client: TestClient) -> None:
    proposal = backend_client.post(
        f"/v1/villages/{PARTNER}/facts/proposals",
        json={"field": "ftth_share", "value": 1.0, "source": "Orange", "observed_at": "2026-11-30"},
        headers=STAFF,
    ).json()
    make_person(backend_client, "marie@example.org", role="staff", villages=())
    html = page_sign_in(backend_client, "marie@example.org")
    assert "Les villages" in html
    review = backend_client.get("/intranet/proposals")
    assert "Orange" in unescape(review.text)
    empty = post(
        backend_client, f"/intranet/proposals/{proposal['id']}/reject", review.text, reason=""
    )
    assert empty.status_code == 422
    assert "Ce champ est obligatoire." in unescape(empty.text)
    done = post(backend_client, f"/intranet/proposals/{proposal['id']}/approve", review.text)
    assert done.status_code == 303
    assert "Correction approuvée" in backend_client.get(done.headers["location"]).text
    attribute = backend_client.get(f"/v1/villages/{PARTNER}").json()["attributes"]["ftth_share"]
    assert attribute["corrected"]["source"] == "Orange"


def test_signing_out_and_a_password_change_from_the_pages(committee: TestClient) -> None:
    old_cookie = committee.cookies.get("sohosolo_session")
    form = committee.get("/intranet/password")
    new_password = "les collines de Lomagne 2027"
    changed = post(
        committee,
        "/intranet/password",
        form.text,
        current_password=PASSWORD,
        new_password=new_password,
        confirm=new_password,
    )
    assert changed.status_code == 303
    assert committee.cookies.get("sohosolo_session") != old_cookie
    stale = committee.get("/v1/session", headers={"Cookie": f"sohosolo_session={old_cookie}"})
    assert stale.status_code == 401
    html = village(committee)
    out = post(committee, "/intranet/sign-out", html)
    assert out.status_code == 303
    assert committee.get(f"/intranet/villages/{PARTNER}", follow_redirects=False).status_code == 303
