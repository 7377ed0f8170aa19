"""Schema migrations: Alembic scripts shipped inside the package, run programmatically.

``kimlik init`` and the tests both build the schema through ``upgrade``, so the
migrations are exercised on every test run, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from kimlik.errors import StoreError
from kimlik.store.engine import describe

SCRIPT_LOCATION = "kimlik.store:migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision``."""
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise StoreError(f"cannot migrate {describe(engine)}: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@cache
def head_revision() -> str | None:
    """The newest revision shipped with this version of Kimlik; read once per process
    (the scripts ship with the code, and reading them costs ~18 ms a call, which every
    profile view and review decision paid)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than this code."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open {describe(engine)}: {exc.orig}") from exc
    if current != head_revision():
        state = "has no Kimlik schema" if current is None else f"is at revision {current}"
        raise StoreError(f"{describe(engine)} {state}; run `kimlik init` to create or upgrade it")
