"""From a cluster's records to the profile row: golden values, lineage and identities."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kimlik.identity import repository as repo
from kimlik.jsonable import jsonable
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.profiles.survivorship import Member, build_golden, golden_record, lineage_json
from kimlik.profiles.values import DATETIME_ATTRIBUTES, utc
from kimlik.store.engine import json_text
from kimlik.store.shared_reads import reading

#: Golden attributes copied to typed, indexed profile columns for lookups.
SEARCH_COLUMNS = ("first_name", "last_name", "email", "phone", "city", "country")


def member(person: dict[str, Any]) -> Member:
    """A stored person record as survivorship sees it: the values it holds (missing ones
    left out, so survivorship skips what no record knows), timestamps aware UTC, so a
    golden ``signed_up_at`` reads the same from SQLite (naive) as from PostgreSQL."""
    values = {
        name: value
        for name, value in person.items()
        if value is not None and name not in _NOT_ATTRIBUTES
    }
    for name in DATETIME_ATTRIBUTES.intersection(values):
        values[name] = utc(values[name])
    return Member(
        record_key=int(person["rid"]),
        source=str(person["source"]),
        record_id=str(person["record_id"]),
        first_seen_at=utc(person["first_seen_at"]),
        updated_at=utc(person["updated_at"]),
        values=values,
    )


_NOT_ATTRIBUTES = frozenset(
    {"rid", "version", "record_id", "first_seen_at", "updated_at", "source", "email_key"}
)


def profile_values(
    records: Iterable[int],
    people: Mapping[int, dict[str, Any]],
    rules: SurvivorshipRules,
    now: dt.datetime,
    run_id: int | None,
) -> dict[str, Any]:
    """The profile row for a cluster (everything but its id and creation time), its golden
    ``attributes`` and ``lineage`` as the JSON text the store keeps (``json_text``): made
    where the row is built, in a worker for a large run, it travels back as two strings
    instead of dictionaries of dictionaries, and the writing process stores it as it is."""
    rows = [people[rid] for rid in records]
    chosen = build_golden([member(row) for row in rows], rules)
    attributes = {name: jsonable(value) for name, value in golden_record(chosen).items()}
    return {
        "status": "active",
        "merged_into": None,
        **{name: attributes.get(name) for name in SEARCH_COLUMNS},
        "attributes": json_text(attributes),
        "lineage": json_text(lineage_json(chosen, attributes)),
        "record_count": len(rows),
        "updated_at": now,
        "resolve_run_id": run_id,
    }


#: Profile columns ``profile_values`` gives as JSON text.
JSON_COLUMNS = frozenset({"attributes", "lineage"})


@dataclass(frozen=True, slots=True)
class SliceJob:
    """Clusters, as their records' ids, whose profiles a worker builds."""

    clusters: list[list[int]]
    rules: SurvivorshipRules
    now: dt.datetime
    run_id: int | None
    #: where a worker reads the records (``store.shared_reads``); ``None``: in process
    database: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltProfile:
    """A cluster's profile row (``profile_values``), identities, and the version of each
    of its records, in cluster order."""

    values: dict[str, Any]
    identities: list[tuple[str, str, int]]
    versions: list[int]


def build_slice(job: SliceJob, people: Mapping[int, dict[str, Any]]) -> list[BuiltProfile]:
    """Each cluster's profile, in order, from its records' person rows (``people``)."""
    built = []
    for records in job.clusters:
        values = profile_values(records, people, job.rules, job.now, job.run_id)
        versions = [int(people[rid]["version"]) for rid in records]
        built.append(BuiltProfile(values, identities(records, people), versions))
    return built


def build_slice_in_worker(job: SliceJob) -> list[BuiltProfile]:
    """``build_slice`` in a worker process, which reads the records itself: survivorship
    is pure Python, a cluster at a time, and so is reading the rows it needs."""
    assert job.database is not None, "a worker reads from a database it can open"
    with reading(job.database) as connection:
        rows = repo.load_people(connection, [rid for records in job.clusters for rid in records])
    return build_slice(job, {int(row["rid"]): row for row in rows})


def identities(
    records: Iterable[int], people: Mapping[int, dict[str, Any]]
) -> list[tuple[str, str, int]]:
    """(kind, value, records carrying it): emails by matching key, phones, source ids."""
    counts: Counter[tuple[str, str]] = Counter()
    for rid in records:
        person = people[rid]
        if person.get("email_key"):
            counts["email", str(person["email_key"])] += 1
        if person.get("phone"):
            counts["phone", str(person["phone"])] += 1
        counts["customer_id", f"{person['source']}:{person['record_id']}"[:320]] += 1
    return [(kind, value, count) for (kind, value), count in sorted(counts.items())]
