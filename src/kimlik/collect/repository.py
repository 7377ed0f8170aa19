"""Every query of collection: storing events once, the refused ones, and the stitcher's reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kimlik.collect.protocol import Message, Refused
from kimlik.store.server_tables import events, rejected_events


def _insert_new(connection: Connection, table: Table, keys: list[str]) -> Insert:
    """INSERT that skips rows whose key is already stored (a resent batch)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


def store_messages(
    connection: Connection, source_id: int, messages: Sequence[Message], received_at: dt.datetime
) -> None:
    """Each message once per source, however often it is sent."""
    if not messages:
        return
    rows = [
        {
            "source_id": source_id,
            "message_id": m.message_id,
            "type": m.type,
            "event": m.event,
            "user_id": m.user_id,
            "anonymous_id": m.anonymous_id,
            "occurred_at": m.occurred_at,
            "received_at": received_at,
            "payload": m.payload,
        }
        for m in messages
    ]
    connection.execute(_insert_new(connection, events, ["source_id", "message_id"]), rows)


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
