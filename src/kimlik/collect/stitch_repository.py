"""Every query of the stitcher: pending events, people by user id, devices, assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kimlik.store.server_tables import device_users, events
from kimlik.store.tables import profile_members, source_records, sources


def pending(connection: Connection, limit: int) -> list[dict[str, Any]]:
    """Events not stitched yet, oldest first (the partial index ``ix_events_pending``)."""
    query = (
        select(
            events.c.id,
            events.c.source_id,
            events.c.type,
            events.c.user_id,
            events.c.anonymous_id,
            events.c.payload,
        )
        .where(events.c.stitched_at.is_(None))
        .order_by(events.c.id)
        .limit(limit)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def source_names(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    rows = connection.execute(
        select(sources.c.id, sources.c.name).where(sources.c.id.in_(list(ids)))
    )
    return {int(row[0]): str(row[1]) for row in rows}


def people_of(
    connection: Connection, source_id: int, record_ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """record id → (row id, raw row) of a source's person records."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for start in range(0, len(record_ids), 500):
        chunk = list(record_ids[start : start + 500])
        rows = connection.execute(
            select(source_records.c.record_id, source_records.c.id, source_records.c.raw).where(
                source_records.c.source_id == source_id, source_records.c.record_id.in_(chunk)
            )
        )
        for row in rows.mappings():
            found[str(row["record_id"])] = (int(row["id"]), dict(row["raw"] or {}))
    return found


def profiles_of(connection: Connection, rids: Sequence[int]) -> dict[int, int]:
    """record row id → the profile it is a member of."""
    rows = connection.execute(
        select(profile_members.c.rid, profile_members.c.profile_id).where(
            profile_members.c.rid.in_(list(rids))
        )
    )
    return {int(row[0]): int(row[1]) for row in rows}


def link_devices(
    connection: Connection, source_id: int, links: Iterable[tuple[str, str]], now: dt.datetime
) -> None:
    """Remember (anonymousId, userId) pairs; a pair seen before changes nothing."""
    rows = [
        {"source_id": source_id, "anonymous_id": a, "user_id": u, "first_seen_at": now}
        for a, u in sorted(set(links))
    ]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(device_users).on_conflict_do_nothing(
        index_elements=["source_id", "anonymous_id", "user_id"]
    )
    connection.execute(statement, rows)


def device_owners(
    connection: Connection, source_id: int, anonymous_ids: Sequence[str]
) -> dict[str, list[str]]:
    """anonymousId → the user ids it has carried, oldest link first."""
    owners: dict[str, list[str]] = {}
    for start in range(0, len(anonymous_ids), 500):
        chunk = list(anonymous_ids[start : start + 500])
        rows = connection.execute(
            select(device_users.c.anonymous_id, device_users.c.user_id)
            .where(device_users.c.source_id == source_id, device_users.c.anonymous_id.in_(chunk))
            .order_by(device_users.c.first_seen_at, device_users.c.id)
        )
        for anonymous_id, user_id in rows:
            owners.setdefault(str(anonymous_id), []).append(str(user_id))
    return owners


def mark_stitched(
    connection: Connection, assignments: Sequence[tuple[int, int | None]], now: dt.datetime
) -> None:
    """Each event's person record (None: nobody yet), and that it has been looked at."""
    if not assignments:
        return
    statement = (
        update(events)
        .where(events.c.id == bindparam("event_id"))
        .values(person_record_id=bindparam("rid"), stitched_at=now)
    )
    connection.execute(
        statement, [{"event_id": event_id, "rid": rid} for event_id, rid in assignments]
    )


def attribute_device(connection: Connection, source_id: int, anonymous_id: str, rid: int) -> int:
    """Give a device's earlier anonymous events, attributed to nobody, to its one user."""
    result = connection.execute(
        update(events)
        .where(
            and_(
                events.c.source_id == source_id,
                events.c.anonymous_id == anonymous_id,
                events.c.user_id.is_(None),
                events.c.person_record_id.is_(None),
                events.c.stitched_at.is_not(None),
            )
        )
        .values(person_record_id=rid)
    )
    return int(result.rowcount or 0)


def unattributed_events(connection: Connection) -> int:
    """Events looked at but on no person: anonymous visitors, shared devices."""
    return int(
        connection.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.stitched_at.is_not(None), events.c.person_record_id.is_(None))
        ).scalar_one()
    )
