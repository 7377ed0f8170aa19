"""Shared fixtures: a migrated store on SQLite (always) and PostgreSQL (when configured).

Storage tests take the ``database_url`` fixture and run once per backend. PostgreSQL
tests use a private schema built by the migrations once per session and emptied after
each test, so they never touch other data in the database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text

from kimlik.config import Settings
from kimlik.store import server_tables  # noqa: F401  (registers its tables)
from kimlik.store.engine import open_engine
from kimlik.store.migrate import upgrade
from kimlik.store.tables import metadata

POSTGRES_ENV = "KIMLIK_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def private_postgres_schema(base: str) -> Iterator[str]:
    """A URL whose connections live in a new schema built by the migrations; dropped after."""
    schema = f"kimlik_test_{uuid.uuid4().hex[:10]}"
    admin = open_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    engine = open_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated private schema on the PostgreSQL named by KIMLIK_TEST_DATABASE_URL."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL storage tests skipped")
    with private_postgres_schema(base) as url:
        yield url


def _empty_postgres(url: str) -> None:
    engine = open_engine(url)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated store; the test runs once on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kimlik.db'}"
        engine = open_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    _empty_postgres(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test store."""
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Explicit settings for the test store; standardization stays in-process."""
    return Settings(database_url=database_url, import_workers=0)


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a text file into the test's folder and return its path."""

    def _write(name: str, content: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(content, encoding=encoding)
        return path

    return _write
