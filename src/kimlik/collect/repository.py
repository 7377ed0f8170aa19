"""Every query of collection: storing events once, the refused ones, and the stitcher's reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from kimlik.collect.protocol import Message, Refused
from kimlik.store.bulk import RowEncoder
from kimlik.store.server_tables import events, rejected_events

#: ``events`` columns written by collection, in the order of an encoded row
EVENT_COLUMNS = ("source_id", "message_id", "type", "event", "user_id", "anonymous_id",
                 "occurred_at", "received_at", "payload")  # fmt: skip
#: A private staging table per PostgreSQL connection (temporary tables live as long as
#: their session): ``COPY`` cannot skip stored rows, ``INSERT ... SELECT ... ON CONFLICT
#: DO NOTHING`` from here can. Emptied at each commit, and by a rollback.
_STAGING = "pg_temp.kimlik_incoming_events"
_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} (source_id bigint, "
    "message_id varchar(255), type varchar(16), event varchar(255), user_id varchar(255), "
    "anonymous_id varchar(255), occurred_at timestamptz, received_at timestamptz, "
    "payload jsonb) ON COMMIT DELETE ROWS"
)
_COPY = f"COPY {_STAGING} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
_MOVE = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"SELECT {', '.join(EVENT_COLUMNS)} FROM {_STAGING} "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)
_SQLITE_INSERT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))}) "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)


def _insert_new(connection: Connection, table: Table, keys: list[str]) -> Insert:
    """INSERT that skips rows whose key is already stored (a resent batch)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


_encoders: dict[str, RowEncoder] = {}


def _encoder(dialect: Dialect) -> RowEncoder:
    """The dialect's own bind processors for ``EVENT_COLUMNS``, built once per dialect."""
    encoder = _encoders.get(dialect.name)
    if encoder is None:
        encoder = _encoders[dialect.name] = RowEncoder(dialect, events, EVENT_COLUMNS)
    return encoder


def event_rows(
    dialect: Dialect, source_id: int, messages: Sequence[Message], received_at: dt.datetime
) -> list[list[Any]]:
    """``events`` rows of ``messages`` as the driver takes them (``EVENT_COLUMNS`` order).

    Encoded by the dialect's own bind processors, so stored byte for byte as SQLAlchemy
    would store them; only the first row of a messageId a batch repeats. Built before
    the transaction, so a SQLite writer's turn is only the insert.
    """
    seen: set[str] = set()
    rows: list[list[Any]] = []
    for m in messages:
        if m.message_id in seen:
            continue
        seen.add(m.message_id)
        rows.append([source_id, m.message_id, m.type, m.event, m.user_id, m.anonymous_id,
                     m.occurred_at, received_at, m.payload])  # fmt: skip
    _encoder(dialect).encode(rows)
    return rows


def store_events(connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Each row (``event_rows``) once per (source, messageId), however often it is sent.

    Why not SQLAlchemy's ``executemany``: its per-row parameter dictionaries cost ~30 µs
    a message, most of the server's own time per batch (docs/performance.md,
    "Collection"). The encoded rows go straight to the driver: on SQLite one
    ``executemany`` of ``INSERT ... ON CONFLICT DO NOTHING``; on PostgreSQL ``COPY`` into
    the connection's staging table, then one ``INSERT ... SELECT ... ON CONFLICT DO
    NOTHING``, which skips what is stored, or being stored by a concurrent request,
    through the unique index whatever the planner's statistics say.
    """
    if not rows:
        return
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name != "postgresql":
        cursor = driver.cursor()
        try:
            cursor.executemany(_SQLITE_INSERT, rows)
        finally:
            cursor.close()
        return
    with driver.cursor() as cursor:
        # every time (~0.2 ms): made once per connection, but a creation whose transaction
        # rolled back is gone, and a flag kept beside the connection would not know
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_MOVE)


def store_messages(
    connection: Connection, source_id: int, messages: Sequence[Message], received_at: dt.datetime
) -> None:
    """``event_rows`` and ``store_events`` in one call."""
    store_events(connection, event_rows(connection.dialect, source_id, messages, received_at))


def store_refused(
    connection: Connection, source_id: int, refused: Sequence[Refused], received_at: dt.datetime
) -> None:
    """Refused messages, kept for review; one row per message id when there is one."""
    if not refused:
        return
    rows = [
        {
            "source_id": source_id,
            "message_id": r.message_id,
            "code": r.code,
            "reason": r.message,
            "payload": r.payload,
            "received_at": received_at,
        }
        for r in refused
    ]
    keyed = [row for row in rows if row["message_id"] is not None]
    if keyed:
        connection.execute(
            _insert_new(connection, rejected_events, ["source_id", "message_id"]), keyed
        )
    unkeyed = [row for row in rows if row["message_id"] is None]
    if unkeyed:
        connection.execute(rejected_events.insert(), unkeyed)


def count_events(connection: Connection, source_id: int | None = None) -> int:
    query = select(func.count()).select_from(events)
    if source_id is not None:
        query = query.where(events.c.source_id == source_id)
    return int(connection.execute(query).scalar_one())


def message_counts(connection: Connection, source_id: int) -> dict[str, int]:
    """How often each message id is stored (always once; tests check)."""
    rows = connection.execute(
        select(events.c.message_id, func.count())
        .where(events.c.source_id == source_id)
        .group_by(events.c.message_id)
    )
    return {str(row[0]): int(row[1]) for row in rows}


def refused_page(connection: Connection, limit: int, before: int | None) -> list[dict[str, Any]]:
    query = select(rejected_events).order_by(rejected_events.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(rejected_events.c.id < before)
    return [dict(row) for row in connection.execute(query).mappings()]
