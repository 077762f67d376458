"""Prospects' personal data: erased on request and after the retention period, never written
to the logs; and a weight profile change is whole or nothing. SQLite and PostgreSQL."""

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from service.app import create_app
from service.cli import main
from service.config import Settings, get_settings
from service.db.models import OutcomeRow, ProspectRow, WeightProfileRow
from service.store import Store, utcnow
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import ANALYST, STAFF
from tests.service.test_access import WEIGHTS

CONTACT = {"name": "Zoé Étchebarne", "email": "zoe.etchebarne@example.org", "phone": "+33 5 62 61"}


def add(client: TestClient, consent: bool) -> str:
    body = {"profile": API_EXAMPLE_PROFILE, "contact": CONTACT, "consent": consent}
    response = client.post("/v1/prospects", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def age(settings: Settings, prospect_id: str, days: int) -> None:
    store = Store(settings.sqlalchemy_url)
    with store.transaction() as session:
        session.execute(
            update(ProspectRow)
            .where(ProspectRow.id == prospect_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
    store.dispose()


def run_purge(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str, months: int | None = 12
) -> int:
    monkeypatch.setenv("SOHOSOLO_DATABASE_URL", settings.sqlalchemy_url)
    if months is None:
        monkeypatch.delenv("SOHOSOLO_RETENTION_MONTHS", raising=False)
    else:
        monkeypatch.setenv("SOHOSOLO_RETENTION_MONTHS", str(months))
    get_settings.cache_clear()
    try:
        return main(["purge", *args])
    finally:
        get_settings.cache_clear()


def test_purge_erases_prospects_without_consent_past_the_retention(
    backend_client: TestClient,
    backend_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_refusing, recent_refusing, old_consenting = (
        add(backend_client, False),
        add(backend_client, False),
        add(backend_client, True),
    )
    age(backend_settings, old_refusing, days=400)
    age(backend_settings, recent_refusing, days=300)
    age(backend_settings, old_consenting, days=400)
    outcome = {"prospect_id": old_refusing, "insee": "32001", "event": "visited"}
    assert backend_client.post("/v1/outcomes", json=outcome, headers=STAFF).status_code == 201

    assert run_purge(backend_settings, monkeypatch, "--dry-run") == 0
    assert "would erase 1 prospect(s)" in capsys.readouterr().out
    assert backend_client.get(f"/v1/prospects/{old_refusing}", headers=STAFF).status_code == 200

    assert run_purge(backend_settings, monkeypatch) == 0
    assert "erased 1 prospect(s) without consent" in capsys.readouterr().out
    assert backend_client.get(f"/v1/prospects/{old_refusing}", headers=STAFF).status_code == 404
    for kept in (recent_refusing, old_consenting):
        assert backend_client.get(f"/v1/prospects/{kept}", headers=STAFF).status_code == 200
    store = Store(backend_settings.sqlalchemy_url)
    with store.sessions() as session:
        assert session.scalars(select(OutcomeRow.prospect_id)).all() == [None]
    store.dispose()
    (entry, *_) = backend_client.get("/v1/audit", headers=ANALYST).json()
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "sohosolo purge",
        "prospect.purge",
        old_refusing,
    )


def test_purge_needs_a_retention_period(
    backend_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_purge(backend_settings, monkeypatch, months=None) == 2
    assert "set SOHOSOLO_RETENTION_MONTHS or give --months" in capsys.readouterr().err
    assert run_purge(backend_settings, monkeypatch, "--months", "0", months=None) == 2
    assert "--months: expected at least 1, found 0" in capsys.readouterr().err


def test_the_logs_never_hold_contact_fields(
    backend_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything logged, the database's statements too, as when someone is debugging.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with TestClient(create_app(backend_settings), raise_server_exceptions=False) as client:
        prospect_id = add(client, True)
        client.get(f"/v1/prospects/{prospect_id}", headers=STAFF)
        client.get(f"/v1/prospects/{prospect_id}/shortlist?format=html", headers=STAFF)
        bad = {"profile": API_EXAMPLE_PROFILE, "contact": {**CONTACT, "colour": 1}, "consent": 1}
        assert client.post("/v1/prospects", json=bad, headers=STAFF).status_code == 422
        client.post(
            "/v1/outcomes",
            json={"prospect_id": prospect_id, "insee": "32001", "event": "visited"},
            headers=STAFF,
        )
        assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 204
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "INSERT INTO prospects" in logged, "the database's statements were logged"
    for value in CONTACT.values():
        assert value not in logged


def test_a_failed_weights_update_leaves_the_active_profile(
    backend_client: TestClient, backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = backend_client.get("/v1/weights", headers=ANALYST).json()

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk filled up")

    # The audit line is written last in the transaction: failing it fails everything before.
    monkeypatch.setattr("service.store.audit_log.write", fail)
    failing = TestClient(backend_client.app, raise_server_exceptions=False)
    assert failing.put("/v1/weights", json=WEIGHTS, headers=ANALYST).status_code == 500
    monkeypatch.undo()

    assert backend_client.get("/v1/weights", headers=ANALYST).json() == before
    store = Store(backend_settings.sqlalchemy_url)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WeightProfileRow)) == 1
    store.dispose()
    ranking = backend_client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    assert ranking["model"] == {"name": before["name"], "version": before["version"]}


def test_public_endpoints_store_nothing_personal(client: TestClient) -> None:
    client.post("/v1/recommendations?k=3", json=API_EXAMPLE_PROFILE)
    client.post("/v1/recommendations/batch?k=3", json={"profiles": [API_EXAMPLE_PROFILE]})
    state = client.app.state.sohosolo  # type: ignore[attr-defined]
    state.exposure.flush()  # the rows are written once a second: now
    store = state.store
    from sqlalchemy import func, select

    from service.db.models import ExposureRow, ProspectRow

    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProspectRow)) == 0
        shown = session.scalars(select(ExposureRow)).all()
    assert sum(row.shown for row in shown) == 6
    assert {row.channel for row in shown} == {"public", "batch"}
    assert set(ExposureRow.__table__.columns.keys()) == {"at", "channel", "insee", "rank", "shown"}
