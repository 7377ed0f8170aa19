"""Aggregate queries behind the quality report; all portable SQL, computed in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, case, func, literal, select

from kimlik.store.server_tables import events, rejected_events
from kimlik.store.tables import import_runs, profiles, rejected_rows, source_records, sources


def _rows(connection: Connection, query: Any) -> list[Any]:
    """Result rows, typed loosely: aggregate queries return driver-specific scalar types."""
    return list(connection.execute(query).all())


def source_names(connection: Connection) -> dict[int, str]:
    """Source id -> name."""
    return {row.id: row.name for row in connection.execute(select(sources.c.id, sources.c.name))}


def attribute_counts(
    connection: Connection, table: Table, attributes: Sequence[tuple[str, str]]
) -> dict[int, dict[str, Any]]:
    """Per source: record count and, per attribute, values present, invalid and changed.

    ``attributes`` pairs an attribute name with its column. One grouped scan of the table.
    """
    columns: list[Any] = [table.c.source_id, func.count().label("records")]
    for attribute, column_name in attributes:
        column: Column[Any] = table.c[column_name]
        pattern = literal(f"%|{attribute}|%")
        columns += [
            func.count(column).label(f"present:{attribute}"),
            func.sum(case((table.c.invalid_fields.like(pattern), 1), else_=0)).label(
                f"invalid:{attribute}"
            ),
            func.sum(case((table.c.changed_fields.like(pattern), 1), else_=0)).label(
                f"changed:{attribute}"
            ),
        ]
    rows = connection.execute(select(*columns).group_by(table.c.source_id)).mappings()
    return {row["source_id"]: {k: int(v or 0) for k, v in row.items()} for row in rows}


def latest_completed_runs(connection: Connection) -> dict[tuple[int, str], int]:
    """(source id, kind) -> id of the newest completed import run."""
    query = (
        select(import_runs.c.source_id, import_runs.c.kind, func.max(import_runs.c.id))
        .where(import_runs.c.status == "completed")
        .group_by(import_runs.c.source_id, import_runs.c.kind)
    )
    return {(source, kind): run for source, kind, run in _rows(connection, query)}


def rejections_by_reason(
    connection: Connection, run_ids: Sequence[int]
) -> list[tuple[int, str, str, int]]:
    """(source id, kind, reason code, rows) for the given runs."""
    if not run_ids:
        return []
    query = (
        select(
            rejected_rows.c.source_id,
            rejected_rows.c.kind,
            rejected_rows.c.first_code,
            func.count(),
        )
        .where(rejected_rows.c.import_run_id.in_(run_ids))
        .group_by(rejected_rows.c.source_id, rejected_rows.c.kind, rejected_rows.c.first_code)
        .order_by(func.count().desc())
    )
    return [(s, k, c, int(n)) for s, k, c, n in _rows(connection, query)]


def last_imports(connection: Connection) -> dict[int, dt.datetime]:
    """Source id -> when its newest completed import finished."""
    query = (
        select(import_runs.c.source_id, func.max(import_runs.c.finished_at))
        .where(import_runs.c.status == "completed")
        .group_by(import_runs.c.source_id)
    )
    return {source: _aware(moment) for source, moment in _rows(connection, query) if moment}


def collected_events(connection: Connection) -> dict[int, dict[str, Any]]:
    """Per source: SDK events stored, on a person, waiting for the stitcher, newest arrival."""
    query = select(
        events.c.source_id,
        func.count(),
        func.count(events.c.person_record_id),
        func.sum(case((events.c.stitched_at.is_(None), 1), else_=0)),
        func.max(events.c.received_at),
    ).group_by(events.c.source_id)
    return {
        source: {
            "events": int(total),
            "on_a_person": int(attributed),
            "pending": int(pending or 0),
            "last_received_at": _aware(last) if last else None,
        }
        for source, total, attributed, pending, last in _rows(connection, query)
    }


def refused_events(connection: Connection) -> list[tuple[int, str, int]]:
    """(source id, reason code, messages) the collection endpoint refused."""
    query = select(rejected_events.c.source_id, rejected_events.c.code, func.count()).group_by(
        rejected_events.c.source_id, rejected_events.c.code
    )
    return [(s, c, int(n)) for s, c, n in _rows(connection, query)]


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; everything Kimlik stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def shared_identifiers(
    connection: Connection, column_name: str, examples: int
) -> tuple[int, int, list[tuple[str, int, int]]]:
    """Identifiers held by more than one person record.

    Returns (identifiers shared, records holding one, the most shared as
    (value, records, sources)). One grouping pass: the totals ride along as window
    aggregates over all groups, computed before the limit (grouping twice cost 40% more
    on a large store).
    """
    column = source_records.c[column_name]
    groups = (
        select(
            column.label("value"),
            func.count().label("records"),
            func.count(func.distinct(source_records.c.source_id)).label("sources"),
        )
        .where(column.is_not(None))
        .group_by(column)
        .having(func.count() > 1)
        .subquery()
    )
    rows = _rows(
        connection,
        select(
            groups.c.value,
            groups.c.records,
            groups.c.sources,
            func.count().over().label("shared"),
            func.sum(groups.c.records).over().label("holding"),
        )
        .order_by(groups.c.records.desc(), groups.c.value)
        .limit(examples),
    )
    if not rows:
        return 0, 0, []
    top = [(value, int(records), int(sources)) for value, records, sources, _, _ in rows]
    return int(rows[0].shared), int(rows[0].holding), top


def active_profiles(connection: Connection) -> int:
    """Profiles that stand for a person now (merged ones point at their survivor)."""
    query = select(func.count()).select_from(profiles).where(profiles.c.status == "active")
    return int(connection.execute(query).scalar_one())
