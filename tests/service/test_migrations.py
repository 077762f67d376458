"""Migration 0004 on a copy of a database the previous version made (schema 0003, the rows
the issue found): the outcomes the rules refuse are set aside with their reason, nothing is
lost, the Solos settled are recounted, and what changed is logged and audited. SQLite and
PostgreSQL."""

import logging
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, column, create_engine, insert, select, table, text
from sqlalchemy.engine import make_url

from service.db.migrate import MIGRATIONS
from service.store import Store

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
P1, P2, P3, GONE = (str(uuid.UUID(int=n)) for n in (1, 2, 3, 4))
#: The outcomes as version 0003 stored them: (prospect, village, event), in recorded order.
OUTCOMES = [
    *[(P1, "32249", "settled")] * 5,  # Monblanc's "20 Solos": one prospect, five times
    (P1, "32249", "visited"),
    (P1, "32249", "visited"),
    (P2, "32001", "settled"),
    (P2, "32012", "settled"),  # a second home
    (P2, "32012", "left"),  # from the second home, set aside: no stay there
    (P2, "32001", "left"),
    (P2, "32001", "left"),  # a repeat
    (P3, "32019", "left"),  # never settled there
    (P3, "32013", "settled"),  # Auch, not a partner: kept
    (P3, "32001", "shortlisted"),
    (None, "32001", "settled"),  # an erased prospect's events
    (None, "32001", "settled"),
    (None, "32001", "left"),
    (P3, "32001", "shortlisted"),  # a repeat, the last: SQLite may give its id to a new row
]
SET_ASIDE = {  # row number in OUTCOMES (from 1) -> the reason's start
    2: "repeat: the same event as outcome 1",
    3: "repeat",
    4: "repeat",
    5: "repeat",
    7: "repeat: the same event as outcome 6",
    9: "second home: settled in 32001 (outcome 8)",
    10: "departure without a stay: not settled in 32012",
    12: "repeat: the same event as outcome 11",
    13: "departure without a stay: not settled in 32019",
    19: "repeat: the same event as outcome 15",
}
#: Tables the migration must leave as they were, and their columns.
UNTOUCHED = {
    "prospects": ("id", "name", "email", "phone", "consent"),
    "homes": ("id", "insee", "tenure", "price_eur", "bedrooms"),
    "weight_profiles": ("id", "name", "version"),
    "revoked_keys": ("digest", "revoked_by"),
    "exposure_counts": ("at", "channel", "insee", "rank", "shown"),
}


def rows(connection: Connection, name: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    found = connection.execute(select(*(column(c) for c in columns)).select_from(table(name)))
    return sorted(tuple(row) for row in found)


def fill_version_0003(store: Store) -> None:
    """What a database of version 0003 holds: prospects with contacts, their outcomes, homes,
    weights, a revoked key, exposure counts."""
    now = datetime.now(UTC)
    outcome_rows = [
        {"prospect_id": p, "insee": i, "event": e, "at": T0 + timedelta(days=n), "recorded_at": now}
        for n, (p, i, e) in enumerate(OUTCOMES)
    ]
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prospects (id, profile, name, email, consent, created_at) "
                "VALUES (:id, '{}', :name, :email, true, :now)"
            ),
            [
                {"id": p, "name": f"P{n}", "email": f"p{n}@example.org", "now": now}
                for n, p in enumerate((P1, P2, P3, GONE))
            ],
        )
        # Typed as version 0003 wrote them (SQLite keeps a timestamp as text in one format).
        moments = [column(c, DateTime(timezone=True)) for c in ("at", "recorded_at")]
        outcomes = table("outcomes", *map(column, ["prospect_id", "insee", "event"]), *moments)
        connection.execute(insert(outcomes), outcome_rows)
        connection.execute(text("DELETE FROM prospects WHERE id = :id"), {"id": GONE})
        connection.execute(
            text(
                "INSERT INTO homes (insee, tenure, price_eur, bedrooms, updated_at, updated_by) "
                "VALUES ('32249', 'buy', 120000, 3, :now, 'staff:1a2b3c4d')"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO weight_profiles (name, version, description, weights, created_at, "
                "created_by) VALUES ('default', '2026-11-22', '', '{}', :now, 'package')"
            ),
            {"now": now},
        )
        connection.execute(
            text("INSERT INTO revoked_keys VALUES ('ab' || :pad, :now, 'sohosolo')"),
            {"pad": "0" * 62, "now": now},
        )
        connection.execute(
            text("INSERT INTO exposure_counts VALUES (:now, 'public', '32249', 1, 7)"),
            {"now": now.replace(microsecond=0)},
        )


@pytest.fixture
def copy_of_0003(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(original, copy): a database of version 0003 and a copy of it to upgrade."""
    original = Store(database_url)
    original.upgrade("0003")
    fill_version_0003(original)
    original.dispose()
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        shutil.copy(str(parsed.database), copy)
        yield database_url, f"sqlite:///{copy}"
        return
    name = f"{parsed.database}_copy"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    try:
        yield database_url, parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def outcome_rows(connection: Connection, name: str = "outcomes") -> list[tuple[Any, ...]]:
    return rows(connection, name, ("id", "prospect_id", "insee", "event", "at"))


def test_0004_sets_aside_what_the_rules_refuse_and_loses_nothing(
    copy_of_0003: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    original_url, copy_url = copy_of_0003
    original, upgraded = Store(original_url), Store(copy_url)
    caplog.set_level(logging.INFO, logger="alembic.runtime.migration")
    upgraded.upgrade()
    with original.engine.connect() as before, upgraded.engine.connect() as after:
        kept, aside = outcome_rows(after), outcome_rows(after, "outcomes_set_aside")
        assert sorted(kept + aside) == outcome_rows(before), "every outcome is kept or set aside"
        reasons = dict(rows(after, "outcomes_set_aside", ("id", "reason")))
        for name, columns in UNTOUCHED.items():
            assert rows(after, name, columns) == rows(before, name, columns), name
        recorded_by = set(after.scalars(text("SELECT recorded_by FROM outcomes")))
    assert {row[0] for row in aside} == set(SET_ASIDE)
    for n, start in SET_ASIDE.items():
        assert reasons[n].startswith(start), reasons[n]
    assert recorded_by == {"unknown (recorded before migration 0004)"}
    # Counted under the rules (the service leaves Auch, 32013, out: not a partner).
    assert upgraded.settled_counts() == {"32249": 1, "32001": 1, "32013": 1}
    assert upgraded.model_inputs_revision() == 1, "every worker recounts"
    (entry, *_) = upgraded.audit()
    assert (entry.actor, entry.action, entry.target) == (
        "migration 0004",
        "outcomes.migrate",
        "outcomes",
    )
    assert entry.detail == (
        "set aside: departure without a stay 2, repeat 7, second home 1; "
        "Solos settled changed in 2 village(s)"
    )
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "with the reason: departure without a stay 2, repeat 7, second home 1" in logged
    assert "Solos settled changed in 2 village(s): 32001 0 -> 1, 32249 5 -> 1" in logged
    assert "partner list, kept (the service counts only its partners): 32013 (1)" in logged
    assert "3 outcome(s) of erased prospects kept as they were" in logged
    original.dispose()
    upgraded.dispose()


def test_0004_goes_on_under_the_rules_and_back_whole(copy_of_0003: tuple[str, str]) -> None:
    original_url, copy_url = copy_of_0003
    store = Store(copy_url)
    store.upgrade()
    # The first of Monblanc's five settlements stands; a sixth is a repeat of it.
    repeat = store.add_outcome(P1, "32249", "settled", datetime.now(UTC), by="staff:1a2b3c4d")
    assert (repeat.created, repeat.outcome.id) == (False, 1)
    new = store.add_outcome(P1, "32012", "visited", T0, by="staff:1a2b3c4d").outcome
    store.delete_prospect(P2)
    with store.engine.connect() as connection:
        unlinked = connection.scalar(
            text("SELECT count(*) FROM outcomes_set_aside WHERE prospect_id IS NULL")
        )
    assert unlinked == 3, "an erased prospect's set-aside outcomes are unlinked too"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    original = Store(original_url)
    with original.engine.connect() as before, store.engine.connect() as after:
        ids = rows(after, "outcomes", ("id",))
        back = Counter(row[2:4] for row in outcome_rows(after))
        assert back == Counter(row[2:4] for row in outcome_rows(before)) + Counter(
            [(new.insee, new.event)]
        )
    assert len(ids) == len(OUTCOMES) + 1, "every outcome back, the new one too"
    original.dispose()
    store.dispose()
