"""After an erasure, the erased rows' bytes taken out of the database's files.

A deleted row is gone from every query at once, but not from the files. SQLite zeroes it in
its pages (``secure_delete``, one of the engine's pragmas), yet the frames of the write-ahead
log still hold the row as it was inserted until a checkpoint copies the zeroed pages into the
database and truncates the log. PostgreSQL keeps the dead row in the table's pages until a
vacuum, and a plain ``VACUUM`` only marks its space free (the bytes stay in the page when the
row sat at the start of its free space), so the table is rewritten: ``VACUUM FULL``, a
fraction of a second for the prospects of a programme.

Either can be kept from finishing: a reader of an older snapshot (another connection's open
transaction) holds the log's frames or the dead row, and a long transaction holds the lock
``VACUUM FULL`` needs. On PostgreSQL the rewrite keeps a dead row that a snapshot older than
the erasure could still see, and that includes the vacuum's own snapshot, whose horizon is
held back by any transaction of the server still running from before the erasure (in any
database): so it runs only once none is (``pg_current_snapshot``), nor any session of this
database reading an older snapshot (``pg_stat_activity``; sessions of other roles show it only
to a role with ``pg_read_all_stats``). The first try waits a quarter of a second, so that an
erasure's answer is not held up; then a thread of the store's tries again, ever less often,
until it succeeds or the store is closed.
"""

import logging
import threading
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

#: How long one try waits for readers (SQLite) or for the table's lock (PostgreSQL).
WAIT_MS = 250
#: Seconds before the first retry, and at most between two.
FIRST_RETRY, LONGEST_RETRY = 0.5, 60.0
#: The table whose dead rows hold contact fields.
TABLE = "prospects"
#: Whether a transaction (of any database) older than the erasure still runs, or a session of
#: this database reads a snapshot older than it: the dead row must then be kept.
PINNED = text(
    "SELECT pg_snapshot_xmin(pg_current_snapshot()) <= CAST(:erasure AS text)::xid8 "
    "OR EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
    "AND age(backend_xmin) >= age(CAST(:erasure32 AS text)::xid))"
)


class Scrubber:
    """Takes the erased rows' bytes out of one database's files, now or in a while."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._erasure = 0  # PostgreSQL: the newest erasure's transaction id
        self._clean = True  # whether the last try finished

    @property
    def pending(self) -> bool:
        """Whether a scrub waits for a retry (the files may still hold erased bytes)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def scrub(self, erasure: int | None = None) -> bool:
        """One try now; True if the files hold no erased bytes, else retried in a thread.
        ``erasure``: the id of the transaction that erased (PostgreSQL)."""
        self._erasure = max(self._erasure, erasure or 0)
        if self.attempt():
            return True
        with self._lock:
            if not self.pending and not self._stop.is_set():
                logger.warning(
                    "erasure: the database files still hold erased rows (%s); retrying",
                    "a reader holds an older snapshot, or a lock is held",
                )
                self._thread = threading.Thread(target=self._retry, name="scrub", daemon=True)
                self._thread.start()
        return False

    def attempt(self) -> bool:
        """One try; True if the files hold no erased bytes."""
        self._clean = self._try()
        return self._clean

    def _try(self) -> bool:
        try:
            if self.engine.dialect.name == "sqlite":
                return _checkpoint(self.engine)
            if self.engine.dialect.name == "postgresql":
                return _vacuum_full(self.engine, self._erasure)
            return True
        except DBAPIError as error:
            # The statement holds no values: its error names only the table and the cause.
            logger.info("erasure: scrub not finished (%s)", type(error.orig).__name__)
            return False

    def close(self, wait: float = 0.0) -> bool:
        """Stop retrying, after up to ``wait`` seconds of retries and a last try if one was
        pending; False if the files may still hold erased bytes."""
        thread = self._thread
        if thread is not None:
            thread.join(wait)
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        if self._clean or self.attempt():
            return True
        logger.warning("erasure: closed with erased rows still in the database files")
        return False

    def _retry(self) -> None:
        delay = FIRST_RETRY
        while not self._stop.wait(delay):
            if self.attempt():
                logger.info("erasure: the erased rows are out of the database files")
                return
            delay = min(delay * 2, LONGEST_RETRY)


def _checkpoint(engine: Engine) -> bool:
    """Copy the log into the database and truncate it; True if it was done whole."""
    connection: Any = engine.raw_connection()
    try:
        cursor = connection.cursor()
        (timeout,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
        try:
            (busy, _frames, _copied) = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
            cursor.close()
        return bool(busy == 0)
    finally:
        connection.close()


def _vacuum_full(engine: Engine, erasure: int) -> bool:
    """Rewrite the prospects table without its dead rows (outside any transaction); False if
    a snapshot older than the erasure would keep them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if _pinned(connection, erasure):
            return False
        connection.exec_driver_sql(f"SET lock_timeout = '{WAIT_MS}ms'")
        try:
            connection.exec_driver_sql(f"VACUUM (FULL) {TABLE}")
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
    return True


def _pinned(connection: Connection, erasure: int) -> bool:
    # Transaction ids are 64-bit (xid8) in pg_current_snapshot, 32-bit (xid) in sessions.
    found = connection.execute(PINNED, {"erasure": erasure, "erasure32": erasure % 2**32})
    return bool(found.scalar())
