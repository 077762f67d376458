"""Faults of the database, answered clearly and without stalling the rest: a database locked
by another connection, SQLite and PostgreSQL. Writes answer 503 with a JSON problem and
``Retry-After`` within the write timeout; health says the database cannot be written; reads,
rankings and the key check stay fast."""

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.app import create_app
from service.cli import main
from service.config import get_settings
from service.db.faults import Fault, describe
from service.exceptions import Unavailable
from service.store import Home, Store
from service.writes import SLOT_MARGIN
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.api import PARTNER, add_prospect
from tests.service.conftest import ANALYST, STAFF, STAFF_KEY, make_settings

#: A short write timeout keeps these tests quick; the service's default is 2 s.
TIMEOUT = 0.5


@contextmanager
def held_write_lock(database_url: str, tables: str = "outcomes, homes") -> Iterator[None]:
    """Another connection holds what the writes need: SQLite's write lock (``BEGIN
    IMMEDIATE``), or PostgreSQL's lock of ``tables`` (``ACCESS EXCLUSIVE``)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(str(url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    answer = call(*args, **kwargs)
    return answer, time.perf_counter() - start


def test_a_write_to_a_locked_database_is_unavailable_after_the_timeout(database_url: str) -> None:
    store = Store(database_url, write_timeout=TIMEOUT)
    store.upgrade()
    with held_write_lock(database_url):
        start = time.perf_counter()
        with pytest.raises(Unavailable, match=r"cannot be written now: .*lock") as refused:
            store.replace_homes(PARTNER, [Home("rent", 500.0, 1)], by="test")
        assert time.perf_counter() - start < TIMEOUT + 1.0
        assert refused.value.retry_after >= 1
        fault, took = timed(store.probe_writes)
        assert fault is not None
        assert "lock" in fault.reason
        assert took < 1.0, "a probe waits a quarter of a second, not the write timeout"
    store.replace_homes(PARTNER, [Home("rent", 500.0, 1)], by="test")
    assert store.probe_writes() is None
    assert store.last_write is not None
    assert store.last_write.fault is None
    store.dispose()


@pytest.fixture
def locked_client(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, str, str]]:
    """A client on each backend, a prospect, and the database about to be locked."""
    settings = make_settings(tmp_path, database_url, write_timeout_seconds=TIMEOUT)
    with TestClient(create_app(settings)) as client:
        yield client, add_prospect(client), database_url


def health_until(client: TestClient, writable: bool, seconds: float = 5.0) -> dict[str, Any]:
    """Health's answer once it says the database is ``writable`` or not (it probes in the
    background, once a second); each answer must come at once, and say ok."""
    deadline = time.monotonic() + seconds
    while True:
        answer, took = timed(client.get, "/v1/health")
        assert answer.status_code == 200
        assert took < 0.5, f"health took {took:.3f} s"
        body: dict[str, Any] = answer.json()
        assert body["status"] == "ok"
        if body["database"]["writable"] is writable or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_writes_answer_503_while_reads_and_health_answer_at_once(
    locked_client: tuple[TestClient, str, str],
) -> None:
    client, prospect_id, database_url = locked_client
    outcome = {"prospect_id": prospect_id, "insee": PARTNER, "event": "visited"}
    with held_write_lock(database_url):
        refused, took = timed(client.post, "/v1/outcomes", json=outcome, headers=STAFF)
        assert refused.status_code == 503
        assert took < TIMEOUT + 1.0
        assert int(refused.headers["Retry-After"]) >= 1
        detail = refused.json()["detail"]
        assert detail.startswith("the database cannot be written now: ")
        assert "lock" in detail
        health = health_until(client, writable=False)
        assert health["database"]["writable"] is False
        assert health["database"]["detail"].startswith("the database cannot be written now: ")
        for method, path, body, headers in [
            ("GET", f"/v1/prospects/{prospect_id}", None, STAFF),
            ("GET", "/v1/weights", None, STAFF),
            ("POST", "/v1/recommendations?k=3", API_EXAMPLE_PROFILE, {}),
            ("GET", f"/v1/villages/{PARTNER}", None, {}),
        ]:
            answer, took = timed(client.request, method, path, json=body, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
            assert took < 0.5, f"{method} {path} took {took:.3f} s"
    assert health_until(client, writable=True)["database"] == {"writable": True}
    created = client.post("/v1/outcomes", json=outcome, headers=STAFF)
    assert created.status_code == 201


def test_writes_waiting_for_a_locked_database_do_not_hold_the_reads(
    locked_client: tuple[TestClient, str, str],
) -> None:
    """Sixty writes at once: a few wait for the database, the others answer 503 at once;
    none takes a thread the reads need."""
    client, prospect_id, database_url = locked_client
    outcome = {"prospect_id": prospect_id, "insee": PARTNER, "event": "visited"}
    with held_write_lock(database_url), ThreadPoolExecutor(max_workers=64) as pool:
        writes = [
            pool.submit(timed, client.post, "/v1/outcomes", json=outcome, headers=STAFF)
            for _ in range(60)
        ]
        time.sleep(0.1)
        reads = [timed(client.get, f"/v1/prospects/{prospect_id}", headers=STAFF) for _ in range(5)]
        answers = [write.result() for write in writes]
    assert {answer.status_code for answer, _ in answers} == {503}
    # Those that waited for a slot name the fault the writes ahead of them met.
    assert all("lock" in answer.json()["detail"] for answer, _ in answers)
    assert max(took for _, took in answers) < TIMEOUT + SLOT_MARGIN + 1.0
    assert all(answer.status_code == 200 for answer, _ in reads)
    assert max(took for _, took in reads) < 0.5


def test_a_revoked_key_is_refused_without_asking_the_database_each_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key check reads the revoked keys with the snapshot (read again once a revocation
    raises the revision): it never waits on a database that writers hold."""
    store = client.app.state.sohosolo.store  # type: ignore[attr-defined]
    store.revoke_key(hashlib.sha256(STAFF_KEY.encode()).hexdigest(), by="test")
    assert client.get("/v1/weights", headers=STAFF).status_code == 401

    def asked(*args: object) -> None:
        raise AssertionError("the key check asked the database")

    monkeypatch.setattr(store, "revoked_digests", asked)
    assert client.get("/v1/weights", headers=STAFF).status_code == 401
    assert client.get("/v1/weights", headers=ANALYST).status_code == 200


def test_the_command_line_names_a_locked_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(database_url)
    store.upgrade()
    store.dispose()
    monkeypatch.setenv("SOHOSOLO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        with held_write_lock(database_url, tables="revoked_keys"):
            assert main(["revoke", f"sha256:{'a' * 64}"]) == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert error.startswith("sohosolo : erreur : the database cannot be written now: ")
    assert "lock" in error


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("SQLITE_BUSY", "another connection holds its write lock"),
        ("SQLITE_READONLY", "read-only"),
        ("SQLITE_READONLY_DBMOVED", "read-only"),
        ("SQLITE_FULL", "disk holding the database is full"),
        ("SQLITE_CONSTRAINT_UNIQUE", None),
    ],
)
def test_sqlite_errors_are_faults_in_words(code: str, words: str | None) -> None:
    error = sqlite3.OperationalError("...")
    error.sqlite_errorname = code  # type: ignore[attr-defined]
    check(describe(error, TIMEOUT), words)


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("55P03", "locked by another session (waited 0.5 s for it)"),
        ("25006", "accepts reads only"),
        ("53100", "out of a resource"),
        ("08006", "cannot be reached"),
        ("23505", None),  # a unique constraint: the request's, not a fault
    ],
)
def test_postgresql_errors_are_faults_in_words(state: str, words: str | None) -> None:
    class DriverError(Exception):
        sqlstate = state

    check(describe(DriverError(), TIMEOUT), words)


def check(fault: Fault | None, words: str | None) -> None:
    if words is None:
        assert fault is None
    else:
        assert fault is not None
        assert words in fault.reason


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_read_of_a_table_locked_on_postgresql_answers_503(
    locked_client: tuple[TestClient, str, str],
) -> None:
    """PostgreSQL's ACCESS EXCLUSIVE lock holds reads too: they give up after the timeout."""
    client, prospect_id, database_url = locked_client
    engine = create_engine(database_url)
    with engine.connect() as connection:
        connection.execute(text("LOCK TABLE prospects IN ACCESS EXCLUSIVE MODE"))
        answer, took = timed(client.get, f"/v1/prospects/{prospect_id}", headers=STAFF)
        connection.rollback()
    engine.dispose()
    assert answer.status_code == 503
    assert took < TIMEOUT + 1.0
    assert answer.json()["detail"].startswith("the database cannot be read now: a table")
    assert int(answer.headers["Retry-After"]) >= 1
    assert client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 200


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_rankings_and_health_answer_from_memory_while_the_database_cannot_be_read(
    locked_client: tuple[TestClient, str, str],
) -> None:
    """Another worker changed the homes, then a session locked their table (a migration of a
    newer release, say): a ranking and health answer from the last snapshot; the key check,
    which must see a revocation, answers 503 rather than guess."""
    client, prospect_id, database_url = locked_client
    other_worker = Store(database_url)
    other_worker.replace_homes(PARTNER, [Home("rent", 500.0, 1)], by="test")
    other_worker.dispose()
    with held_write_lock(database_url, tables="homes"):
        ranking, took = timed(client.post, "/v1/recommendations?k=3", json=API_EXAMPLE_PROFILE)
        staff = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF)
        deadline = time.monotonic() + 5.0
        while (health := client.get("/v1/health")).json()["database"]["writable"]:
            assert time.monotonic() < deadline, "health never said the database is locked"
            time.sleep(0.1)
    assert ranking.status_code == 200
    assert len(ranking.json()["results"]) == 3
    assert took < TIMEOUT + 1.0
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert "locked by another session" in health.json()["database"]["detail"]
    assert staff.status_code == 503
    assert staff.json()["detail"].startswith("the database cannot be read now: a table")
    assert client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 200


def test_every_keyed_operation_documents_its_503(shared_client: TestClient) -> None:
    """The key check reads the database (the revoked keys), so any keyed request can meet a
    fault; public rankings answer from memory then, and list none."""
    paths = shared_client.get("/openapi.json").json()["paths"]
    keyed = {
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get("security")
    }
    assert {("post", "/v1/outcomes"), ("put", "/v1/weights")} <= keyed
    for method, path in keyed:
        answer = paths[path][method]["responses"].get("503")
        assert answer is not None, f"{method} {path} does not document its 503"
        assert answer["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    assert "503" not in paths["/v1/recommendations"]["post"]["responses"]
