"""What every part of the store works on: the database's engine and sessions, its schema, the
revision counter that the writes changing rankings raise, and whether writes go through."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from service.db import migrate
from service.db.engine import (
    PROBE_WAIT,
    WRITE_TIMEOUT,
    RevisionReader,
    WriteProbe,
    is_in_memory,
    is_sqlite,
    make_engine,
)
from service.db.faults import LATER, Fault, describe
from service.db.models import MODEL_INPUTS, Base, RevisionRow
from service.db.scrub import Scrubber
from service.exceptions import Unavailable

logger = logging.getLogger(__name__)
#: Set in a session's ``info`` by a write that recorded a change of a village (alerts).
VILLAGE_CHANGED = "village_changed"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Observed:
    """How a write went (``fault`` None: it went through), at ``time.monotonic()``."""

    at: float
    fault: Fault | None


class StoreBase:
    """One database: its engine, its sessions, its schema and its revision counter."""

    def __init__(self, url: str, write_timeout: float = WRITE_TIMEOUT) -> None:
        self.write_timeout = write_timeout
        self.engine = make_engine(url, lock_timeout=write_timeout)
        self.is_sqlite = is_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._revision = RevisionReader(self.engine)
        #: Takes erased rows' bytes out of the database's files after an erasure.
        self.scrubber = Scrubber(self.engine)
        #: How the last write transaction went (for health, and to answer the next at once).
        self.last_write: Observed | None = None
        tables = [table.name for table in Base.metadata.sorted_tables]
        self._probe = None if is_in_memory(self.engine.url) else WriteProbe(self.engine, tables)
        #: Called after a transaction that recorded a change of a village's homes or needs has
        #: committed (the service computes the alerts it brings).
        self.change_listeners: list[Callable[[], object]] = []

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to ``revision``."""
        migrate.upgrade(self.engine, revision)

    def at_head(self) -> bool:
        """Whether the schema is at the newest migration."""
        return migrate.at_head(self.engine)

    def dispose(self) -> None:
        self.scrubber.close()
        self._revision.close()
        if self._probe is not None:
            self._probe.close()
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing transaction, committed whole or rolled back; ``Unavailable`` when the
        database cannot be written now (locked past ``write_timeout``, read-only, full...).

        On SQLite it takes the database's write lock first (``BEGIN IMMEDIATE``): what it reads
        before writing (an outcome's history, say) cannot change under it, and a writer waits
        for the lock at the start, not when a read turns into a write (where SQLite fails at
        once rather than wait).
        """
        try:
            with self.sessions.begin() as session:
                if self.is_sqlite:
                    session.execute(text("BEGIN IMMEDIATE"))
                yield session
        except DBAPIError as error:
            fault = describe(error, self.write_timeout)
            if fault is None:
                raise
            self.last_write = Observed(time.monotonic(), fault)
            raise unavailable(fault) from error
        self.last_write = Observed(time.monotonic(), None)
        if session.info.get(VILLAGE_CHANGED):
            self._changed()

    def probe_writes(self) -> Fault | None:
        """Whether a write could go through now (tried and rolled back, waiting a quarter of
        a second at most for a lock); the fault if not."""
        if self._probe is None:
            return None
        try:
            self._probe.probe()
        except Exception as error:  # the driver's own errors: no common base to name
            return describe(error, PROBE_WAIT) or Fault(
                f"a trial write failed ({type(error).__name__})", LATER
            )
        return None

    def _changed(self) -> None:
        """Tell the listeners, after the commit, that a village changed. The change is stored
        already: whatever a listener does, the write that made it has succeeded."""
        for listener in self.change_listeners:
            try:
                listener()
            except Exception:  # a listener's failure is its own: the write is done
                logger.exception("a listener of village changes failed")

    def model_inputs_revision(self) -> int:
        """A counter raised by every write that changes rankings (weights, homes, settled)."""
        return self._revision.read()

    def _transaction_id(self, session: Session) -> int | None:
        """PostgreSQL: the id of the session's transaction (what erased rows wait on to be
        vacuumed); None on SQLite."""
        if self.is_sqlite:
            return None
        return int(session.scalar(text("SELECT pg_current_xact_id()::text")) or 0)

    @staticmethod
    def _bump(session: Session) -> None:
        """Raise the revision, first thing in a writing transaction: the row lock it takes
        serialises writers, so two replacements of a village's homes cannot interleave."""
        session.execute(
            update(RevisionRow)
            .where(RevisionRow.name == MODEL_INPUTS)
            .values(value=RevisionRow.value + 1)
        )


def unavailable(fault: Fault) -> Unavailable:
    """The answer to a write the database cannot take now."""
    return Unavailable(f"the database cannot be written now: {fault.reason}", fault.retry_after)
