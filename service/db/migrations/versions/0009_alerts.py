"""alerts: changes of villages' homes and needs, the prospects they bring villages to, and the
key of the opaque ids committees see prospects by

Revision ID: 0009_alerts
Revises: 0008_fact_proposals
Create Date: 2026-12-08 10:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009_alerts"
down_revision = "0008_fact_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "village_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_village_changes_processed_at", "village_changes", ["processed_at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.String(length=36), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("entered_top", sa.Boolean(), nullable=False),
        sa.Column("must_passes", sa.Boolean(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["village_changes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["prospect_id"], ["prospects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("change_id", "prospect_id", name="uq_alerts_change"),
    )
    op.create_index("ix_alerts_prospect_id", "alerts", ["prospect_id"])
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    secrets_table = op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Made here, once per database: every worker and server then reads the same one.
    op.bulk_insert(secrets_table, [{"name": "opaque_ids", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("secrets")
    op.drop_index("ix_alerts_created_at", table_name="alerts")
    op.drop_index("ix_alerts_prospect_id", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_village_changes_processed_at", table_name="village_changes")
    op.drop_table("village_changes")
