"""Every record's match features for a run that needs them all, read in batches.

Stored features still valid are reused; the others are computed (in worker processes
for a large store, ``kimlik.ordered_pool``), stored, and handed to the matcher as Arrow
batches. A worker reads its batch of person records itself and hands back the Arrow
batch and the JSON the store keeps, so the process that writes does little per record:
at a million records the workers computing features set the pace, not that process.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection

from kimlik.identity import repository as repo
from kimlik.ordered_pool import mapped_in_order
from kimlik.resolve.engine import feature_batch
from kimlik.resolve.features import (
    FEATURE_COLUMNS,
    FEATURES_VERSION,
    VERSION_KEY,
    external_id,
    match_features,
)
from kimlik.store.shared_reads import reading, shared_url

#: Person records read per batch when every record's features are needed.
BATCH = 20_000


@dataclass(frozen=True, slots=True)
class FeatureRows:
    """Features of some records: values in ``FEATURE_COLUMNS`` order, and as stored."""

    rows: list[tuple[Any, ...]]
    texts: list[str]


def compute_rows(people: Sequence[Mapping[str, Any]]) -> FeatureRows:
    """Each person record's features, in order (the task workers run)."""
    rows, texts = [], []
    for person in people:
        features = match_features(person)
        rows.append(tuple(features[column] for column in FEATURE_COLUMNS))
        texts.append(repo.features_text(features))
    return FeatureRows(rows, texts)


def with_identifiers(
    people: list[dict[str, Any]], identifiers: Sequence[str]
) -> list[dict[str, Any]]:
    """Each record's declared identifier (``external_id``) out of its custom attributes."""
    for person in people:
        person["external_id"] = external_id(person.pop("custom", None), identifiers)
    return people


def feature_batches(
    connection: Connection,
    identifiers: Sequence[str],
    versions: dict[int, int],
    *,
    workers: int,
) -> Iterator[pa.RecordBatch]:
    """Every record's features, a batch of records at a time (a million person rows at
    once would not fit the memory a run may use); fresh ones are stored as they come, and
    ``versions`` fills with each record's version.

    Workers read their batches from the store themselves (``store.shared_reads``): the
    run's process only stores what they found and hands the batches on."""
    url = shared_url(connection) if workers else None
    jobs = (
        (None, FeatureJob(url, after, until, tuple(identifiers)))
        for after, until in repo.id_ranges(connection, BATCH)
    )
    if url is None:
        done = mapped_in_order(partial(features_of, connection), jobs, workers=0, doing="")
    else:
        done = mapped_in_order(
            features_in_worker, jobs, workers=workers, doing="computing match features"
        )
    for _, found in done:
        repo.save_feature_texts(connection, found.fresh)
        versions.update(zip(found.batch.column(0).to_pylist(), found.versions, strict=True))
        yield found.batch


@dataclass(frozen=True, slots=True)
class FeatureJob:
    """The person records with ids in ``(after, until]``, read from ``database`` (a worker's
    own connection; ``None``: the run's)."""

    database: str | None
    after: int
    until: int | None
    identifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FoundFeatures:
    """A batch's features as the matcher loads them, each record's version, and the
    features computed afresh, as the store keeps them ``(rid, version, text)``."""

    batch: pa.RecordBatch
    versions: list[int]
    fresh: list[tuple[int, int, str]]


def features_in_worker(job: FeatureJob) -> FoundFeatures:
    """``features_of`` in a worker process, on a connection of its own."""
    assert job.database is not None, "a worker reads from a database it can open"
    with reading(job.database) as connection:
        return features_of(connection, job)


def features_of(connection: Connection, job: FeatureJob) -> FoundFeatures:
    """A batch's features: stored ones still valid are reused, the others computed."""
    people = with_identifiers(
        repo.load_people(connection, after=job.after, until=job.until), job.identifiers
    )
    rids = [int(person["rid"]) for person in people]
    versions = [int(person["version"]) for person in people]
    # --full too: stored features are a function of the record's version, the
    # features version and the identifier settings, all checked by reusable()
    stored = repo.load_features(connection, rids)
    rows: dict[int, tuple[Any, ...]] = {}
    missing = []
    for rid, version, person in zip(rids, versions, people, strict=True):
        found = stored.get(rid)
        if reusable(found, version, person["external_id"]):
            assert found is not None
            rows[rid] = tuple(found[1].get(column) for column in FEATURE_COLUMNS)
        else:
            missing.append(person)
    computed = compute_rows(missing)
    fresh = [
        (int(person["rid"]), int(person["version"]), text)
        for person, text in zip(missing, computed.texts, strict=True)
    ]
    rows.update(zip((rid for rid, _, _ in fresh), computed.rows, strict=True))
    return FoundFeatures(feature_batch(rids, [rows[rid] for rid in rids]), versions, fresh)


def reusable(kept: tuple[int, dict[str, Any]] | None, version: int, identifier: str | None) -> bool:
    """Stored features still hold: same record version, same columns, same identifier.

    Features from another Kimlik version may lack columns or mean something else by
    them, and a change to the identifier settings changes ``external_id``; either way
    they are computed again.
    """
    return (
        kept is not None
        and kept[0] == version
        and kept[1].get(VERSION_KEY) == FEATURES_VERSION
        and kept[1]["external_id"] == identifier
    )
