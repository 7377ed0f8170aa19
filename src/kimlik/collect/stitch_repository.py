"""Every query of the stitcher: pending events, people by user id, devices, assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, text, update
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


def record_ids(connection: Connection, source_id: int, user_ids: Sequence[str]) -> dict[str, int]:
    """record id → row id of a source's person records (without their payloads)."""
    found: dict[str, int] = {}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        rows = connection.execute(
            select(source_records.c.record_id, source_records.c.id).where(
                source_records.c.source_id == source_id, source_records.c.record_id.in_(chunk)
            )
        )
        found.update((str(row[0]), int(row[1])) for row in rows)
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


#: PostgreSQL: a round's assignments as two arrays, joined in one statement
_PG_MARK = text(
    "UPDATE events SET person_record_id = given.rid, stitched_at = :now "
    "FROM (SELECT unnest(CAST(:ids AS bigint[])) AS id, "
    "unnest(CAST(:rids AS bigint[])) AS rid) AS given WHERE events.id = given.id"
)
_PG_DEVICES = text(
    "UPDATE events SET person_record_id = given.rid "
    "FROM (SELECT unnest(CAST(:devices AS text[])) AS anonymous_id, "
    "unnest(CAST(:rids AS bigint[])) AS rid) AS given "
    "WHERE events.source_id = :source_id AND events.anonymous_id = given.anonymous_id "
    "AND events.user_id IS NULL AND events.person_record_id IS NULL "
    "AND events.stitched_at IS NOT NULL"
)


def mark_stitched(
    connection: Connection, assignments: Sequence[tuple[int, int | None]], now: dt.datetime
) -> None:
    """Each event's person record (None: nobody yet), and that it has been looked at.

    PostgreSQL gets one statement for the whole round (a statement per event cost most
    of a round there); SQLite, in process, an ``executemany``.
    """
    if not assignments:
        return
    if connection.dialect.name == "postgresql":
        ids, rids = zip(*assignments, strict=True)
        connection.execute(_PG_MARK, {"now": now, "ids": list(ids), "rids": list(rids)})
        return
    statement = (
        update(events)
        .where(events.c.id == bindparam("event_id"))
        .values(person_record_id=bindparam("rid"), stitched_at=now)
    )
    connection.execute(statement, [{"event_id": e, "rid": r} for e, r in assignments])


def attribute_devices(connection: Connection, source_id: int, owners: dict[str, int]) -> int:
    """Give devices' earlier anonymous events, attributed to nobody, to their one user
    (``owners``: anonymousId → person record)."""
    if not owners:
        return 0
    if connection.dialect.name == "postgresql":
        devices = sorted(owners)
        result = connection.execute(
            _PG_DEVICES,
            {"source_id": source_id, "devices": devices, "rids": [owners[d] for d in devices]},
        )
        return int(result.rowcount or 0)
    changed = 0
    for device, rid in sorted(owners.items()):
        result = connection.execute(
            update(events)
            .where(
                and_(
                    events.c.source_id == source_id,
                    events.c.anonymous_id == device,
                    events.c.user_id.is_(None),
                    events.c.person_record_id.is_(None),
                    events.c.stitched_at.is_not(None),
                )
            )
            .values(person_record_id=rid)
        )
        changed += int(result.rowcount or 0)
    return changed


def unattributed_events(connection: Connection) -> int:
    """Events looked at but on no person: anonymous visitors, shared devices."""
    return int(
        connection.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.stitched_at.is_not(None), events.c.person_record_id.is_(None))
        ).scalar_one()
    )
