"""Alembic environment: runs on the connection handed over by ``kimlik.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kimlik.store import server_tables  # noqa: F401  (registers its tables)
from kimlik.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("kimlik migrations run through kimlik.store.migrate.upgrade()")
_run(connection)
