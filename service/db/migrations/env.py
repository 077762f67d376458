"""Alembic environment: migrations run on the connection ``service.db.migrate.upgrade`` hands
over."""

from alembic import context

from service.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through service.db.migrate.upgrade (sohosolo db upgrade)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
