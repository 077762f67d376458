"""homes one listing at a time: a version, availability and expiry dates, a note

Revision ID: 0006_homes_listings
Revises: 0005_accounts
Create Date: 2026-12-07 11:00:00

Existing listings keep their values and become version 1, available from the day they were
last updated, expiring 90 days after this migration (their committees confirm them from then).
The ``description`` column becomes ``note`` (the API's name for it).
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006_homes_listings"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None

#: A listing's default life, as the API gives it.
LISTING_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("homes") as batch:
        batch.alter_column(
            "description", new_column_name="note", existing_type=sa.String(length=500)
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("available_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.Date(), nullable=True))
    homes = sa.table(
        "homes",
        sa.column("id", sa.Integer()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("version", sa.Integer()),
        sa.column("available_from", sa.Date()),
        sa.column("expires_at", sa.Date()),
    )
    connection = op.get_bind()
    expires = datetime.now(UTC).date() + timedelta(days=LISTING_DAYS)
    for home_id, updated_at in connection.execute(sa.select(homes.c.id, homes.c.updated_at)):
        moment = (
            updated_at
            if isinstance(updated_at, datetime)
            else datetime.fromisoformat(str(updated_at))
        )
        connection.execute(
            homes.update()
            .where(homes.c.id == home_id)
            .values(version=1, available_from=moment.date(), expires_at=expires)
        )
    with op.batch_alter_table("homes") as batch:
        batch.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("available_from", existing_type=sa.Date(), nullable=False)
        batch.alter_column("expires_at", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_homes_expires_at", ["expires_at"])


def downgrade() -> None:
    with op.batch_alter_table("homes") as batch:
        batch.drop_index("ix_homes_expires_at")
        batch.drop_column("expires_at")
        batch.drop_column("available_from")
        batch.drop_column("version")
        batch.alter_column(
            "note", new_column_name="description", existing_type=sa.String(length=500)
        )
