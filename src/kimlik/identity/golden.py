"""From a cluster's records to the profile row: golden values, lineage and identities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kimlik.identity import repository as repo
from kimlik.jsonable import jsonable
from kimlik.profiles.name_keys import name_columns
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.profiles.survivorship import Member, build_golden, golden_record, lineage_json
from kimlik.profiles.values import DATETIME_ATTRIBUTES, utc
from kimlik.store.engine import json_text
from kimlik.store.shared_reads import reading

#: Golden attributes copied to typed, indexed profile columns for lookups.
SEARCH_COLUMNS = ("first_name", "last_name", "email", "phone", "city", "country")
#: The golden names folded and their sound keys (``profiles.name_keys.name_columns``).
NAME_KEY_COLUMNS = ("first_name_fold", "last_name_fold", "first_name_key", "last_name_key")


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
    records: Iterable[int], people: Mapping[int, dict[str, Any]], rules: SurvivorshipRules
) -> dict[str, Any]:
    """A cluster's own profile columns (``PROFILE_FIELDS``): the search columns and the
    names' sound keys, the golden ``attributes`` and ``lineage`` as the JSON text the
    store keeps (``json_text``), and the record count. Made where the row is built, in a
    worker for a large run, the JSON travels back as two strings instead of dictionaries
    of dictionaries, and the writing process stores it as it is."""
    rows = [people[rid] for rid in records]
    chosen = build_golden([member(row) for row in rows], rules)
    attributes = {name: jsonable(value) for name, value in golden_record(chosen).items()}
    return {
        **{name: attributes.get(name) for name in SEARCH_COLUMNS},
        **name_columns(attributes.get("first_name"), attributes.get("last_name")),
        "attributes": json_text(attributes),
        "lineage": json_text(lineage_json(chosen, attributes)),
        "record_count": len(rows),
    }


#: The profile columns ``profile_values`` works out for each cluster.
PROFILE_FIELDS = (*SEARCH_COLUMNS, *NAME_KEY_COLUMNS, "attributes", "lineage", "record_count")
#: Profile columns ``profile_values`` gives as JSON text.
JSON_COLUMNS = frozenset({"attributes", "lineage"})


@dataclass(frozen=True, slots=True)
class SliceJob:
    """Clusters, as their records' ids, whose profiles a worker builds."""

    clusters: list[list[int]]
    rules: SurvivorshipRules
    #: where a worker reads the records (``store.shared_reads``); ``None``: in process
    database: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltSlice:
    """A slice's profiles column by column, as they travel back from a worker: a list a
    column pickles and unpickles in a fraction of the time a tuple or a dictionary a
    profile takes (at a million records, the writing process spent seconds on it).

    ``columns``: each of ``PROFILE_FIELDS``, one value per cluster; ``identities``: the
    columns (cluster index, kind, value, records carrying it); ``versions``: each
    record's version, cluster after cluster in cluster order.
    """

    columns: dict[str, list[Any]]
    identities: tuple[list[int], list[str], list[str], list[int]]
    versions: list[int]

    def profiles(self) -> list[dict[str, Any]]:
        """Each cluster's ``profile_values``."""
        columns = [self.columns[name] for name in PROFILE_FIELDS]
        return [dict(zip(PROFILE_FIELDS, row, strict=True)) for row in zip(*columns, strict=True)]


def build_slice(job: SliceJob, people: Mapping[int, dict[str, Any]]) -> BuiltSlice:
    """The slice's profiles, in cluster order, from its records' person rows (``people``)."""
    columns: dict[str, list[Any]] = {name: [] for name in PROFILE_FIELDS}
    at: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    counts: list[int] = []
    versions: list[int] = []
    for index, records in enumerate(job.clusters):
        for name, value in profile_values(records, people, job.rules).items():
            columns[name].append(value)
        for kind, value, count in identities(records, people):
            at.append(index)
            kinds.append(kind)
            values.append(value)
            counts.append(count)
        versions.extend(int(people[rid]["version"]) for rid in records)
    return BuiltSlice(columns, (at, kinds, values, counts), versions)


def build_slice_in_worker(job: SliceJob) -> BuiltSlice:
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
