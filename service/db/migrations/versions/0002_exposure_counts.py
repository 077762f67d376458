"""exposure counted per second, channel, village and rank instead of a row per village shown

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:30:00
"""

from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Rows of the old log read at a time.
BATCH = 10_000


def upgrade() -> None:
    counts = op.create_table(
        "exposure_counts",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("at", "channel", "insee", "rank"),
    )
    log = sa.table(
        "exposure_log",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("channel", sa.String()),
        sa.column("insee", sa.String()),
        sa.column("rank", sa.Integer()),
    )
    tally: Counter[tuple[datetime, str, str, int]] = Counter()
    result = op.get_bind().execute(sa.select(log).execution_options(yield_per=BATCH))
    for at, channel, insee, rank in result:
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        tally[(at.replace(microsecond=0), channel, insee, rank)] += 1
    rows = [
        {"at": at, "channel": channel, "insee": insee, "rank": rank, "shown": n}
        for (at, channel, insee, rank), n in tally.items()
    ]
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(counts, rows[start : start + BATCH])
    with op.batch_alter_table("exposure_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exposure_log_at"))
    op.drop_table("exposure_log")


def downgrade() -> None:
    log = op.create_table(
        "exposure_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exposure_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exposure_log_at"), ["at"], unique=False)
    counts = sa.table(
        "exposure_counts",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("channel", sa.String()),
        sa.column("insee", sa.String()),
        sa.column("rank", sa.Integer()),
        sa.column("shown", sa.Integer()),
    )
    rows = []
    for at, channel, insee, rank, shown in op.get_bind().execute(sa.select(counts)):
        rows.extend([{"at": at, "channel": channel, "insee": insee, "rank": rank}] * shown)
        if len(rows) >= BATCH:
            op.bulk_insert(log, rows)
            rows = []
    op.bulk_insert(log, rows)
    op.drop_table("exposure_counts")
