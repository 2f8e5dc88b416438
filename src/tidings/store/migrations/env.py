"""Alembic's entry point. Tidings runs migrations only through tidings.store.migration, which
hands over an open connection (inside the transaction that holds the migration lock)."""

from __future__ import annotations

from alembic import context

from tidings.store.tables import metadata

connection = context.config.attributes.get("connection")
assert connection is not None, "run migrations with `tidings migrate` (tidings.store.migration)"
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
