"""The store side of people's decisions: record lookups, merge and never-merge decisions,
the review queue and the ledger entries they write (``identity/decisions.py``,
``identity/review.py``). Resolve runs use ``identity/repository.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from kimlik.identity.repository import chunks
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.store.tables import (
    identity_decisions,
    merge_ledger,
    profile_members,
    review_items,
    source_records,
    sources,
)

#: What a person needs to see of a record to judge a pair.
RECORD_SUMMARY = ("first_name", "last_name", "email", "phone", "birth_date", "city")


def find_record(connection: Connection, source: str, record_id: str) -> int | None:
    """Store id of the person record ``record_id`` of ``source``."""
    statement = (
        select(source_records.c.id)
        .join(sources, sources.c.id == source_records.c.source_id)
        .where(sources.c.name == source, source_records.c.record_id == record_id)
    )
    found = connection.execute(statement).scalar()
    return None if found is None else int(found)


def describe_records(connection: Connection, rids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Store id -> rid, source, record id, the summary attributes and current profile id."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(rids))):
        statement = (
            select(
                source_records.c.id.label("rid"),
                sources.c.name.label("source"),
                source_records.c.record_id,
                *(source_records.c[name] for name in RECORD_SUMMARY),
                profile_members.c.profile_id,
            )
            .join(sources, sources.c.id == source_records.c.source_id)
            .outerjoin(profile_members, profile_members.c.rid == source_records.c.id)
            .where(source_records.c.id.in_(chunk))
        )
        for row in connection.execute(statement).mappings():
            found[int(row["rid"])] = dict(row)
    return found


def active_decisions_of(connection: Connection, rids: Iterable[int]) -> list[dict[str, Any]]:
    """Active decisions with at least one side among ``rids``, oldest first."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(rids))):
        statement = select(identity_decisions).where(
            identity_decisions.c.revoked_at.is_(None),
            or_(identity_decisions.c.record_a.in_(chunk), identity_decisions.c.record_b.in_(chunk)),
        )
        for row in connection.execute(statement).mappings():
            found[int(row["id"])] = dict(row)
    return [found[key] for key in sorted(found)]


def insert_decision(
    connection: Connection,
    kind: str,
    a: int,
    b: int,
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> int:
    """Record a person's decision about two records; returns its id."""
    statement = (
        insert(identity_decisions)
        .values(
            kind=kind,
            record_a=min(a, b),
            record_b=max(a, b),
            actor=actor,
            reason=reason,
            created_at=now,
        )
        .returning(identity_decisions.c.id)
    )
    return int(connection.execute(statement).scalar_one())


def decision_row(connection: Connection, decision_id: int) -> dict[str, Any] | None:
    row = connection.execute(
        select(identity_decisions).where(identity_decisions.c.id == decision_id)
    ).first()
    return None if row is None else dict(row._mapping)


def revoke_decision(connection: Connection, decision_id: int, actor: str, now: dt.datetime) -> bool:
    """Revoke one decision; False when it was already revoked."""
    result = connection.execute(
        update(identity_decisions)
        .where(identity_decisions.c.id == decision_id, identity_decisions.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor)
    )
    return bool(result.rowcount)


def decision_rows(connection: Connection, *, active_only: bool, limit: int) -> list[dict[str, Any]]:
    """Decisions, newest first."""
    statement = select(identity_decisions).order_by(identity_decisions.c.id.desc()).limit(limit)
    if active_only:
        statement = statement.where(identity_decisions.c.revoked_at.is_(None))
    return [dict(row) for row in connection.execute(statement).mappings()]


def review_rows(
    connection: Connection, *, status: str | None, limit: int, item_id: int | None = None
) -> list[dict[str, Any]]:
    """Review items (all statuses when ``status`` is None), strongest evidence first."""
    statement = select(review_items).order_by(review_items.c.weight.desc(), review_items.c.id)
    if status is not None:
        statement = statement.where(review_items.c.status == status)
    if item_id is not None:
        statement = statement.where(review_items.c.id == item_id)
    return [dict(row) for row in connection.execute(statement.limit(limit)).mappings()]


def review_neighbour(
    connection: Connection, weight: float, item_id: int, *, after: bool
) -> int | None:
    """The open item just after (or before) the position (``weight``, ``item_id``) in queue
    order (strongest first, then oldest); the position's own item is never the answer.
    Two plain range reads (same weight, then beyond it) rather than one ``OR``: each can
    walk an index on (status, weight, id) and stop at the first row."""
    c = review_items.c
    is_open = c.status == "open"
    if after:
        tie = select(c.id).where(is_open, c.weight == weight, c.id > item_id).order_by(c.id)
        beyond = (
            select(c.id).where(is_open, c.weight < weight).order_by(c.weight.desc(), c.id.asc())
        )
    else:
        tie = select(c.id).where(is_open, c.weight == weight, c.id < item_id)
        tie = tie.order_by(c.id.desc())
        beyond = (
            select(c.id).where(is_open, c.weight > weight).order_by(c.weight.asc(), c.id.desc())
        )
    for statement in (tie, beyond):
        found = connection.execute(statement.limit(1)).scalar()
        if found is not None:
            return int(found)
    return None


def record_attributes(connection: Connection, rids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Store id -> every canonical attribute of the person record, and its custom ones."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(rids))):
        statement = select(
            source_records.c.id,
            source_records.c.custom,
            *(source_records.c[name] for name in PERSON_ATTRIBUTES),
        ).where(source_records.c.id.in_(chunk))
        for row in connection.execute(statement).mappings():
            values = dict(row)
            found[int(values.pop("id"))] = values
    return found


def decide_review(
    connection: Connection, item_id: int, status: str, actor: str, now: dt.datetime
) -> bool:
    """Close an open review item; False when it was not open."""
    result = connection.execute(
        update(review_items)
        .where(review_items.c.id == item_id, review_items.c.status == "open")
        .values(status=status, decided_at=now, decided_by=actor)
    )
    return bool(result.rowcount)


def add_ledger_entry(
    connection: Connection,
    action: str,
    actor: str,
    now: dt.datetime,
    records: Sequence[int],
    profiles: tuple[int | None, int | None],
    evidence: dict[str, Any],
) -> int:
    """Write one person's ledger entry (empty evidence values left out); its id."""
    profile, other = profiles
    statement = insert(merge_ledger).values(
        at=now,
        action=action,
        profile_id=profile,
        other_profile_id=other if other != profile else None,
        record_ids=list(records),
        evidence={key: value for key, value in evidence.items() if value},
        actor=actor,
        resolve_run_id=None,
    )
    return int(connection.execute(statement.returning(merge_ledger.c.id)).scalar_one())


def set_ledger_run(connection: Connection, entry_id: int, run_id: int) -> None:
    """Point a person's ledger entry at the resolve run that carried it out."""
    connection.execute(
        update(merge_ledger).where(merge_ledger.c.id == entry_id).values(resolve_run_id=run_id)
    )


def reopen_review(connection: Connection, a: int, b: int, status: str) -> int | None:
    """Set the pair's review item back to open if it was decided as ``status``; its id."""
    pair = or_(
        (review_items.c.record_a == a) & (review_items.c.record_b == b),
        (review_items.c.record_a == b) & (review_items.c.record_b == a),
    )
    item = connection.execute(
        select(review_items.c.id).where(pair, review_items.c.status == status)
    ).scalar()
    if item is None:
        return None
    connection.execute(
        update(review_items)
        .where(review_items.c.id == item)
        .values(status="open", decided_at=None, decided_by=None)
    )
    return int(item)


def merge_path(connection: Connection, start: int, goal: int) -> list[int]:
    """Ids of the active merge decisions chaining record ``start`` to ``goal`` ([]: none)."""
    reached: dict[int, tuple[int, int] | None] = {start: None}
    frontier = {start}
    while frontier and goal not in reached:
        rows = [d for d in active_decisions_of(connection, frontier) if d["kind"] == "merge"]
        step, frontier = frontier, set()
        for row in rows:
            ends = int(row["record_a"]), int(row["record_b"])
            for here, there in (ends, ends[::-1]):
                if here in step and there not in reached:
                    reached[there] = (here, int(row["id"]))
                    frontier.add(there)
    path, node = [], reached.get(goal)
    while node is not None:
        path.append(node[1])
        node = reached[node[0]]
    return sorted(path)


def never_merges_between(
    connection: Connection, left: Iterable[int], right: Iterable[int]
) -> list[int]:
    """Ids of active never-merge decisions with one record in ``left``, one in ``right``."""
    left_set, right_set = set(left), set(right)
    found = []
    for row in active_decisions_of(connection, left_set):
        a, b = int(row["record_a"]), int(row["record_b"])
        across = (a in left_set and b in right_set) or (b in left_set and a in right_set)
        if row["kind"] == "never_merge" and across:
            found.append(int(row["id"]))
    return found
