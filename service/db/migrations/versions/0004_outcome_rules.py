"""outcomes under the outcome rules: the events they refuse set aside (kept, with the reason);
who recorded each outcome

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 20:00:00

Outcomes were stored as sent: the same event twice, a prospect settled in two villages, a
``left`` from a village the prospect never settled in. This replays each prospect's outcomes,
in the order they were recorded, under the rules the service now applies
(``service.outcome_rules``) and moves each event the rules refuse to ``outcomes_set_aside``,
with the reason: out of the counts, kept for review, and moved back by the downgrade. Nothing
is deleted.

Outcomes of villages outside the partner list are kept as they are: the partner list is the
deployment's (``SOHOSOLO_PARTNERS_PATH`` may replace the packaged one), not the database's, so
the service leaves them out of its counts when it reads them; this only reports those outside
the packaged list. Outcomes of erased prospects name no one, so they cannot be replayed: kept
as they are, and reported.

The Solos settled are counted from the outcomes when the service reads them, so rebuilding
them is raising the revision counter: every running worker recounts at its next request. What
changed is logged (Alembic's logger, a warning when anything moved) and written to the audit
log.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.outcome_rules import Event, Journey, Refusal

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

#: Who the audit line and the outcomes recorded before this migration name.
ACTOR = "migration 0004"
UNKNOWN = "unknown (recorded before migration 0004)"
#: Ids per DELETE statement (SQLite allows a few thousand parameters).
BATCH = 500

Moment = sa.DateTime(timezone=True)
OUTCOME_COLUMNS = ("id", "prospect_id", "insee", "event", "at", "recorded_at", "recorded_by")


def _outcome_columns() -> list[sa.ColumnClause[Any]]:
    return [
        sa.column(name, Moment if name in ("at", "recorded_at") else None)
        for name in OUTCOME_COLUMNS
    ]


outcomes = sa.table("outcomes", *_outcome_columns())
set_aside = sa.table(
    "outcomes_set_aside",
    *_outcome_columns(),
    sa.column("reason"),
    sa.column("set_aside_at", Moment),
)
audit_log = sa.table(
    "audit_log",
    sa.column("at", Moment),
    *(sa.column(name) for name in ("actor", "action", "target", "detail")),
)


@dataclass
class Report:
    """What the migration found and did."""

    reasons: Counter[str] = field(default_factory=Counter)
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    outside_partners: Counter[str] = field(default_factory=Counter)
    unlinked: int = 0


def upgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recorded_by", sa.String(length=100), nullable=False, server_default=UNKNOWN)
        )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.alter_column("recorded_by", server_default=None)
    op.create_table(
        "outcomes_set_aside",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prospect_id", sa.String(length=36), nullable=True),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["prospect_id"], ["prospects.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outcomes_set_aside_prospect_id", "outcomes_set_aside", ["prospect_id"])
    apply_the_rules(op.get_bind())


def apply_the_rules(bind: sa.Connection) -> Report:
    """Set aside the outcomes the rules refuse, report, audit and raise the revision."""
    rows = bind.execute(sa.select(outcomes).order_by(outcomes.c.id)).all()
    report = Report(before=_old_counts(rows))
    kept, refused = _judge(rows, report)
    _move_aside(bind, refused)
    report.after = _counts(kept)
    report.outside_partners = _outside_partners(kept)
    report.unlinked = sum(row.prospect_id is None for row in rows)
    for line in _lines(report):
        logger.log(logging.WARNING if report.reasons else logging.INFO, "%s", line)
    if report.reasons or report.before != report.after:
        _audit(bind, report)
        bind.execute(sa.text("UPDATE revisions SET value = value + 1 WHERE name = 'model_inputs'"))
    return report


def _judge(rows: Sequence[Any], report: Report) -> tuple[list[Any], list[tuple[Any, str]]]:
    """The rows kept and the rows refused, each with its reason, prospect by prospect."""
    kept = [row for row in rows if row.prospect_id is None]
    refused: list[tuple[Any, str]] = []
    linked = sorted((row for row in rows if row.prospect_id is not None), key=_by_prospect)
    for _, events in groupby(linked, key=lambda row: row.prospect_id):
        journey = Journey()
        for row in events:
            verdict = journey.judge(row.insee, row.event)
            if verdict is None:
                journey.record(Event(row.id, row.insee, row.event, row.at))
                kept.append(row)
            else:
                reason = _reason(verdict)
                report.reasons[reason.split(":")[0]] += 1
                refused.append((row, reason))
    return kept, refused


def _by_prospect(row: Any) -> tuple[str, int]:
    return row.prospect_id, row.id


def _reason(verdict: Event | Refusal) -> str:
    if isinstance(verdict, Event):
        return f"repeat: the same event as outcome {verdict.id}"
    if verdict.reason == "settled_elsewhere" and verdict.home is not None:
        home = verdict.home
        return f"second home: settled in {home.insee} (outcome {home.id}) with no left since"
    return f"departure without a stay: not settled in {verdict.insee} at the time"


def _move_aside(bind: sa.Connection, refused: list[tuple[Any, str]]) -> None:
    now = datetime.now(UTC)
    for start in range(0, len(refused), BATCH):
        chunk = refused[start : start + BATCH]
        bind.execute(
            sa.insert(set_aside),
            [row._asdict() | {"reason": reason, "set_aside_at": now} for row, reason in chunk],
        )
        ids = [row.id for row, _ in chunk]
        bind.execute(sa.delete(outcomes).where(outcomes.c.id.in_(ids)))


def _old_counts(rows: Iterable[Any]) -> dict[str, int]:
    """The Solos settled as the service counted them before: settled minus left."""
    net: Counter[str] = Counter()
    for row in rows:
        net[row.insee] += {"settled": 1, "left": -1}.get(row.event, 0)
    return {insee: n for insee, n in sorted(net.items()) if n > 0}


def _counts(kept: Sequence[Any]) -> dict[str, int]:
    """The Solos settled under the rules: where each prospect lives, and the erased
    prospects' settled minus left (as ``service.store.outcomes`` counts them)."""
    homes: dict[str, str] = {}
    for row in sorted(kept, key=lambda row: row.id):
        if row.prospect_id is not None and row.event == "settled":
            homes[row.prospect_id] = row.insee
        elif row.prospect_id is not None and row.event == "left":
            homes.pop(row.prospect_id, None)
    counts = Counter(homes.values())
    counts.update(_old_counts(row for row in kept if row.prospect_id is None))
    return dict(sorted(counts.items()))


def _outside_partners(kept: Sequence[Any]) -> Counter[str]:
    from geodata.io import read_partner_rows

    partners = {row["insee"] for row in read_partner_rows()}
    return Counter(row.insee for row in kept if row.insee not in partners)


def _lines(report: Report) -> list[str]:
    lines = [f"{ACTOR}: outcomes under the outcome rules"]
    if report.reasons:
        lines.append(f"  set aside in outcomes_set_aside, with the reason: {_tally(report)}")
    changed = [
        f"{insee} {report.before.get(insee, 0)} -> {report.after.get(insee, 0)}"
        for insee in sorted(set(report.before) | set(report.after))
        if report.before.get(insee, 0) != report.after.get(insee, 0)
    ]
    if changed:
        lines.append(f"  Solos settled changed in {len(changed)} village(s): {', '.join(changed)}")
    if report.outside_partners:
        outside = ", ".join(f"{k} ({n})" for k, n in sorted(report.outside_partners.items()))
        lines.append(
            f"  outcomes of villages outside the packaged partner list, kept (the service "
            f"counts only its partners): {outside}"
        )
    if report.unlinked:
        lines.append(f"  {report.unlinked} outcome(s) of erased prospects kept as they were")
    if len(lines) == 1:
        lines.append("  nothing to change")
    return lines


def _tally(report: Report) -> str:
    """``repeat 6, second home 1``: the outcomes set aside, by reason."""
    return ", ".join(f"{reason} {n}" for reason, n in sorted(report.reasons.items()))


def _audit(bind: sa.Connection, report: Report) -> None:
    changed = sum(
        report.before.get(k, 0) != report.after.get(k, 0) for k in {*report.before, *report.after}
    )
    detail = f"set aside: {_tally(report) or 'none'}; Solos settled changed in {changed} village(s)"
    bind.execute(
        sa.insert(audit_log).values(
            at=datetime.now(UTC),
            actor=ACTOR,
            action="outcomes.migrate",
            target="outcomes",
            detail=detail[:200],
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(set_aside).order_by(set_aside.c.id)).all()
    # SQLite gives a new row the largest id plus one: an outcome recorded since may hold the
    # id of one set aside, which then comes back under a new id.
    taken = set(bind.scalars(sa.select(outcomes.c.id)))
    back = [{name: getattr(row, name) for name in OUTCOME_COLUMNS} for row in rows]
    for batch in (
        [row for row in back if row["id"] not in taken],
        [{k: v for k, v in row.items() if k != "id"} for row in back if row["id"] in taken],
    ):
        for start in range(0, len(batch), BATCH):
            bind.execute(sa.insert(outcomes), batch[start : start + BATCH])
    if rows:
        logger.warning("%s downgraded: %d outcome(s) set aside moved back", ACTOR, len(rows))
    op.drop_index("ix_outcomes_set_aside_prospect_id", table_name="outcomes_set_aside")
    op.drop_table("outcomes_set_aside")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
