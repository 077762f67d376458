"""Prospects' personal data: erased on request and after the retention period, from the
tables and from the database's files, never written to the logs; and a weight profile change
is whole or nothing. SQLite and PostgreSQL."""

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from service.app import create_app
from service.cli import main
from service.config import Settings, get_settings
from service.db.models import OutcomeRow, ProspectRow, WeightProfileRow
from service.store import Contact, Store, utcnow
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


# -- erasure that erases: no contact bytes left in the database's files -----------------------

ERASED = "zoe.erased-1a2b3c@example.org"


@pytest.fixture
def sqlite_without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite connections that start with ``secure_delete`` off, as SQLite's own default is
    (this machine's build turns it on, which would hide a missing pragma)."""
    connect = sqlite3.dbapi2.connect

    def connect_without_secure_delete(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)  # type: ignore[arg-type]
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect_without_secure_delete)


def where_bytes_are(store: Store, needle: str) -> list[str]:
    """Where the database's files hold ``needle``: SQLite's files (main, -wal, -shm) by name;
    the pages of PostgreSQL's prospects table, as pageinspect reads them from disk."""
    data = needle.encode()
    if store.is_sqlite:
        folder = Path(str(store.engine.url.database)).parent
        return sorted(f.name for f in folder.iterdir() if f.is_file() and data in f.read_bytes())
    with store.engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        pages = connection.scalar(
            text("SELECT pg_relation_size('prospects') / current_setting('block_size')::int")
        )
        return [
            f"prospects page {n}"
            for n in range(int(pages or 0))
            if data in bytes(connection.scalar(text(f"SELECT get_raw_page('prospects', {n})")))
        ]


def scrubbed(store: Store, seconds: float = 15.0) -> None:
    """Wait for the store's retries of a scrub, if any, to finish."""
    deadline = time.monotonic() + seconds
    while store.scrubber.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not store.scrubber.pending, f"the scrub did not finish in {seconds} s"


def erase_by_delete(client: TestClient, settings: Settings, prospect_id: str) -> None:
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 204


def erase_by_purge(client: TestClient, settings: Settings, prospect_id: str) -> None:
    age(settings, prospect_id, days=400)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert run_purge(settings, monkeypatch) == 0


@pytest.mark.usefixtures("sqlite_without_secure_delete")
@pytest.mark.parametrize("erase", [erase_by_delete, erase_by_purge])
def test_an_erasure_leaves_no_contact_bytes_in_the_database_files(
    backend_settings: Settings, erase: Callable[[TestClient, Settings, str], None]
) -> None:
    with TestClient(create_app(backend_settings)) as client:
        for _ in range(3):
            add(client, consent=True)  # neighbours in the same pages
        body = {"profile": API_EXAMPLE_PROFILE, "contact": {**CONTACT, "email": ERASED}}
        response = client.post("/v1/prospects", json={**body, "consent": False}, headers=STAFF)
        # The last row of its page: where a plain VACUUM would leave its bytes.
        erased = response.json()["id"]
        store = Store(backend_settings.sqlalchemy_url)
        assert where_bytes_are(store, ERASED), "the test finds the bytes where they are"
        erase(client, backend_settings, erased)
        # While the server runs (SQLite's -wal and -shm files open), and after; at once, or
        # once an older snapshot is done (PostgreSQL's autovacuum may hold one a moment).
        scrubbed(client.app.state.sohosolo.store)  # type: ignore[attr-defined]
        assert where_bytes_are(store, ERASED) == []
        assert client.get(f"/v1/prospects/{erased}", headers=STAFF).status_code == 404
    assert where_bytes_are(store, ERASED) == []
    store.dispose()


def test_an_erasure_behind_an_older_snapshot_finishes_when_it_ends(
    tmp_path: Path, sqlite_without_secure_delete: None
) -> None:
    """A reader of the snapshot before the erasure keeps SQLite from truncating its log: the
    store tries again until the reader is done."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.upgrade()
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact("Zoé", ERASED), consent=False)
    reader = sqlite3.connect(tmp_path / "db.sqlite3")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM prospects").fetchone() == (1,)
    assert store.delete_prospect(prospect.id)
    assert store.scrubber.pending
    assert "db.sqlite3-wal" in where_bytes_are(store, ERASED)
    reader.rollback()
    scrubbed(store)
    assert where_bytes_are(store, ERASED) == []
    reader.close()
    store.dispose()


def test_reading_the_revision_does_not_hold_the_log(tmp_path: Path) -> None:
    """The revision is read on a connection that stays open: it must not keep a snapshot (a
    checkpoint could then never truncate the log)."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.upgrade()
    store.add_prospect(API_EXAMPLE_PROFILE, Contact("Zoé", ERASED), consent=False)
    assert store.model_inputs_revision() == 0
    assert store.scrubber.attempt()
    assert (tmp_path / "db.sqlite3-wal").stat().st_size == 0
    store.dispose()


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize("where", ["this database", "another database"])
def test_postgresql_rewrites_the_table_once_no_older_transaction_runs(
    database_url: str, where: str
) -> None:
    """A transaction older than the erasure keeps the dead row through a VACUUM FULL: one of
    another database through the vacuum's own snapshot, a reader of this one through its
    snapshot. The store rewrites the table once they are done."""
    store = Store(database_url)
    store.upgrade()
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact("Zoé", ERASED), consent=False)
    url = make_url(database_url)
    older = create_engine(url if where == "this database" else url.set(database="postgres"))
    with older.connect() as connection:
        if where == "this database":  # a reader of another table, which VACUUM does not wait for
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            connection.execute(text("SELECT count(*) FROM audit_log"))
        else:  # a writer
            connection.execute(text("SELECT pg_current_xact_id()"))
        assert store.delete_prospect(prospect.id)
        assert store.scrubber.pending
        connection.rollback()
        scrubbed(store)
    assert where_bytes_are(store, ERASED) == []
    older.dispose()
    store.dispose()
