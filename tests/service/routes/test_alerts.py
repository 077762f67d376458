"""Alerts (GET /v1/alerts): a new or changed home or need that brings a village to a prospect
who consented to be contacted (into their top k, or through every must-have they set), once per
prospect and change, never at the cost of the committee's write. SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.alerts import Alerts
from service.store import Store
from tests.service.api import PARTNER, locs
from tests.service.conftest import COMMITTEE, STAFF

#: A renter whose budget no village's estimated rent meets: only a listing can open one.
RENTER = {
    "profile": {
        "profession": "translator",
        "connectivity": "basic",
        "household": {"adults": 1, "children_ages": [7]},
        "housing": {"tenure": "rent", "budget_eur": 400, "min_bedrooms": 2},
        "must": ["housing"],
    },
    "contact": {"name": "Zoé Arnaud", "email": "zoe@example.org", "phone": "+33 6 11 22 33 44"},
    "consent": True,
}
HOME = {"tenure": "rent", "price_eur": 380, "bedrooms": 2, "surface_m2": 70}
SCHOOL = {
    "kind": "school_pupils",
    "school": "École d'Aignan",
    "age_min": 6,
    "age_max": 10,
    "pupils": 3,
    "by": "2027-09-01",
}


def add_prospect(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/v1/prospects", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def store_of(client: TestClient) -> Store:
    return client.app.state.sohosolo.store  # type: ignore[attr-defined,no-any-return]


def alerts(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/v1/alerts{query}", headers=STAFF)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_home_that_meets_a_must_alerts_staff_once(backend_client: TestClient) -> None:
    renter = add_prospect(backend_client, RENTER)
    add_prospect(backend_client, RENTER | {"consent": False, "contact": {"name": "Sans"}})
    assert alerts(backend_client)["alerts"] == []
    added = backend_client.post(f"/v1/villages/{PARTNER}/homes", json=HOME, headers=COMMITTEE)
    assert added.status_code == 201, added.text
    body = alerts(backend_client, "?lang=en")
    assert body["pending_changes"] == 0
    (alert,) = body["alerts"]  # the prospect without consent gets none
    assert alert["prospect"] == {"id": renter, "name": "Zoé Arnaud", "email": "zoe@example.org"}
    assert alert["village"] == {"insee": PARTNER, "name": "Aignan"}
    assert alert["change"]["kind"] == "home_added"
    assert alert["change"]["id"] == added.json()["id"]
    assert (
        alert["change"]["text"]
        == "New home in Aignan: to let at €380 a month, 2 bedroom(s), 70\u00a0m²"
    )
    assert alert["change"]["by"].startswith("committee:")
    fit = alert["fit"]
    assert fit["must_passes"] is True
    assert fit["entered_top_k"] is True
    assert fit["rank"] == 1
    assert fit["k"] == 10
    assert abs(sum(fit["contributions"].values()) - fit["score"]) < 1e-6
    assert any("budget" in reason for reason in fit["reasons"])
    french = alerts(backend_client)["alerts"][0]
    assert french["change"]["text"].startswith("Nouveau logement à Aignan : à louer 380")
    # Asked again, and after more writes that bring no one: still one alert.
    backend_client.put(
        f"/v1/villages/{PARTNER}/committee", json={"capacity_per_quarter": 3}, headers=STAFF
    )
    assert [a["id"] for a in alerts(backend_client)["alerts"]] == [alert["id"]]
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert alerts(backend_client, f"?since={later.replace('+', '%2B')}")["alerts"] == []
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+", "%2B")
    assert len(alerts(backend_client, f"?since={earlier}")["alerts"]) == 1


def test_a_need_that_lifts_a_village_into_the_top_k_alerts_staff(
    backend_client: TestClient,
) -> None:
    renter = add_prospect(backend_client, RENTER | {"profile": RENTER["profile"] | {"must": []}})
    stated = backend_client.post(f"/v1/villages/{PARTNER}/needs", json=SCHOOL, headers=COMMITTEE)
    assert stated.status_code == 201, stated.text
    (alert,) = alerts(backend_client)["alerts"]
    assert alert["prospect"]["id"] == renter
    assert alert["change"]["kind"] == "need_added"
    assert alert["change"]["text"].startswith("Nouveau besoin à Aignan : 3 élève(s) de 6 à 10")
    assert alert["fit"]["entered_top_k"] is True
    assert alert["fit"]["must_passes"] is False
    assert alert["fit"]["contributions"]["village_needs"] > 0
    assert "École d'Aignan cherche 3 élèves" in alert["fit"]["reasons"][0]


def test_changes_that_bring_no_one_make_no_alert(backend_client: TestClient) -> None:
    add_prospect(backend_client, RENTER)
    home = {"tenure": "buy", "price_eur": 900_000, "bedrooms": 1}
    added = backend_client.post(f"/v1/villages/{PARTNER}/homes", json=home, headers=COMMITTEE)
    note = {"note": "Vue sur les Pyrénées"}
    changed = backend_client.patch(
        f"/v1/villages/{PARTNER}/homes/{added.json()['id']}",
        json=note,
        headers=COMMITTEE | {"If-Match": added.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert alerts(backend_client) == {"pending_changes": 0, "alerts": []}


def test_a_failed_computation_fails_no_write_and_is_done_later(
    backend_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_prospect(backend_client, RENTER)

    def broken(*args: object) -> None:
        raise RuntimeError("the model is away")

    with monkeypatch.context() as patched:
        patched.setattr(Alerts, "compute", broken)
        added = backend_client.post(f"/v1/villages/{PARTNER}/homes", json=HOME, headers=COMMITTEE)
        assert added.status_code == 201, added.text  # the committee's write stands
        assert alerts(backend_client) == {"pending_changes": 1, "alerts": []}
        (change,) = store_of(backend_client).pending_changes()
        assert change.attempts >= 1
    body = alerts(backend_client)  # computed now, once
    assert body["pending_changes"] == 0
    assert len(body["alerts"]) == 1
    assert len(alerts(backend_client)["alerts"]) == 1


def test_a_change_stores_its_alerts_once_whoever_computes_it(backend_client: TestClient) -> None:
    """Two workers that computed the same pending change: the first stores, the second
    finds it processed and stores nothing (and the key forbids a second row anyway)."""
    add_prospect(backend_client, RENTER)
    state = backend_client.app.state.sohosolo  # type: ignore[attr-defined]
    store = store_of(backend_client)
    store.change_listeners.clear()  # as if the writing process had died before computing
    backend_client.post(f"/v1/villages/{PARTNER}/homes", json=HOME, headers=COMMITTEE)
    (change,) = store.pending_changes()
    from service import clock
    from service.alerts import consented_profiles

    prospects = consented_profiles(store.consented_prospects())
    computed = state.alerts.compute(change, state.read_inputs(), prospects, clock.today())
    assert len(computed) == 1
    assert store.store_alerts(change.id, computed) is True
    assert store.store_alerts(change.id, computed) is False
    assert len(alerts(backend_client)["alerts"]) == 1


def test_erasing_a_prospect_erases_their_alerts(backend_client: TestClient) -> None:
    renter = add_prospect(backend_client, RENTER)
    backend_client.post(f"/v1/villages/{PARTNER}/homes", json=HOME, headers=COMMITTEE)
    assert len(alerts(backend_client)["alerts"]) == 1
    assert backend_client.delete(f"/v1/prospects/{renter}", headers=STAFF).status_code == 204
    assert alerts(backend_client)["alerts"] == []


def test_alerts_are_for_staff_and_bad_queries_are_named(backend_client: TestClient) -> None:
    assert backend_client.get("/v1/alerts").status_code == 401
    assert backend_client.get("/v1/alerts", headers=COMMITTEE).status_code == 403
    for query, loc in (("?since=yesterday", "since"), ("?limit=0", "limit"), ("?lang=de", "lang")):
        response = backend_client.get(f"/v1/alerts{query}", headers=STAFF)
        assert response.status_code == 422
        assert locs(response) == [["query", loc]]
