"""what villages need, and their committees' capacity and contact

Revision ID: 0007_needs_committees
Revises: 0006_homes_listings
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_needs_committees"
down_revision = "0006_homes_listings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("expires_at", sa.Date(), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("pupils", sa.Integer(), nullable=True),
        sa.Column("by_date", sa.Date(), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.Column("premises_use", sa.String(length=16), nullable=True),
        sa.Column("surface_m2", sa.Float(), nullable=True),
        sa.Column("rent_eur", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_needs_insee", "needs", ["insee"])
    op.create_index("ix_needs_expires_at", "needs", ["expires_at"])
    op.create_table(
        "need_professions",
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("profession", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("need_id", "profession"),
    )
    op.create_table(
        "committees",
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("capacity_per_quarter", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("insee"),
    )


def downgrade() -> None:
    op.drop_table("committees")
    op.drop_table("need_professions")
    op.drop_index("ix_needs_expires_at", table_name="needs")
    op.drop_index("ix_needs_insee", table_name="needs")
    op.drop_table("needs")
