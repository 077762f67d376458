"""corrections of village facts proposed by committees and reviewed by staff

Revision ID: 0008_fact_proposals
Revises: 0007_needs_committees
Create Date: 2026-12-07 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_fact_proposals"
down_revision = "0007_needs_committees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("observed_at", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fact_proposals_insee", "fact_proposals", ["insee"])
    op.create_index("ix_fact_proposals_status", "fact_proposals", ["status"])


def downgrade() -> None:
    op.drop_index("ix_fact_proposals_status", table_name="fact_proposals")
    op.drop_index("ix_fact_proposals_insee", table_name="fact_proposals")
    op.drop_table("fact_proposals")
