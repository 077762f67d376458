"""The schema's migrations (Alembic, scripts in ``migrations/``): which is the newest, whether
a database is at it, and bringing a database up to it.

Alembic is imported only when there is something to migrate: a serving process on an up to
date database never loads it.
"""

import ast
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from service.db.engine import is_in_memory, is_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")
#: PostgreSQL advisory lock taken while migrating (any constant the application owns).
LOCK_KEY = 0x50A0501


def migration_heads() -> list[str]:
    """The newest revisions of the migrations (one, unless the history branches), read from
    the scripts' ``revision`` and ``down_revision`` as Alembic does."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = _revision_names(path)
        if "revision" in found:
            revisions.add(found["revision"])
            down = found.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())
    return sorted(revisions - parents)


def _revision_names(path: Path) -> dict[str, Any]:
    """A script's ``revision`` and ``down_revision``, as written at its top level."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        # ``revision = "0002"``, or ``revision: str = "0002"`` as newer templates write it
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found


def at_head(engine: Engine) -> bool:
    """Whether the schema is at the newest migration, read with SQLAlchemy alone."""
    heads = migration_heads()
    if len(heads) != 1:
        return False
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            return list(found.scalars()) == heads
    except SQLAlchemyError:  # no version table: a new database
        return False


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration, or to ``revision`` (nothing to do if it is
    there).

    Several worker processes may start at once on a new database: the first to take the lock
    migrates, the others then find the schema up to date.
    """
    if revision == "head" and at_head(engine):
        return  # without loading Alembic, which a serving process otherwise never needs
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A migration waits for its locks as long as it takes (the engine's lock_timeout
            # is for requests), and for another process migrating the same database.
            connection.execute(text("SET LOCAL lock_timeout = 0"))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A file lock beside a SQLite database (PostgreSQL's is an advisory lock, taken in the
    migration's transaction)."""
    database = engine.url.database
    if not is_sqlite(engine) or is_in_memory(engine.url) or not database:
        yield
        return
    with open(f"{database}.migrate.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
