"""Connections: the engine as the service needs it (SQLite's pragmas, statements' values kept
out of logs), and the connection of its own that the revision counter is read on."""

import contextlib
import functools
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from service.db.models import MODEL_INPUTS, RevisionRow


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


#: Seconds a statement waits for another connection's lock before it gives up: the request
#: that waits holds a thread, and its client is better answered 503 with Retry-After than
#: held. Each commit here takes milliseconds, so a wait that long is a lock held from outside
#: (another process, a long transaction).
WRITE_TIMEOUT = 2.0


def make_engine(url: str, lock_timeout: float = WRITE_TIMEOUT) -> Engine:
    """An engine for ``url``: SQLite (a file, whose folder is created, or memory) or any
    server SQLAlchemy reaches, such as PostgreSQL. A statement waits at most
    ``lock_timeout`` seconds for a lock (SQLite's busy timeout, PostgreSQL's lock_timeout)."""
    parsed = make_url(url)
    if is_in_memory(parsed):
        # One in-memory database shared by every thread, rather than one per connection.
        engine = create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        arguments = {} if sqlite else {"options": f"-c lock_timeout={round(lock_timeout * 1000)}"}
        # Statements' values stay out of logs and error messages: they hold prospects'
        # contact fields.
        engine = create_engine(
            url, pool_pre_ping=not sqlite, hide_parameters=True, connect_args=arguments
        )
    if is_sqlite(engine):
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, lock_timeout))
    return engine


def _sqlite_pragmas(lock_timeout: float, connection: Any, _record: Any) -> None:
    # WAL lets readers and a writer work at once; synchronous=FULL keeps every acknowledged
    # commit through a crash; SQLite enforces foreign keys only when asked; secure_delete
    # zeroes a deleted row's bytes in its page (an erased prospect's contact fields), which
    # SQLite leaves there by default (unless a build is compiled otherwise).
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout * 1000)}")
    cursor.close()


class RevisionReader:
    """Reads the counter raised by every write that changes rankings.

    Every request reads it, so it is read on a connection of its own, outside the pool, with
    the statement compiled once: microseconds on SQLite, one round trip on PostgreSQL.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._query = select(RevisionRow.value).where(RevisionRow.name == MODEL_INPUTS)
        self._sql = (
            None  # an in-memory database has one shared connection: the pool's
            if is_in_memory(engine.url)
            else str(self._query.compile(engine, compile_kwargs={"literal_binds": True}))
        )
        self._lock = threading.Lock()
        self._connection: Any = None

    def read(self) -> int:
        if self._sql is None:
            with self._engine.connect() as connection:
                return int(connection.scalar(self._query) or 0)
        with self._lock:
            try:
                return self._read()
            except self._engine.dialect.loaded_dbapi.Error:
                # The server restarted or dropped the connection: one fresh try.
                self._close()
                return self._read()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _read(self) -> int:
        if self._connection is None:
            self._connection = self._autocommit_connection()
        cursor = self._connection.cursor()
        try:
            cursor.execute(self._sql)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return int(row[0]) if row else 0

    def _autocommit_connection(self) -> Any:
        return autocommit_connection(self._engine)

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None


def autocommit_connection(engine: Engine) -> Any:
    """A DBAPI connection of its own (detached from the pool) that sees every commit and
    opens a transaction only when told (``BEGIN``)."""
    fairy = engine.raw_connection()
    fairy.detach()
    connection: Any = fairy.dbapi_connection
    if is_sqlite(engine):
        connection.isolation_level = None
    else:
        connection.autocommit = True
    return connection


#: Seconds a probe of writability waits for a lock: long enough for a write of the service
#: (milliseconds) to end, short enough to tell a lock held from outside.
PROBE_WAIT = 0.25


class WriteProbe:
    """Whether a write could go through now, tried on a connection of its own and rolled
    back: SQLite takes its write lock and changes the revision row (which a read-only file
    refuses), PostgreSQL also takes each table's lock as a write does (which a table locked by
    another session refuses). ``probe`` raises the driver's error if it could not."""

    def __init__(self, engine: Engine, tables: list[str]) -> None:
        self._engine = engine
        self._tables = ", ".join(tables)
        self._lock = threading.Lock()
        self._connection: Any = None

    def probe(self) -> None:
        with self._lock:
            if self._connection is None:
                self._connection = self._open()
            try:
                self._try(self._connection.cursor())
            except Exception:
                self._close()  # a connection the fault may have broken: a fresh one next time
                raise

    def _open(self) -> Any:
        connection = autocommit_connection(self._engine)
        wait = round(PROBE_WAIT * 1000)
        setting = (
            f"PRAGMA busy_timeout = {wait}"
            if is_sqlite(self._engine)
            else (f"SET lock_timeout = {wait}")
        )
        connection.cursor().execute(setting)
        return connection

    def _try(self, cursor: Any) -> None:
        sqlite = is_sqlite(self._engine)
        cursor.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
        try:
            if not sqlite:
                cursor.execute(f"LOCK TABLE {self._tables} IN ROW EXCLUSIVE MODE")
            cursor.execute(f"UPDATE revisions SET value = value WHERE name = '{MODEL_INPUTS}'")
        finally:
            with contextlib.suppress(Exception):  # the error that ended the try is the answer
                cursor.execute("ROLLBACK")
            cursor.close()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
