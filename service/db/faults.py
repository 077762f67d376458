"""The database's faults, in words: an error of the database that no request caused (it is
locked, read-only, full, out of reach) rather than a bug, with how long to wait before trying
again. The store answers them as ``Unavailable`` (HTTP 503 with ``Retry-After``)."""

import math
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

#: Seconds to wait before retrying: a lock is usually let go within seconds; a read-only or
#: full disk, or a server out of reach, takes a person.
SOON, LATER = 2, 30


@dataclass(frozen=True)
class Fault:
    """Why the database cannot do it now, in words, and when to try again (seconds)."""

    reason: str
    retry_after: int


def describe(error: BaseException, waited: float) -> Fault | None:
    """The fault ``error`` (SQLAlchemy's, or the driver's own) is, or None for an error of
    the request or the code (a constraint, a bug). ``waited``: the seconds a write waits for a
    lock before it gives up."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return Fault("the connection to the database server was lost", SOON)
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(driver_error, "sqlite_errorname", None)
    if isinstance(code, str):
        return _sqlite(code, waited)
    state = getattr(driver_error, "sqlstate", None)
    # The drivers name their errors as the DB-API does; one without a SQLSTATE is one where
    # the server never answered.
    if isinstance(state, str) or type(driver_error).__name__ == "OperationalError":
        return _postgresql(state, waited)
    return None


def _sqlite(code: str, waited: float) -> Fault | None:
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return Fault(
            f"another connection holds its write lock (waited {_seconds(waited)} for it)",
            max(SOON, math.ceil(waited)),
        )
    if code.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
        return Fault(
            "the database file is read-only (check its and its folder's permissions)", LATER
        )
    if code.startswith("SQLITE_FULL"):
        return Fault("the disk holding the database is full", LATER)
    if code.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return Fault("the database file cannot be written (an input/output error)", LATER)
    return None


#: PostgreSQL's SQLSTATE classes and codes that are faults, with their words.
POSTGRESQL = {
    "55P03": ("a table or row is locked by another session (waited {waited} for it)", SOON),
    "57014": ("a statement took too long and was cancelled", SOON),
    "40001": ("a concurrent write conflicted with this one", SOON),
    "40P01": ("a concurrent write deadlocked with this one", SOON),
    "25006": ("the database accepts reads only (a standby, or set read-only)", LATER),
    "53": ("the database server is out of a resource (disk, memory or connections)", LATER),
    "57P": ("the database server is shutting down or starting", SOON),
    "08": ("the database server cannot be reached", SOON),
}


def _postgresql(state: str | None, waited: float) -> Fault | None:
    if state is None:  # no answer from the server at all
        return Fault(POSTGRESQL["08"][0], SOON)
    for prefix in (state, state[:3], state[:2]):
        if prefix in POSTGRESQL:
            words, retry_after = POSTGRESQL[prefix]
            return Fault(words.format(waited=_seconds(waited)), retry_after)
    return None


def _seconds(seconds: float) -> str:
    return f"{seconds:g} s"
