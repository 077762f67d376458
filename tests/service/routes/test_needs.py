"""What villages need, and their committees: stated by the committee, public needs on the
village's detail, expiry, scopes, hostile input. SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from service import clock
from tests.service.api import PARTNER, locs
from tests.service.conftest import ANALYST, COMMITTEE, STAFF

SCHOOL = {
    "kind": "school_pupils",
    "school": "École de Sarrant",
    "age_min": 6,
    "age_max": 10,
    "pupils": 3,
    "by": "2027-09-01",
    "note": "Pour garder la classe unique",
}
TRADE = {"kind": "trade", "professions": ["building_artisan"], "service": "bakery"}
PREMISES = {"kind": "premises", "use": "shop", "surface_m2": 60, "rent_eur": 300}


def test_needs_are_stated_public_and_withdrawn(backend_client: TestClient) -> None:
    ids = []
    for body in (SCHOOL, TRADE, PREMISES):
        response = backend_client.post(
            f"/v1/villages/{PARTNER}/needs", json=body, headers=COMMITTEE
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
        assert response.json()["expires_at"] == str(clock.today() + timedelta(days=365))
    public = backend_client.get(f"/v1/villages/{PARTNER}/needs").json()["needs"]
    assert [n["kind"] for n in public] == ["school_pupils", "trade", "premises"]
    assert public[0] | {"id": 0, "expires_at": ""} == SCHOOL | {"id": 0, "expires_at": ""}
    assert public[1]["professions"] == ["building_artisan"]
    assert "school" not in public[1]
    detail = backend_client.get(f"/v1/villages/{PARTNER}").json()
    assert detail["needs"] == public
    assert detail["needs_count"] == 3
    assert (
        backend_client.delete(
            f"/v1/villages/{PARTNER}/needs/{ids[0]}", headers=COMMITTEE
        ).status_code
        == 204
    )
    assert len(backend_client.get(f"/v1/villages/{PARTNER}/needs").json()["needs"]) == 2
    store = backend_client.app.state.sohosolo.store  # type: ignore[attr-defined]
    current = store.current_needs()
    assert [(n.insee, n.kind, n.service, n.professions) for n in current] == [
        (PARTNER, "trade", "bakery", ("building_artisan",)),
        (PARTNER, "premises", None, ()),
    ]
    audit = [e["action"] for e in backend_client.get("/v1/audit", headers=ANALYST).json()]
    assert audit[:4] == ["needs.withdraw", "needs.add", "needs.add", "needs.add"]


def test_an_expired_need_stops_counting(
    backend_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    expires = str(clock.today() + timedelta(days=10))
    backend_client.post(
        f"/v1/villages/{PARTNER}/needs", json=TRADE | {"expires_at": expires}, headers=STAFF
    )
    assert len(backend_client.get(f"/v1/villages/{PARTNER}/needs").json()["needs"]) == 1
    later = clock.today() + timedelta(days=11)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert backend_client.get(f"/v1/villages/{PARTNER}/needs").json()["needs"] == []
    assert backend_client.get(f"/v1/villages/{PARTNER}").json()["needs_count"] == 0


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({**SCHOOL, "age_min": 2}, ["body", "school_pupils", "age_min"]),
        ({**SCHOOL, "age_max": 18}, ["body", "school_pupils", "age_max"]),
        ({**SCHOOL, "age_min": 11, "age_max": 6}, ["body", "school_pupils"]),
        ({**SCHOOL, "pupils": 0}, ["body", "school_pupils", "pupils"]),
        ({**SCHOOL, "by": "soon"}, ["body", "school_pupils", "by"]),
        ({**TRADE, "professions": ["astronaut"]}, ["body", "trade", "professions", 0]),
        ({**TRADE, "service": "casino"}, ["body", "trade", "service"]),
        ({"kind": "trade"}, ["body", "trade"]),
        ({**PREMISES, "use": "castle"}, ["body", "premises", "use"]),
        ({**PREMISES, "rent_eur": -1}, ["body", "premises", "rent_eur"]),
        ({"kind": "wish"}, ["body"]),
        ({**TRADE, "note": "x" * 501}, ["body", "trade", "note"]),
    ],
)
def test_a_bad_need_names_the_field(
    shared_client: TestClient, body: dict[str, object], where: list[object]
) -> None:
    response = shared_client.post(f"/v1/villages/{PARTNER}/needs", json=body, headers=STAFF)
    assert response.status_code == 422
    assert any(loc[: len(where)] == where for loc in locs(response)), locs(response)


def test_the_committee_states_its_capacity_and_contact(backend_client: TestClient) -> None:
    url = f"/v1/villages/{PARTNER}/committee"
    assert backend_client.get(url, headers=COMMITTEE).json()["capacity_per_quarter"] is None
    body = {
        "capacity_per_quarter": 4,
        "contact_name": "Jean Martin",
        "contact_email": "maire@example.org",
    }
    changed = backend_client.put(url, json=body, headers=COMMITTEE)
    assert changed.status_code == 200
    assert changed.json() | {"updated_at": None} == body | {
        "insee": PARTNER,
        "name": changed.json()["name"],
        "updated_at": None,
        "updated_by": changed.json()["updated_by"],
    }
    assert changed.json()["updated_by"].startswith("committee:")
    for public in ("/v1/villages", f"/v1/villages/{PARTNER}", f"/v1/villages/{PARTNER}/needs"):
        text = backend_client.get(public).text
        assert "maire@example.org" not in text
        assert "Jean Martin" not in text
    assert backend_client.get(url).status_code == 401
    store = backend_client.app.state.sohosolo.store  # type: ignore[attr-defined]
    assert store.capacities() == {PARTNER: 4}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"capacity_per_quarter": 51}, ["body", "capacity_per_quarter"]),
        ({"capacity_per_quarter": -1}, ["body", "capacity_per_quarter"]),
        ({"capacity_per_quarter": 2.5}, ["body", "capacity_per_quarter"]),
        ({"capacity_per_quarter": 2, "contact_email": "maire"}, ["body", "contact_email"]),
    ],
)
def test_a_bad_committee_names_the_field(
    shared_client: TestClient, body: dict[str, object], where: list[object]
) -> None:
    response = shared_client.put(f"/v1/villages/{PARTNER}/committee", json=body, headers=STAFF)
    assert response.status_code == 422
    assert where in locs(response)
