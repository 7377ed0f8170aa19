"""The queries a resolve run makes: records in; profiles, members, features and runs out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from kimlik.resolve.features import FEATURES_VERSION, VERSION_KEY
from kimlik.store.bulk import BulkInserter
from kimlik.store.deferred_indexes import DeferredIndexes
from kimlik.store.engine import json_text
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

#: pg_advisory_xact_lock key of resolve runs ("kimlik" in ASCII, as a number)
RESOLVE_LOCK = 0x6B696D6C696B


def lock_resolving(connection: Connection) -> None:
    """Let one resolve run at a time across processes (CLI, server, API decisions).

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback.
    SQLite needs none: its single writer already serializes runs.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESOLVE_LOCK})


def _rows(
    connection: Connection, statement: Select[Any], column: Any, ids: Iterable[int] | None
) -> Iterator[Any]:
    """The rows of ``statement``: all (``ids`` None), or those whose ``column`` is in
    ``ids``, asked for in chunks that stay under SQLite's bound-parameter cap."""
    if ids is None:
        yield from connection.execute(statement)
        return
    for chunk in chunks(sorted(set(ids))):
        yield from connection.execute(statement.where(column.in_(chunk)))


def load_people(
    connection: Connection,
    rids: Iterable[int] | None = None,
    *,
    after: int | None = None,
    limit: int | None = None,
    until: int | None = None,
) -> list[dict[str, Any]]:
    """Person records (all, ``rids``, or ``limit`` past id ``after`` and up to ``until``)
    with their source, ids and canonical attributes."""
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
    if after is not None:
        statement = statement.where(source_records.c.id > after)
    if until is not None:
        statement = statement.where(source_records.c.id <= until)
    if limit is not None:
        statement = statement.limit(limit)
    # Keys named once: ``row._mapping`` builds a key view per row, a fifth of reading a
    # million records.
    names = [str(column.key) for column in statement.selected_columns]
    return [
        dict(zip(names, row, strict=True))
        for row in _rows(connection, statement, source_records.c.id, rids)
    ]


def load_members(
    connection: Connection, profile_ids: Iterable[int] | None = None
) -> dict[int, tuple[int, int]]:
    """record id -> (profile id, record version it was resolved at); all, or these profiles'."""
    statement = select(
        profile_members.c.rid, profile_members.c.profile_id, profile_members.c.record_version
    )
    rows = _rows(connection, statement, profile_members.c.profile_id, profile_ids)
    return {int(rid): (int(profile), int(version)) for rid, profile, version in rows}


def person_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(source_records)).scalar_one())


def has_members(connection: Connection) -> bool:
    return connection.execute(select(profile_members.c.rid).limit(1)).first() is not None


def changed_records_query() -> Select[tuple[int]]:
    """Ids of the records never resolved, or changed since. Every record's id and version
    come from ``ix_source_records_id_version``, not from the rows."""
    member = profile_members
    return (
        select(source_records.c.id)
        .outerjoin(member, member.c.rid == source_records.c.id)
        .where(or_(member.c.rid.is_(None), member.c.record_version != source_records.c.version))
    )


def changed_records(connection: Connection) -> set[int]:
    """Records never resolved, or changed since: what an incremental run looks at."""
    rows: Any = connection.execute(changed_records_query()).scalars()
    return {int(rid) for rid in rows}


def last_run_token(connection: Connection) -> str | None:
    """The ``index_token`` of the latest completed run: which state a match index reflects."""
    stats = connection.execute(
        select(resolve_runs.c.stats)
        .where(resolve_runs.c.status == "completed")
        .order_by(resolve_runs.c.id.desc())
        .limit(1)
    ).scalar()
    token = (stats or {}).get("index_token")
    return str(token) if token else None


def load_features(
    connection: Connection, rids: Iterable[int] | None = None
) -> dict[int, tuple[int, dict[str, Any]]]:
    """record id -> (version, stored match features); all, or those of ``rids``."""
    statement = select(
        match_features.c.rid, match_features.c.record_version, match_features.c.features
    )
    rows = _rows(connection, statement, match_features.c.rid, rids)
    return {int(rid): (int(version), dict(values)) for rid, version, values in rows}


def id_ranges(connection: Connection, size: int) -> list[tuple[int, int | None]]:
    """Every person record's id in ranges ``(after, until]`` of ``size`` records, in id
    order (the last range open-ended): batches another process can read by themselves."""
    numbered = select(
        source_records.c.id, func.row_number().over(order_by=source_records.c.id).label("n")
    ).subquery()
    ends: Any = connection.execute(
        select(numbered.c.id).where(numbered.c.n % size == 0).order_by(numbered.c.id)
    ).scalars()
    starts: list[int] = [0, *(int(end) for end in ends)]
    return [(after, until) for after, until in zip(starts, [*starts[1:], None], strict=True)]


def profile_indexes(connection: Connection) -> list[DeferredIndexes]:
    """The profile tables' indexes, to drop for a first large write and build again
    (``store.deferred_indexes``): at a million records, keeping them up to date row by
    row was most of writing the profiles."""
    tables = (profiles, profile_members, profile_identities, merge_ledger)
    return [DeferredIndexes(connection, table, empty_only=True) for table in tables]


def features_text(features: Mapping[str, Any]) -> str:
    """Features as the store keeps them: JSON, marked with the features version that
    computed them (``VERSION_KEY``), so another version computes them again."""
    return json_text({**features, VERSION_KEY: FEATURES_VERSION})


def save_features(connection: Connection, rows: Sequence[tuple[int, int, dict[str, Any]]]) -> None:
    """Replace the stored features of the given records."""
    save_feature_texts(connection, [(rid, v, features_text(f)) for rid, v, f in rows])


def save_feature_texts(connection: Connection, rows: Sequence[tuple[int, int, str]]) -> None:
    """Replace the stored features of the given records, given as ``features_text``."""
    ids = [rid for rid, _, _ in rows]
    for chunk in chunks(ids):
        connection.execute(delete(match_features).where(match_features.c.rid.in_(chunk)))
    inserter = BulkInserter(connection, match_features, ["rid", "record_version", "features"])
    inserter.insert([list(row) for row in rows], skip={"features"})


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


#: The columns a resolve run writes to a new profile, in ``insert_profiles`` row order.
PROFILE_COLUMNS = (
    "status", "merged_into", "first_name", "last_name", "email", "phone", "city", "country",
    "first_name_fold", "last_name_fold", "first_name_key", "last_name_key", "attributes",
    "lineage", "record_count", "created_at", "updated_at", "resolve_run_id",
)  # fmt: skip
#: The columns of a merge ledger entry, in ``write_ledger`` order.
LEDGER_COLUMNS = (
    "at", "action", "profile_id", "other_profile_id", "record_ids", "evidence", "actor",
    "resolve_run_id",
)  # fmt: skip


def insert_profiles(
    connection: Connection, rows: Sequence[dict[str, Any]], *, encoded: Collection[str] = ()
) -> list[int]:
    """Insert profiles (keyed as ``PROFILE_COLUMNS``); their ids, in the order of ``rows``.

    The ids are reserved first, so the rows go in on the bulk path (a full run writes
    half a million profiles; ``executemany`` with ``RETURNING`` took 40 s of that).
    ``encoded``: JSON columns given as JSON text.
    """
    if not rows:
        return []
    ids = _reserve_ids(connection, len(rows))
    inserter = BulkInserter(connection, profiles, ["id", *PROFILE_COLUMNS])
    inserter.insert(
        [
            [pid, *(row[name] for name in PROFILE_COLUMNS)]
            for pid, row in zip(ids, rows, strict=True)
        ],
        skip=encoded,
    )
    return ids


def _reserve_ids(connection: Connection, count: int) -> list[int]:
    """``count`` new profile ids, taken from the table's sequence on PostgreSQL; on SQLite,
    past the largest (the run holds the database's only write lock)."""
    if connection.dialect.name == "postgresql":
        sequence: str = connection.execute(
            text("SELECT pg_get_serial_sequence('profiles', 'id')")
        ).scalar_one()
        reserved: Any = connection.execute(
            text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
            {"sequence": sequence, "count": count},
        ).scalars()
        return [int(pid) for pid in reserved]
    largest: int = connection.execute(
        select(func.coalesce(func.max(profiles.c.id), 0))
    ).scalar_one()
    return list(range(int(largest) + 1, int(largest) + 1 + count))


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
    *,
    replacing: Sequence[int],
) -> None:
    """(rid, profile id, record version, linked_by, weight) for each record; the member
    rows of ``replacing`` (the records among them that were members) go first."""
    for chunk in chunks(list(replacing)):
        connection.execute(delete(profile_members).where(profile_members.c.rid.in_(chunk)))
    inserter = BulkInserter(
        connection,
        profile_members,
        ["rid", "profile_id", "record_version", "linked_by", "weight", "linked_at"],
    )
    inserter.insert([[*row, now] for row in rows])


def replace_identities(
    connection: Connection, replacing: Iterable[int], rows: Sequence[tuple[int, str, str, int]]
) -> None:
    """(profile id, kind, value, record count) rows; the identities of the ``replacing``
    profiles (those of the rows that existed before) go first."""
    for chunk in chunks(list(replacing)):
        connection.execute(
            delete(profile_identities).where(profile_identities.c.profile_id.in_(chunk))
        )
    inserter = BulkInserter(
        connection, profile_identities, ["profile_id", "kind", "value", "record_count"]
    )
    inserter.insert([list(row) for row in rows])


def write_ledger(connection: Connection, entries: Sequence[dict[str, Any]]) -> None:
    """Ledger entries keyed as ``LEDGER_COLUMNS``, on the bulk path: a full run writes one
    per profile."""
    inserter = BulkInserter(connection, merge_ledger, LEDGER_COLUMNS)
    inserter.insert([[entry[name] for name in LEDGER_COLUMNS] for entry in entries])


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
    for chunk in chunks(list(stale)):
        connection.execute(
            update(review_items)
            .where(review_items.c.id.in_(chunk), review_items.c.status == "open")
            .values(status="resolved", decided_at=now, decided_by="resolve")
        )


def profile_count(connection: Connection) -> int:
    statement = select(func.count()).select_from(profiles).where(profiles.c.status == "active")
    return int(connection.execute(statement).scalar_one())


def chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    """SQLite caps bound parameters per statement; keep IN lists well under it."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def members_of(connection: Connection, profile_ids: Iterable[int]) -> list[int]:
    """Store ids of the records of the given profiles, ascending."""
    ids = sorted(set(profile_ids))
    statement = select(profile_members.c.rid).where(profile_members.c.profile_id.in_(ids))
    rids: Any = connection.execute(statement).scalars()
    return sorted(int(rid) for rid in rids)


def profiles_of(connection: Connection, rids: Iterable[int]) -> dict[int, int]:
    """Record -> its current profile (unresolved records are left out)."""
    statement = select(profile_members.c.rid, profile_members.c.profile_id)
    rows = _rows(connection, statement, profile_members.c.rid, rids)
    return {int(rid): int(profile) for rid, profile in rows}
