"""Prospects: stored, read back, erased; their shortlists."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNER, PROSPECT, add_prospect, locs
from tests.service.conftest import STAFF


def test_a_prospect_is_stored_and_read_back(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["id"] == prospect_id
    assert body["contact"] == PROSPECT["contact"]
    assert body["consent"] is True
    assert body["consent_at"] is not None
    for key, value in API_EXAMPLE_PROFILE.items():
        assert body["profile"][key] == value


def test_unicode_contact_fields_are_kept_as_sent(client: TestClient) -> None:
    contact = {"name": "Zoé Ñúñez-Łukasiewicz 李 🌻", "email": "zoé@exemple.fr", "phone": "+33 6"}
    prospect_id = add_prospect(client, {**PROSPECT, "contact": contact})
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["contact"] == contact


def test_without_consent_there_is_no_consent_date(client: TestClient) -> None:
    prospect_id = add_prospect(client, {**PROSPECT, "consent": False})
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["consent"] is False
    assert body["consent_at"] is None


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"contact": {"email": "not-an-address"}}, ["body", "contact", "email"]),
        ({"contact": {"name": "Camille\x00"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "Camille\x85"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "\u202eellimaC"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "C" * 10_000}}, ["body", "contact", "name"]),
        ({"contact": {"phone": "+33 6 12 34 56 78 " * 100}}, ["body", "contact", "phone"]),
        ({"contact": {"fax": "01"}}, ["body", "contact", "fax"]),
        ({"consent": None}, ["body", "consent"]),
        ({"profile": {"profession": "translator"}}, ["body", "profile", "connectivity"]),
        ({"consent": False, "consent_at": "2026-11-01T10:00:00Z"}, ["body", "consent_at"]),
        ({"consent_at": "0001-01-01T00:00:00+01:00"}, ["body", "consent_at"]),
        ({"consent_at": "2026-11-01T10:00:00"}, ["body", "consent_at"]),
    ],
)
def test_a_bad_prospect_is_a_422_naming_the_field(
    client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    response = client.post("/v1/prospects", json={**PROSPECT, **change}, headers=STAFF)
    assert response.status_code == 422
    assert loc in locs(response)


def test_deleting_a_prospect_erases_it(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    outcome = {"prospect_id": prospect_id, "insee": PARTNER, "event": "visited"}
    assert client.post("/v1/outcomes", json=outcome, headers=STAFF).status_code == 201
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 204
    assert client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 404
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 404
    store = client.app.state.sohosolo.store  # type: ignore[attr-defined]
    with store.sessions() as session:
        from sqlalchemy import select

        from service.db.models import OutcomeRow

        linked = session.scalars(select(OutcomeRow.prospect_id)).all()
    assert linked == [None], "the outcome stays for the village, without the person"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/prospects/nobody",
        "/v1/prospects/nobody/shortlist?format=html",
        "/v1/prospects/%00nobody",
        "/v1/prospects/00000000-0000-4000-8000-000000000000",
    ],
)
def test_an_unknown_prospect_is_a_404(client: TestClient, path: str) -> None:
    response = client.get(path, headers=STAFF)
    assert response.status_code == 404
    assert "no such prospect" in response.json()["detail"]


def test_the_shortlist_is_the_prospects_ranking(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    shortlist = client.get(f"/v1/prospects/{prospect_id}/shortlist?k=5", headers=STAFF)
    direct = client.post("/v1/recommendations?k=5", json=API_EXAMPLE_PROFILE)
    assert shortlist.json() == direct.json()
    page = client.get(f"/v1/prospects/{prospect_id}/shortlist?format=html", headers=STAFF)
    assert page.headers["content-type"].startswith("text/html")
    bad = client.get(f"/v1/prospects/{prospect_id}/shortlist?format=pdf", headers=STAFF)
    assert bad.status_code == 422
    assert locs(bad) == [["query", "format"]]
