"""From a cluster's records to the profile row: golden values, lineage and identities."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kimlik.jsonable import jsonable
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.profiles.survivorship import Member, build_golden, golden_record, lineage_json
from kimlik.profiles.values import DATETIME_ATTRIBUTES, utc

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
    """The profile row for a cluster (everything but its id and creation time)."""
    rows = [people[rid] for rid in records]
    chosen = build_golden([member(row) for row in rows], rules)
    attributes = {name: jsonable(value) for name, value in golden_record(chosen).items()}
    return {
        "status": "active",
        "merged_into": None,
        **{name: attributes.get(name) for name in SEARCH_COLUMNS},
        "attributes": attributes,
        "lineage": lineage_json(chosen, attributes),
        "record_count": len(rows),
        "updated_at": now,
        "resolve_run_id": run_id,
    }


@dataclass(frozen=True, slots=True)
class SliceJob:
    """Clusters whose profiles a worker builds: each cluster's person rows."""

    clusters: list[list[dict[str, Any]]]
    rules: SurvivorshipRules
    now: dt.datetime
    run_id: int | None


Built = list[tuple[dict[str, Any], list[tuple[str, str, int]]]]


def build_slice(job: SliceJob) -> Built:
    """Each cluster's profile values and identities, in order (run in worker processes
    when a run writes many profiles: survivorship is pure Python, a cluster at a time)."""
    built = []
    for rows in job.clusters:
        people = {int(row["rid"]): row for row in rows}
        values = profile_values(people, people, job.rules, job.now, job.run_id)
        built.append((values, identities(people, people)))
    return built


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
