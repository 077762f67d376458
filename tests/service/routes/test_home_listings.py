"""Homes one listing at a time: added, changed with If-Match (a stale version never
overwrites), confirmed, withdrawn; expired listings stop counting. SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from service import clock
from tests.service.api import PARTNER, PARTNERS, locs
from tests.service.conftest import ANALYST, COMMITTEE, STAFF
from tests.service.people import person

HOME = {"tenure": "buy", "price_eur": 140000, "bedrooms": 3, "note": "Maison de bourg, jardin"}
PROFILE = {
    "profession": "translator",
    "connectivity": "basic",
    "housing": {"tenure": "buy", "budget_eur": 150000, "min_bedrooms": 2},
}


def matching(client: TestClient) -> int:
    ranking = client.post(f"/v1/recommendations?k={PARTNERS}", json=PROFILE).json()
    return int(
        next(r for r in ranking["results"] if r["insee"] == PARTNER)["facts"]["homes_matching"]
    )


def add(client: TestClient, headers: dict[str, str] = COMMITTEE, **changes: object) -> dict:
    response = client.post(f"/v1/villages/{PARTNER}/homes", json=HOME | changes, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    return dict(response.json())


def test_a_listing_is_added_with_its_id_version_and_dates(backend_client: TestClient) -> None:
    before = matching(backend_client)
    home = add(backend_client)
    today = clock.today()
    assert home["version"] == 1
    assert home["available_from"] == str(today)
    assert home["expires_at"] == str(today + timedelta(days=90))
    assert home["note"] == home["description"] == HOME["note"]
    assert home["expired"] is False
    assert matching(backend_client) == before + 1
    listed = backend_client.get(f"/v1/villages/{PARTNER}/homes", headers=COMMITTEE).json()
    assert [h["id"] for h in listed["homes"]] == [home["id"]]


def test_a_stale_if_match_never_overwrites(backend_client: TestClient) -> None:
    home = add(backend_client)
    url = f"/v1/villages/{PARTNER}/homes/{home['id']}"
    first = backend_client.patch(
        url, json={"price_eur": 135000}, headers=COMMITTEE | {"If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert first.headers["etag"] == '"2"'
    second = backend_client.patch(
        url, json={"price_eur": 120000}, headers=STAFF | {"If-Match": '"1"'}
    )
    assert second.status_code == 412
    assert second.json()["current"]["price_eur"] == 135000
    assert second.json()["current"]["version"] == 2
    assert "someone changed it since" in second.json()["detail"]
    kept = backend_client.get(url, headers=STAFF).json()
    assert (kept["price_eur"], kept["version"]) == (135000, 2)
    missing = backend_client.patch(url, json={"price_eur": 1}, headers=STAFF)
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    weak = backend_client.patch(url, json={"bedrooms": 4}, headers=STAFF | {"If-Match": 'W/"2"'})
    assert weak.status_code == 200
    for hostile in ('"' + "9" * 25 + '"', '"0x1f"'):  # past 64 bits; not decimal digits
        refused = backend_client.patch(
            url, json={"bedrooms": 4}, headers=STAFF | {"If-Match": hostile}
        )
        assert refused.status_code == 428, hostile


def test_an_expired_listing_stops_counting_from_the_next_request(
    backend_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = matching(backend_client)
    home = add(backend_client)
    assert matching(backend_client) == before + 1
    later = clock.today() + timedelta(days=91)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert matching(backend_client) == before
    listed = backend_client.get(f"/v1/villages/{PARTNER}/homes", headers=COMMITTEE).json()["homes"]
    assert listed[0]["expired"] is True
    assert backend_client.get(f"/v1/villages/{PARTNER}").json()["homes_available"] == 0
    confirmed = backend_client.post(
        f"/v1/villages/{PARTNER}/homes/{home['id']}/confirm", headers=COMMITTEE
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["expires_at"] == str(later + timedelta(days=90))
    assert confirmed.json()["version"] == 2
    assert matching(backend_client) == before + 1


def test_a_withdrawn_listing_is_gone_and_kept_in_the_audit(backend_client: TestClient) -> None:
    home = add(backend_client)
    url = f"/v1/villages/{PARTNER}/homes/{home['id']}"
    assert backend_client.delete(url, headers=COMMITTEE).status_code == 204
    assert backend_client.delete(url, headers=COMMITTEE).status_code == 404
    assert backend_client.get(url, headers=COMMITTEE).status_code == 404
    audit = backend_client.get("/v1/audit", headers=ANALYST).json()
    lines = [
        (e["actor"].split(":")[0], e["action"], e["detail"])
        for e in audit
        if e["action"].startswith("homes.")
    ]
    assert lines == [
        ("committee", "homes.withdraw", f"#{home['id']}: buy 140000 EUR, 3 bedroom(s)"),
        ("committee", "homes.add", f"#{home['id']}: buy 140000 EUR, 3 bedroom(s)"),
    ]


def test_the_audit_names_the_person_who_changed_a_listing(backend_client: TestClient) -> None:
    headers = person(backend_client)
    home = add(backend_client, headers)
    url = f"/v1/villages/{PARTNER}/homes/{home['id']}"
    backend_client.patch(url, json={"note": None}, headers=headers | {"If-Match": '"1"'})
    account = backend_client.get("/v1/session", headers=headers).json()["account_id"]
    audit = backend_client.get("/v1/audit", headers=ANALYST).json()
    change = next(e for e in audit if e["action"] == "homes.change")
    assert change["actor"] == f"committee:account-{account}"
    assert change["detail"] == f"#{home['id']}: note"
    assert backend_client.get(url, headers=headers).json()["note"] is None


def test_put_still_replaces_the_list_and_takes_the_former_description(
    backend_client: TestClient,
) -> None:
    add(backend_client)
    body = {"homes": [{"tenure": "rent", "price_eur": 600, "bedrooms": 2, "description": "T3"}]}
    replaced = backend_client.put(f"/v1/villages/{PARTNER}/homes", json=body, headers=COMMITTEE)
    assert replaced.status_code == 200
    (home,) = replaced.json()["homes"]
    assert (home["note"], home["description"], home["version"]) == ("T3", "T3", 1)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({**HOME, "tenure": "lease"}, ["body", "tenure"]),
        ({**HOME, "price_eur": 0}, ["body", "price_eur"]),
        ({**HOME, "price_eur": "140000"}, ["body", "price_eur"]),
        ({**HOME, "note": "x" * 501}, ["body", "note"]),
        ({**HOME, "expires_at": "2000-01-01"}, ["body", "expires_at"]),
        ({**HOME, "expires_at": str(date.today() + timedelta(days=400))}, ["body", "expires_at"]),
        ({**HOME, "available_from": "31/01/2027"}, ["body", "available_from"]),
        ({**HOME, "available_from": 1767225600}, ["body", "available_from"]),
        ({**HOME, "colour": "blue"}, ["body", "colour"]),
    ],
)
def test_a_bad_listing_names_the_field(
    shared_client: TestClient, body: dict[str, object], where: list[object]
) -> None:
    response = shared_client.post(f"/v1/villages/{PARTNER}/homes", json=body, headers=STAFF)
    assert response.status_code == 422
    assert where in locs(response)


def test_a_listing_of_another_village_is_not_found(backend_client: TestClient) -> None:
    home = add(backend_client)
    response = backend_client.get(f"/v1/villages/32012/homes/{home['id']}", headers=STAFF)
    assert response.status_code == 404
