"""Every query behind the single customer view and the exports; portable SQL, values bound.

A profile's records are its ``profile_members``; its timeline is every related record
(order, interaction, survey answer, consent) and tracked SDK event whose
``person_record_id`` is one of them, plus the merge ledger entries of the profile and of
the profiles merged into it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, func, null, or_, select, tuple_

from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.store.server_tables import events
from kimlik.store.tables import (
    consents,
    feedback,
    interactions,
    merge_ledger,
    order_items,
    orders,
    profile_identities,
    profile_members,
    profiles,
    source_records,
    sources,
)

#: Rows fetched per round trip when streaming an export.
STREAM_BATCH = 2000
#: Longest ``merged_into`` chain followed; a longer one means the chain loops.
MAX_HOPS = 100


def _records_of(profile_id: int) -> Any:
    """Subquery: the store ids of the profile's person records."""
    return select(profile_members.c.rid).where(profile_members.c.profile_id == profile_id)


# --- finding a profile ------------------------------------------------------------------


def profile_state(connection: Connection, profile_id: int) -> tuple[str, int | None] | None:
    """(status, merged_into) of a profile, or ``None`` when there is no such profile."""
    row = connection.execute(
        select(profiles.c.status, profiles.c.merged_into).where(profiles.c.id == profile_id)
    ).first()
    if row is None:
        return None
    return str(row.status), None if row.merged_into is None else int(row.merged_into)


def largest_profile(connection: Connection) -> int | None:
    """The active profile gathered from the most records (the lowest id on a tie)."""
    statement = (
        select(profiles.c.id)
        .where(profiles.c.status == "active")
        .order_by(profiles.c.record_count.desc(), profiles.c.id)
        .limit(1)
    )
    found = connection.execute(statement).scalar()
    return None if found is None else int(found)


def profiles_by_identity(connection: Connection, kind: str, value: str) -> list[int]:
    """Profiles holding identity ``kind`` = ``value`` (retired ones included)."""
    statement = select(profile_identities.c.profile_id).where(
        profile_identities.c.kind == kind, profile_identities.c.value == value
    )
    return _ids(connection, statement)


def profiles_by_email(connection: Connection, email: str) -> list[int]:
    """Profiles whose golden email is exactly ``email`` (as standardized)."""
    return _ids(connection, select(profiles.c.id).where(profiles.c.email == email))


def profiles_by_record(connection: Connection, source: str, record_id: str) -> list[int]:
    """The profile holding the person record ``record_id`` of ``source`` (at most one)."""
    statement = (
        select(profile_members.c.profile_id)
        .join(source_records, source_records.c.id == profile_members.c.rid)
        .join(sources, sources.c.id == source_records.c.source_id)
        .where(sources.c.name == source, source_records.c.record_id == record_id)
    )
    return _ids(connection, statement)


def _ids(connection: Connection, statement: Any) -> list[int]:
    """The distinct ids a one-column query returns, ascending."""
    ids: Any = connection.execute(statement).scalars()
    return sorted({int(pid) for pid in ids})


def profile_names(connection: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Profile id -> "first last" (blank parts left out), to tell candidates apart."""
    statement = select(profiles.c.id, profiles.c.first_name, profiles.c.last_name).where(
        profiles.c.id.in_(list(ids))
    )
    return {
        int(row.id): " ".join(part for part in (row.first_name, row.last_name) if part)
        for row in connection.execute(statement)
    }


# --- the view ---------------------------------------------------------------------------


def profile_row(connection: Connection, profile_id: int) -> dict[str, Any] | None:
    """The profile row: status, golden attributes, lineage, counts and times."""
    row = connection.execute(
        select(
            profiles.c.id,
            profiles.c.status,
            profiles.c.attributes,
            profiles.c.lineage,
            profiles.c.record_count,
            profiles.c.created_at,
            profiles.c.updated_at,
        ).where(profiles.c.id == profile_id)
    ).first()
    return None if row is None else dict(row._mapping)


def identities(connection: Connection, profile_id: int) -> list[tuple[str, str, int]]:
    """(kind, value, records carrying it) of the profile, by kind then value."""
    identity = profile_identities.c
    rows: Any = connection.execute(
        select(identity.kind, identity.value, identity.record_count)
        .where(identity.profile_id == profile_id)
        .order_by(identity.kind, identity.value)
    )
    return [(str(k), str(v), int(n)) for k, v, n in rows]


def members(connection: Connection, profile_id: int) -> list[dict[str, Any]]:
    """The profile's person records: source, ids, link details and canonical attributes."""
    statement = (
        select(
            source_records.c.id.label("record_key"),
            sources.c.name.label("source"),
            source_records.c.record_id,
            profile_members.c.linked_by,
            profile_members.c.weight,
            profile_members.c.linked_at,
            source_records.c.first_seen_at,
            source_records.c.updated_at,
            source_records.c.custom,
            *(source_records.c[name] for name in PERSON_ATTRIBUTES),
        )
        .join(source_records, source_records.c.id == profile_members.c.rid)
        .join(sources, sources.c.id == source_records.c.source_id)
        .where(profile_members.c.profile_id == profile_id)
        .order_by(sources.c.name, source_records.c.record_id)
    )
    return [dict(row) for row in connection.execute(statement).mappings()]


# --- the timeline: one statement per kind, shared by the whole list and its pages ---------

#: Related kinds shown on the timeline: table, its time column, the columns shown.
ACTIVITY: dict[str, tuple[Table, str, tuple[str, ...]]] = {
    "interaction": (
        interactions,
        "occurred_at",
        ("channel", "department", "agent", "reason", "outcome"),
    ),
    "feedback": (feedback, "answered_at", ("survey", "question", "score", "comment")),
    "consent": (consents, "recorded_at", ("purpose", "channel", "status")),
}


def timeline_source(kind: str, profile_ids: Sequence[int]) -> tuple[Select[Any], Table, Any]:
    """(statement, table, its time column) for one timeline kind of a profile, unordered.

    ``profile_ids``: the profile first, then (for ``profile`` entries) the profiles merged
    into it. Every statement yields ``source``, ``record_id`` and ``at`` and the kind's
    details; callers order, filter and page it by the table's ``id`` and time column.
    """
    if kind == "order":
        return _orders(profile_ids[0]), orders, orders.c.ordered_at
    if kind == "event":
        return _events(profile_ids[0]), events, events.c.occurred_at
    if kind == "profile":
        return _ledger(profile_ids), merge_ledger, merge_ledger.c.at
    table, moment, columns = ACTIVITY[kind]
    statement = (
        select(
            sources.c.name.label("source"),
            table.c.record_id,
            table.c[moment].label("at"),
            *(table.c[name] for name in columns),
        )
        .join(sources, sources.c.id == table.c.source_id)
        .where(table.c.person_record_id.in_(_records_of(profile_ids[0])))
    )
    return statement, table, table.c[moment]


def _orders(profile_id: int) -> Select[Any]:
    """The profile's orders with their item count (units; a line without quantity is 1)."""
    # Items by (source, order id), the indexed key ``order_row_id`` is derived from.
    units = (
        select(func.coalesce(func.sum(func.coalesce(order_items.c.quantity, 1)), 0))
        .where(
            order_items.c.source_id == orders.c.source_id,
            order_items.c.order_id == orders.c.record_id,
        )
        .scalar_subquery()
    )
    return (
        select(
            sources.c.name.label("source"),
            orders.c.record_id,
            orders.c.ordered_at.label("at"),
            orders.c.total,
            orders.c.currency,
            orders.c.status,
            orders.c.channel,
            units.label("items"),
        )
        .join(sources, sources.c.id == orders.c.source_id)
        .where(orders.c.person_record_id.in_(_records_of(profile_id)))
    )


def _events(profile_id: int) -> Select[Any]:
    """The tracked SDK events the stitcher attached to the profile's records."""
    return (
        select(
            sources.c.name.label("source"),
            events.c.message_id.label("record_id"),
            events.c.occurred_at.label("at"),
            events.c.type,
            events.c.event,
            events.c.payload,
        )
        .join(sources, sources.c.id == events.c.source_id)
        .where(events.c.person_record_id.in_(_records_of(profile_id)))
    )


def _ledger(profile_ids: Sequence[int]) -> Select[Any]:
    """Merge ledger entries naming any of ``profile_ids``."""
    ids = list(profile_ids)
    return select(
        null().label("source"),
        null().label("record_id"),
        merge_ledger.c.at,
        merge_ledger.c.action,
        merge_ledger.c.profile_id,
        merge_ledger.c.other_profile_id,
        merge_ledger.c.record_ids,
        merge_ledger.c.actor,
    ).where(or_(merge_ledger.c.profile_id.in_(ids), merge_ledger.c.other_profile_id.in_(ids)))


def ledger_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ledger row as the timeline shows it: ``records`` is how many records it concerns."""
    shown = {k: v for k, v in row.items() if k not in {"record_ids", "source", "record_id"}}
    return {**shown, "records": len(row["record_ids"] or [])}


def orders_of(connection: Connection, profile_id: int) -> list[dict[str, Any]]:
    """The profile's orders with their item count, in the order they were stored."""
    statement = _orders(profile_id).order_by(orders.c.id)
    return [dict(row) for row in connection.execute(statement).mappings()]


def activity_of(connection: Connection, kind: str, profile_id: int) -> list[dict[str, Any]]:
    """The profile's records of one related ``kind`` (see ``ACTIVITY``)."""
    statement, table, _moment = timeline_source(kind, [profile_id])
    return [dict(row) for row in connection.execute(statement.order_by(table.c.id)).mappings()]


def events_of(connection: Connection, profile_id: int) -> list[dict[str, Any]]:
    """The tracked SDK events of the profile's records, in the order they arrived."""
    statement = _events(profile_id).order_by(events.c.id)
    return [dict(row) for row in connection.execute(statement).mappings()]


def absorbed_profiles(connection: Connection, profile_id: int) -> list[int]:
    """Profiles merged into this one, directly or through a chain of merges.

    Read from the ledger's ``merge`` entries (indexed by ``profile_id``): the ledger keeps
    every merge the profile's timeline lists, whatever became of the profiles since.
    """
    found: set[int] = set()
    frontier = [profile_id]
    for _ in range(MAX_HOPS):
        if not frontier:
            break
        statement = select(merge_ledger.c.other_profile_id).where(
            merge_ledger.c.action == "merge",
            merge_ledger.c.profile_id.in_(frontier),
            merge_ledger.c.other_profile_id.is_not(None),
        )
        frontier = [pid for pid in _ids(connection, statement) if pid not in found]
        found.update(frontier)
    found.discard(profile_id)
    return sorted(found)


def ledger_of(connection: Connection, profile_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Merge ledger entries naming any of ``profile_ids``, oldest first; ``records`` is how
    many records the entry concerns."""
    statement = _ledger(profile_ids).order_by(merge_ledger.c.at, merge_ledger.c.id)
    return [ledger_row(dict(row)) for row in connection.execute(statement).mappings()]


# --- exports ----------------------------------------------------------------------------


def stream_profiles(connection: Connection) -> Iterator[tuple[int, dict[str, Any]]]:
    """(profile id, golden attributes) of every active profile, by id, fetched in batches."""
    statement = (
        select(profiles.c.id, profiles.c.attributes)
        .where(profiles.c.status == "active")
        .order_by(profiles.c.id)
    )
    result: Any = connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
    for profile_id, attributes in result:
        yield int(profile_id), dict(attributes or {})


def stream_members(connection: Connection) -> Iterator[tuple[int, str, str]]:
    """(profile id, source, record id) of every person record in a profile."""
    statement = (
        select(profile_members.c.profile_id, sources.c.name, source_records.c.record_id)
        .join(source_records, source_records.c.id == profile_members.c.rid)
        .join(sources, sources.c.id == source_records.c.source_id)
        .order_by(profile_members.c.profile_id, sources.c.name, source_records.c.record_id)
    )
    result: Any = connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
    for profile_id, source, record_id in result:
        yield int(profile_id), str(source), str(record_id)


# --- key figures: aggregates, so a customer with thousands of events costs one query each --


def activity_span(connection: Connection, profile_id: int, kinds: Sequence[str]) -> list[Any]:
    """The earliest and latest moment of each of ``kinds`` (not ``profile``), as
    (kind, earliest, latest) rows; kinds with no dated entry give nulls."""
    rows = []
    for kind in kinds:
        statement, _table, _moment = timeline_source(kind, [profile_id])
        dated = statement.subquery()
        span = select(func.min(dated.c.at), func.max(dated.c.at))
        earliest, latest = connection.execute(span).one()
        rows.append((kind, earliest, latest))
    return rows


def order_totals(connection: Connection, profile_id: int) -> list[tuple[Any, Any, int, Any]]:
    """(currency, status, orders, summed total) of the profile's orders."""
    statement = (
        select(orders.c.currency, orders.c.status, func.count(), func.sum(orders.c.total))
        .where(orders.c.person_record_id.in_(_records_of(profile_id)))
        .group_by(orders.c.currency, orders.c.status)
    )
    return [tuple(row) for row in connection.execute(statement)]  # type: ignore[misc]


def latest_score(connection: Connection, profile_id: int) -> Mapping[str, Any] | None:
    """The profile's latest survey answer with a score: dated ones before undated, and
    among answers of one moment the first in timeline order (source, then record id)."""
    statement = (
        select(feedback.c.answered_at.label("at"), feedback.c.score, feedback.c.survey)
        .join(sources, sources.c.id == feedback.c.source_id)
        .where(
            feedback.c.person_record_id.in_(_records_of(profile_id)),
            feedback.c.score.is_not(None),
        )
        .order_by(feedback.c.answered_at.desc().nulls_last(), sources.c.name, feedback.c.record_id)
        .limit(1)
    )
    row = connection.execute(statement).mappings().first()
    return None if row is None else dict(row)


def order_lines(
    connection: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The item lines of orders named (source, order id), in the order they were stored;
    one index range per order (``ix_order_items_order``)."""
    if not keys:
        return {}
    statement = (
        select(
            sources.c.name.label("source"),
            order_items.c.order_id,
            order_items.c.sku,
            order_items.c.product_name,
            order_items.c.quantity,
            order_items.c.unit_price,
        )
        .join(sources, sources.c.id == order_items.c.source_id)
        .where(tuple_(sources.c.name, order_items.c.order_id).in_(list(keys)))
        .order_by(order_items.c.id)
    )
    lines: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in connection.execute(statement).mappings():
        line = {k: row[k] for k in ("sku", "product_name", "quantity", "unit_price")}
        lines.setdefault((row["source"], row["order_id"]), []).append(line)
    return lines
