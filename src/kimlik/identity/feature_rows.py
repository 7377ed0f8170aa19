"""Every record's match features for a run that needs them all, read in batches.

Stored features still valid are reused; the others are computed (in worker processes
for a large store, ``kimlik.ordered_pool``), stored, and handed to the matcher as Arrow
batches. A worker returns each record's features as a row of values and as the JSON the
store keeps, so the process that reads and writes does little per record: at a million
records that process, not the workers, set the pace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
    ``versions`` fills with each record's version."""
    for batch, computed in mapped_in_order(
        compute_rows, _read(connection, identifiers, versions), workers=workers,
        doing="computing match features",
    ):  # fmt: skip
        repo.save_feature_texts(
            connection,
            [
                (int(person["rid"]), int(person["version"]), text)
                for person, text in zip(batch.missing, computed.texts, strict=True)
            ],
        )
        rows = batch.kept
        rows.update(zip((int(p["rid"]) for p in batch.missing), computed.rows, strict=True))
        rids = [int(person["rid"]) for person in batch.people]
        yield feature_batch(rids, [rows[rid] for rid in rids])


@dataclass(frozen=True, slots=True)
class _Batch:
    """Person records read together: the feature rows reused from the store, and the
    records whose features must be computed."""

    people: list[dict[str, Any]]
    kept: dict[int, tuple[Any, ...]]
    missing: list[dict[str, Any]]


def _read(
    connection: Connection, identifiers: Sequence[str], versions: dict[int, int]
) -> Iterator[tuple[_Batch, list[dict[str, Any]]]]:
    for batch in repo.people_batches(connection, BATCH):
        people = with_identifiers(batch, identifiers)
        # --full too: stored features are a function of the record's version, the
        # features version and the identifier settings, all checked by reusable()
        stored = repo.load_features(connection, [int(p["rid"]) for p in people])
        kept: dict[int, tuple[Any, ...]] = {}
        missing = []
        for person in people:
            rid, version = int(person["rid"]), int(person["version"])
            versions[rid] = version
            found = stored.get(rid)
            if reusable(found, version, person["external_id"]):
                assert found is not None
                kept[rid] = tuple(found[1].get(column) for column in FEATURE_COLUMNS)
            else:
                missing.append(person)
        yield _Batch(people, kept, missing), missing


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
