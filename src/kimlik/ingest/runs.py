"""Reading import runs back: what ran, how it went, and the rows it refused.

Queries only, paged with limit and offset; masking personal values is the caller's
business (it knows who is asking).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select, true

from kimlik.store.tables import import_runs, rejected_rows, sources

_COUNTS = ("read", "new", "updated", "unchanged", "rejected", "unlinked")
_RUN_COLUMNS = (
    import_runs.c.id,
    sources.c.name.label("source"),
    import_runs.c.kind,
    import_runs.c.file_name,
    import_runs.c.file_bytes,
    import_runs.c.status,
    import_runs.c.error,
    import_runs.c.started_at,
    import_runs.c.finished_at,
    *(import_runs.c[f"rows_{name}"] for name in _COUNTS),
    import_runs.c.field_issues,
    import_runs.c.mapping,
)


def _run(row: Any) -> dict[str, Any]:
    run = dict(row)
    run["counts"] = {name: int(run.pop(f"rows_{name}")) for name in _COUNTS}
    return run


def runs_page(
    connection: Connection,
    *,
    limit: int,
    offset: int,
    source: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Import runs, newest first, optionally of one source, kind or status; and their total."""
    conditions: list[ColumnElement[bool]] = []
    if source is not None:
        conditions.append(sources.c.name == source)
    if kind is not None:
        conditions.append(import_runs.c.kind == kind)
    if status is not None:
        conditions.append(import_runs.c.status == status)
    where = and_(true(), *conditions)
    joined = import_runs.join(sources, sources.c.id == import_runs.c.source_id)
    total = connection.execute(select(func.count()).select_from(joined).where(where)).scalar_one()
    query = (
        select(*_RUN_COLUMNS)
        .select_from(joined)
        .where(where)
        .order_by(import_runs.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_run(row) for row in connection.execute(query).mappings()], int(total)


def run_by_id(connection: Connection, run_id: int) -> dict[str, Any] | None:
    query = (
        select(*_RUN_COLUMNS)
        .select_from(import_runs.join(sources, sources.c.id == import_runs.c.source_id))
        .where(import_runs.c.id == run_id)
    )
    row = connection.execute(query).mappings().first()
    return _run(row) if row else None


def rejections_page(
    connection: Connection, run_id: int, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The rows a run refused, in row order, each raw and with its reasons; and their total."""
    where = rejected_rows.c.import_run_id == run_id
    total = connection.execute(select(func.count()).where(where)).scalar_one()
    query = (
        select(
            rejected_rows.c.row_number,
            rejected_rows.c.record_id,
            rejected_rows.c.raw,
            rejected_rows.c.reasons,
        )
        .where(where)
        .order_by(rejected_rows.c.row_number, rejected_rows.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in connection.execute(query).mappings()], int(total)
