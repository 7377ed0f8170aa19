"""What an administrator sees of sources: records per kind, the last import, refused events.

Queries only, on a connection the caller opens (and commits, with its audit entry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from kimlik.errors import AccountError, IngestError
from kimlik.sources.repository import check_source_name
from kimlik.store.server_tables import rejected_events, write_keys
from kimlik.store.tables import RECORD_TABLES, import_runs, sources

#: The range of trust ranks (lower is more trusted, docs/survivorship.md).
TRUST_RANKS = (0, 10_000)
DEFAULT_TRUST_RANK = 100


def source_id(connection: Connection, name: str) -> int | None:
    """The id of source ``name``, or None (also for names no source could have)."""
    found = connection.execute(select(sources.c.id).where(sources.c.name == name)).scalar()
    return None if found is None else int(found)


def list_sources(connection: Connection) -> list[dict[str, Any]]:
    """Every source by name, with its records per kind, live write keys and last import."""
    rows = connection.execute(select(sources).order_by(sources.c.name)).mappings().all()
    records: dict[int, dict[str, int]] = {int(row["id"]): {} for row in rows}
    for kind, table in RECORD_TABLES.items():
        counts = connection.execute(
            select(table.c.source_id, func.count()).group_by(table.c.source_id)
        )
        for row in counts:
            records.setdefault(int(row[0]), {})[kind] = int(row[1])
    live = connection.execute(
        select(write_keys.c.source_id, func.count())
        .where(write_keys.c.revoked_at.is_(None))
        .group_by(write_keys.c.source_id)
    )
    keys: dict[int, int] = {int(row[0]): int(row[1]) for row in live}
    latest = _last_imports(connection)
    return [
        {
            "id": int(row["id"]),
            "name": row["name"],
            "trust_rank": int(row["trust_rank"]),
            "created_at": row["created_at"],
            "records": records.get(int(row["id"]), {}),
            "live_write_keys": keys.get(int(row["id"]), 0),
            "last_import": latest.get(int(row["id"])),
        }
        for row in rows
    ]


def _last_imports(connection: Connection) -> dict[int, dict[str, Any]]:
    newest = (
        select(func.max(import_runs.c.id).label("id")).group_by(import_runs.c.source_id).subquery()
    )
    query = select(
        import_runs.c.id,
        import_runs.c.source_id,
        import_runs.c.kind,
        import_runs.c.file_name,
        import_runs.c.status,
        import_runs.c.started_at,
        import_runs.c.finished_at,
    ).where(import_runs.c.id.in_(select(newest.c.id)))
    found = {}
    for row in connection.execute(query).mappings():
        run = dict(row)
        found[int(run.pop("source_id"))] = run
    return found


def create_source(connection: Connection, name: str, trust_rank: int, now: dt.datetime) -> int:
    """A new source; an invalid or taken name is an ``AccountError`` naming it."""
    low, high = TRUST_RANKS
    if not low <= trust_rank <= high:
        raise AccountError(f"trust rank must be between {low} and {high} (lower is more trusted)")
    try:
        slug = check_source_name(name)
    except IngestError as exc:  # the same words, as a source request
        raise AccountError(str(exc)) from None
    if source_id(connection, slug) is not None:
        raise AccountError(f"source {slug!r} already exists")
    statement = sources.insert().values(name=slug, trust_rank=trust_rank, created_at=now)
    return int(connection.execute(statement.returning(sources.c.id)).scalar_one())


def source_by_id(connection: Connection, sid: int) -> dict[str, Any] | None:
    row = connection.execute(select(sources).where(sources.c.id == sid)).mappings().first()
    return dict(row) if row else None


def refused_events(
    connection: Connection, sid: int, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Messages the collection endpoint refused for one source, newest first, and their total."""
    where = rejected_events.c.source_id == sid
    total = connection.execute(select(func.count()).where(where)).scalar_one()
    query = (
        select(
            rejected_events.c.id,
            rejected_events.c.message_id,
            rejected_events.c.code,
            rejected_events.c.reason,
            rejected_events.c.payload,
            rejected_events.c.received_at,
        )
        .where(where)
        .order_by(rejected_events.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in connection.execute(query).mappings()], int(total)
