"""initial schema: prospects, outcomes, homes, weight profiles, exposure log

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 07:57:19.691794
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
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

    op.create_table(
        "homes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("tenure", sa.String(length=4), nullable=False),
        sa.Column("price_eur", sa.Float(), nullable=False),
        sa.Column("bedrooms", sa.Integer(), nullable=False),
        sa.Column("surface_m2", sa.Float(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("homes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_homes_insee"), ["insee"], unique=False)

    op.create_table(
        "prospects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospects_created_at"), ["created_at"], unique=False)

    revisions = op.create_table(
        "revisions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # The counter exists from the start: writers only ever update (and so lock) this row.
    op.bulk_insert(revisions, [{"name": "model_inputs", "value": 0}])
    op.create_table(
        "weight_profiles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prospect_id", sa.String(length=36), nullable=True),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["prospect_id"], ["prospects.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_insee"), ["insee"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcomes_prospect_id"), ["prospect_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_prospect_id"))
        batch_op.drop_index(batch_op.f("ix_outcomes_insee"))

    op.drop_table("outcomes")
    op.drop_table("weight_profiles")
    op.drop_table("revisions")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospects_created_at"))

    op.drop_table("prospects")
    with op.batch_alter_table("homes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homes_insee"))

    op.drop_table("homes")
    with op.batch_alter_table("exposure_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exposure_log_at"))

    op.drop_table("exposure_log")
