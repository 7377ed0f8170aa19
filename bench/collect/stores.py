"""Fresh stores for ``run.py``: a new SQLite file, or a private PostgreSQL schema.

Why private schemas: the benchmark must never touch other data in the database it is
given, and a killed run must not leave schemas behind for ever (the next run drops those
whose process is gone).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

SCHEMA_PREFIX = "kimlik_bench_collect_"


@dataclass
class Store:
    """A fresh database for one backend: its URL, and how to throw it away."""

    backend: str
    url: str
    schema: str | None = None
    admin_url: str | None = None
    path: Path | None = None

    @classmethod
    def create(cls, backend: str, work: Path, postgres_url: str) -> Store:
        from sqlalchemy import text

        from kimlik.store.engine import open_engine

        if backend == "sqlite":
            directory = work / "sqlite"
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"collect-{os.getpid()}.db"
            _remove_sqlite(path)
            return cls(backend, f"sqlite:///{path}", path=path)
        schema = f"{SCHEMA_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = open_engine(postgres_url)
        try:
            with admin.begin() as connection:
                _drop_orphans(connection)
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            admin.dispose()
        separator = "&" if "?" in postgres_url else "?"
        url = f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"
        return cls(backend, url, schema=schema, admin_url=postgres_url)

    def drop(self) -> None:
        if self.path is not None:
            _remove_sqlite(self.path)
            return
        from sqlalchemy import text

        from kimlik.store.engine import open_engine

        assert self.admin_url is not None and self.schema is not None
        admin = open_engine(self.admin_url)
        try:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        finally:
            admin.dispose()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _drop_orphans(connection: Any) -> None:
    """Schemas left by killed runs: their pid (in the name) is no longer running."""
    from sqlalchemy import text

    names = connection.execute(
        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
        {"prefix": SCHEMA_PREFIX + "%"},
    ).scalars()
    for name in list(names):
        pid = name.removeprefix(SCHEMA_PREFIX).split("_")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def prepare_store(url: str) -> tuple[str, int, int]:
    """Migrate; a write key for source ``web``; a second source for the limit's rows."""
    from sqlalchemy import insert, select

    from kimlik.access.service import create_write_key
    from kimlik.store.engine import open_engine
    from kimlik.store.migrate import upgrade
    from kimlik.store.tables import sources

    engine = open_engine(url)
    try:
        upgrade(engine)
        token = create_write_key(engine, "web", "bench", "bench").token
        with engine.begin() as connection:
            source_id = connection.execute(
                select(sources.c.id).where(sources.c.name == "web")
            ).scalar_one()
            limit_id = connection.execute(
                insert(sources)
                .values(name="bench-limit", created_at=datetime.now(UTC))
                .returning(sources.c.id)
            ).scalar_one()
    finally:
        engine.dispose()
    return token, int(source_id), int(limit_id)
