"""Every query identity resolution runs: records in, profiles, members and decisions out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from kimlik.store.bulk import BulkInserter
from kimlik.store.tables import (
    identity_decisions,
    match_features,
    merge_ledger,
    profile_identities,
    profile_members,
    profiles,
    resolve_runs,
    review_items,
    source_records,
    sources,
)

#: Person attributes survivorship chooses from (GUIDE §4 canonical attributes).
PERSON_COLUMNS = (
    "first_name", "last_name", "email", "email_key", "phone", "birth_date", "street", "city",
    "region", "postal_code", "country", "company", "job_title", "industry", "gender",
    "marital_status", "education", "annual_income", "signed_up_at",
)  # fmt: skip


def load_people(connection: Connection) -> list[dict[str, Any]]:
    """Every person record with its source, ids and canonical attributes."""
    columns = [source_records.c[name] for name in PERSON_COLUMNS]
    statement = (
        select(
            source_records.c.id.label("rid"),
            source_records.c.version,
            source_records.c.record_id,
            source_records.c.first_seen_at,
            source_records.c.updated_at,
            sources.c.name.label("source"),
            source_records.c.custom,
            *columns,
        )
        .join(sources, sources.c.id == source_records.c.source_id)
        .order_by(source_records.c.id)
    )
    return [dict(row) for row in connection.execute(statement).mappings()]


def load_members(connection: Connection) -> dict[int, tuple[int, int]]:
    """record id -> (profile id, record version it was resolved at)."""
    rows: Any = connection.execute(
        select(
            profile_members.c.rid, profile_members.c.profile_id, profile_members.c.record_version
        )
    )
    return {int(rid): (int(profile), int(version)) for rid, profile, version in rows}


def load_features(connection: Connection) -> dict[int, tuple[int, dict[str, Any]]]:
    """record id -> (version, stored match features)."""
    rows: Any = connection.execute(
        select(match_features.c.rid, match_features.c.record_version, match_features.c.features)
    )
    return {int(rid): (int(version), dict(features)) for rid, version, features in rows}


def save_features(connection: Connection, rows: Sequence[tuple[int, int, dict[str, Any]]]) -> None:
    """Replace the stored features of the given records."""
    ids = [rid for rid, _, _ in rows]
    for chunk in _chunks(ids):
        connection.execute(delete(match_features).where(match_features.c.rid.in_(chunk)))
    inserter = BulkInserter(connection, match_features, ["rid", "record_version", "features"])
    inserter.insert([[rid, version, features] for rid, version, features in rows])


def latest_model(connection: Connection) -> dict[str, Any] | None:
    """The model of the latest completed run, if any."""
    model = connection.execute(
        select(resolve_runs.c.model)
        .where(resolve_runs.c.status == "completed", resolve_runs.c.model.is_not(None))
        .order_by(resolve_runs.c.id.desc())
        .limit(1)
    ).scalar()
    return dict(model) if model else None


def start_run(connection: Connection, mode: str, settings: dict[str, Any], now: dt.datetime) -> int:
    statement = resolve_runs.insert().values(
        mode=mode, status="running", started_at=now, settings=settings, stats={}
    )
    return int(connection.execute(statement.returning(resolve_runs.c.id)).scalar_one())


def finish_run(connection: Connection, run_id: int, **values: Any) -> None:
    connection.execute(update(resolve_runs).where(resolve_runs.c.id == run_id).values(**values))


def decisions(connection: Connection) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Active (must-link, cannot-link) pairs from people's decisions and reviews."""
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    rows: Any = connection.execute(
        select(
            identity_decisions.c.kind, identity_decisions.c.record_a, identity_decisions.c.record_b
        )
        .where(identity_decisions.c.revoked_at.is_(None))
        .order_by(identity_decisions.c.id)
    )
    for kind, a, b in rows:
        (must if kind == "merge" else cannot).append((int(a), int(b)))
    return must, cannot


def insert_profile(connection: Connection, values: dict[str, Any]) -> int:
    statement = profiles.insert().values(**values).returning(profiles.c.id)
    return int(connection.execute(statement).scalar_one())


def insert_profiles(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert profiles in one statement batch; their ids, in the order of ``rows``."""
    if not rows:
        return []
    statement = profiles.insert().returning(profiles.c.id, sort_by_parameter_order=True)
    ids: Any = connection.execute(statement, list(rows)).scalars()
    return [int(pid) for pid in ids]


def update_profile(connection: Connection, profile_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(profiles).where(profiles.c.id == profile_id).values(**values))


def update_profiles(connection: Connection, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Rewrite many profiles (same columns in every row) as one executemany."""
    if not rows:
        return
    columns = list(rows[0][1])
    statement = (
        update(profiles)
        .where(profiles.c.id == bindparam("profile_key"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    params = [
        {"profile_key": pid, **{f"new_{name}": values[name] for name in columns}}
        for pid, values in rows
    ]
    connection.execute(statement, params)


def retire_profiles(connection: Connection, into: dict[int, int | None], now: dt.datetime) -> None:
    """Mark profiles as merged into another (or emptied, when ``None``)."""
    if not into:
        return
    statement = (
        update(profiles)
        .where(profiles.c.id == bindparam("profile_key"))
        .values(status=bindparam("new_status"), merged_into=bindparam("new_into"), updated_at=now)
    )
    connection.execute(
        statement,
        [
            {"profile_key": old, "new_status": "merged" if new else "empty", "new_into": new}
            for old, new in into.items()
        ],
    )


def replace_members(
    connection: Connection,
    rows: Sequence[tuple[int, int, int, str, float | None]],
    now: dt.datetime,
) -> None:
    """(rid, profile id, record version, linked_by, weight) for each record, replacing any."""
    ids = [row[0] for row in rows]
    for chunk in _chunks(ids):
        connection.execute(delete(profile_members).where(profile_members.c.rid.in_(chunk)))
    inserter = BulkInserter(
        connection,
        profile_members,
        ["rid", "profile_id", "record_version", "linked_by", "weight", "linked_at"],
    )
    inserter.insert([[*row, now] for row in rows])


def replace_identities(
    connection: Connection, profile_ids: Iterable[int], rows: Sequence[tuple[int, str, str, int]]
) -> None:
    """(profile id, kind, value, record count) for the given profiles, replacing theirs."""
    for chunk in _chunks(list(profile_ids)):
        connection.execute(
            delete(profile_identities).where(profile_identities.c.profile_id.in_(chunk))
        )
    inserter = BulkInserter(
        connection, profile_identities, ["profile_id", "kind", "value", "record_count"]
    )
    inserter.insert([list(row) for row in rows])


def write_ledger(connection: Connection, entries: Sequence[dict[str, Any]]) -> None:
    if entries:
        connection.execute(insert(merge_ledger), list(entries))


def open_review_pairs(connection: Connection) -> dict[tuple[int, int], tuple[int, str]]:
    rows: Any = connection.execute(
        select(
            review_items.c.record_a,
            review_items.c.record_b,
            review_items.c.id,
            review_items.c.status,
        )
    )
    return {(int(a), int(b)): (int(item), str(status)) for a, b, item, status in rows}


def upsert_review(
    connection: Connection, items: Sequence[dict[str, Any]], stale: Sequence[int], now: dt.datetime
) -> None:
    """Add new review items; close open ones the latest run no longer doubts."""
    if items:
        connection.execute(insert(review_items), list(items))
    for chunk in _chunks(list(stale)):
        connection.execute(
            update(review_items)
            .where(review_items.c.id.in_(chunk), review_items.c.status == "open")
            .values(status="resolved", decided_at=now, decided_by="resolve")
        )


def profile_count(connection: Connection) -> int:
    statement = select(func.count()).select_from(profiles).where(profiles.c.status == "active")
    return int(connection.execute(statement).scalar_one())


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    """SQLite caps bound parameters per statement; keep IN lists well under it."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- people's decisions: lookups, decisions, review, ledger (identity/decisions.py) -------

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
    for chunk in _chunks(sorted(set(rids))):
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


def profile_state(connection: Connection, profile_id: int) -> tuple[str, int | None] | None:
    """(status, merged_into) of a profile, ``None`` when there is none."""
    row = connection.execute(
        select(profiles.c.status, profiles.c.merged_into).where(profiles.c.id == profile_id)
    ).first()
    if row is None:
        return None
    return str(row.status), None if row.merged_into is None else int(row.merged_into)


def members_of(connection: Connection, profile_ids: Iterable[int]) -> list[int]:
    """Store ids of the records of the given profiles, ascending."""
    ids = sorted(set(profile_ids))
    statement = select(profile_members.c.rid).where(profile_members.c.profile_id.in_(ids))
    rids: Any = connection.execute(statement).scalars()
    return sorted(int(rid) for rid in rids)


def profiles_of(connection: Connection, rids: Iterable[int]) -> dict[int, int]:
    """Record -> its current profile (unresolved records are left out)."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(rids))):
        rows: Any = connection.execute(
            select(profile_members.c.rid, profile_members.c.profile_id).where(
                profile_members.c.rid.in_(chunk)
            )
        )
        found.update((int(rid), int(profile)) for rid, profile in rows)
    return found


def active_decisions_of(connection: Connection, rids: Iterable[int]) -> list[dict[str, Any]]:
    """Active decisions with at least one side among ``rids``, oldest first."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(rids))):
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
