"""Every query identity resolution runs: records in, profiles, members and decisions out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

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


def add_decision(
    connection: Connection,
    kind: str,
    a: int,
    b: int,
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> None:
    connection.execute(
        insert(identity_decisions).values(
            kind=kind,
            record_a=min(a, b),
            record_b=max(a, b),
            actor=actor,
            reason=reason,
            created_at=now,
        )
    )


def revoke_decisions(
    connection: Connection, kind: str, record: int, actor: str, now: dt.datetime
) -> int:
    """Revoke active decisions of ``kind`` involving ``record``; returns how many."""
    result = connection.execute(
        update(identity_decisions)
        .where(
            identity_decisions.c.kind == kind,
            identity_decisions.c.revoked_at.is_(None),
            or_(identity_decisions.c.record_a == record, identity_decisions.c.record_b == record),
        )
        .values(revoked_at=now, revoked_by=actor)
    )
    return int(result.rowcount or 0)


def insert_profile(connection: Connection, values: dict[str, Any]) -> int:
    statement = profiles.insert().values(**values).returning(profiles.c.id)
    return int(connection.execute(statement).scalar_one())


def update_profile(connection: Connection, profile_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(profiles).where(profiles.c.id == profile_id).values(**values))


def retire_profiles(connection: Connection, into: dict[int, int | None], now: dt.datetime) -> None:
    """Mark profiles as merged into another (or emptied, when ``None``)."""
    for old, new in into.items():
        connection.execute(
            update(profiles)
            .where(profiles.c.id == old)
            .values(status="merged" if new else "empty", merged_into=new, updated_at=now)
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
