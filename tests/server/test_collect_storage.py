"""The collection insert path stores exactly what SQLAlchemy's own insert stored.

Why: ``store_events`` hands encoded rows to the driver (``executemany`` on SQLite, COPY
through a staging table on PostgreSQL) instead of SQLAlchemy's ``executemany``; the rows
must read back the same, byte for byte where the database keeps text.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select, text

from kimlik.collect import repository
from kimlik.collect.protocol import parse
from kimlik.store.server_tables import events
from kimlik.store.tables import sources

RECEIVED = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
BATCH = {
    "sentAt": "2026-03-01T09:30:16.000+03:00",
    "context": {"library": {"name": "analytics-python", "version": "2.4.0"}},
    "batch": [
        {"type": "identify", "userId": "u-1", "messageId": "m-1",
         "timestamp": "2026-03-01T09:29:59.5+03:00",
         "traits": {"email": "ayşe@example.com", "nested": {"a": [1, 2.5, None, True]}}},
        {"type": "track", "anonymousId": "a-1", "event": "Order Completed", "messageId": "m-2",
         "properties": {"total": 10.5, "emoji": "🛒", "quote": "\"\\\t"}},
        {"type": "page", "userId": 42, "name": "Home", "messageId": "m-3"},
        {"type": "track", "userId": "u-1", "event": "Again", "messageId": "m-2"},
    ],
}  # fmt: skip


def _source(engine: Engine, name: str) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(sources).values(name=name, created_at=RECEIVED).returning(sources.c.id)
            ).scalar_one()
        )


def _stored(engine: Engine, source_id: int) -> list[tuple[object, ...]]:
    columns = [c for c in repository.EVENT_COLUMNS if c != "source_id"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(*(events.c[c] for c in columns))
            .where(events.c.source_id == source_id)
            .order_by(events.c.message_id)
        )
        return [tuple(row) for row in rows]


def test_rows_read_back_as_sqlalchemys_insert_wrote_them(engine: Engine) -> None:
    messages = parse(BATCH, single=None, received_at=RECEIVED, max_message_bytes=32 << 10).messages
    before, after = _source(engine, "before"), _source(engine, "after")
    first = {}
    for m in messages:  # SQLAlchemy's insert, one row per messageId, the first one
        first.setdefault(m.message_id, m)
    with engine.begin() as connection:
        connection.execute(
            insert(events),
            [
                {"source_id": before, "message_id": m.message_id, "type": m.type,
                 "event": m.event, "user_id": m.user_id, "anonymous_id": m.anonymous_id,
                 "occurred_at": m.occurred_at, "received_at": RECEIVED, "payload": m.payload}
                for m in first.values()
            ],
        )  # fmt: skip
    for _ in range(2):  # the second time is a resent batch: nothing new
        with engine.begin() as connection:
            repository.store_messages(connection, after, messages, RECEIVED)

    assert _stored(engine, after) == _stored(engine, before)
    assert [row[0] for row in _stored(engine, after)] == ["m-1", "m-2", "m-3"]
    assert _stored(engine, after)[1][2] == "Order Completed"  # the first m-2 is kept
    if engine.dialect.name == "sqlite":  # text as stored, not only as read back
        query = text(
            "SELECT message_id, occurred_at, received_at, payload FROM events "
            "WHERE source_id = :s ORDER BY message_id"
        )
        with engine.connect() as connection:
            raw = [connection.execute(query, {"s": s}).all() for s in (before, after)]
        assert raw[1] == raw[0]


def test_a_batch_rolled_back_leaves_nothing_and_the_next_one_lands(engine: Engine) -> None:
    """PostgreSQL's staging table made in a transaction that rolls back is gone again."""
    source = _source(engine, "web")
    messages = parse(BATCH, single=None, received_at=RECEIVED, max_message_bytes=32 << 10).messages
    with pytest.raises(RuntimeError), engine.begin() as connection:
        repository.store_messages(connection, source, messages, RECEIVED)
        raise RuntimeError("the request failed before its commit")
    assert _stored(engine, source) == []
    with engine.begin() as connection:  # the same pooled connection, most likely
        repository.store_messages(connection, source, messages, RECEIVED)
    assert [row[0] for row in _stored(engine, source)] == ["m-1", "m-2", "m-3"]
