"""allocations: the villages proposed to prospects, counted against committees' capacity per
quarter

Revision ID: 0010_allocations
Revises: 0009_alerts
Create Date: 2026-12-08 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_allocations"
down_revision = "0009_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("prospect_id", sa.String(length=36), nullable=True),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["prospect_id"], ["prospects.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_allocations_quarter", "allocations", ["quarter"])
    op.create_index("ix_allocations_prospect_id", "allocations", ["prospect_id"])


def downgrade() -> None:
    op.drop_index("ix_allocations_prospect_id", table_name="allocations")
    op.drop_index("ix_allocations_quarter", table_name="allocations")
    op.drop_table("allocations")
