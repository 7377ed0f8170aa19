"""Features as workers hand them back: the values match_features gives, in column order,
and the JSON the store keeps; loaded as Arrow batches, the same table as from dicts."""

from __future__ import annotations

import os
from typing import Any

import orjson
import pytest

from kimlik.errors import KimlikError
from kimlik.identity.feature_rows import compute_rows
from kimlik.ordered_pool import mapped_in_order
from kimlik.resolve.engine import Engine, feature_batch
from kimlik.resolve.features import FEATURE_COLUMNS, FEATURES_VERSION, VERSION_KEY, match_features

PEOPLE: list[dict[str, Any]] = [
    {
        "first_name": ["Bob", "Ayşe", "Zeynep", None][i % 4],
        "last_name": ["Smith", "Yılmaz", None][i % 3],
        "email": f"person{i}@example.org" if i % 5 else None,
        "phone": f"+90532{i:07d}" if i % 2 else None,
        "birth_date": "1980-03-0" + str(1 + i % 9),
        "street": f"{i} Main St",
        "postal_code": "34000",
        "city": "İstanbul",
    }
    for i in range(120)
]


def test_rows_and_texts_are_match_features() -> None:
    computed = compute_rows(PEOPLE)
    for person, row, text in zip(PEOPLE, computed.rows, computed.texts, strict=True):
        features = match_features(person)
        assert row == tuple(features[column] for column in FEATURE_COLUMNS)
        assert orjson.loads(text) == {**features, VERSION_KEY: FEATURES_VERSION}


def test_a_batch_of_rows_loads_like_dicts() -> None:
    computed = compute_rows(PEOPLE)
    by_rows, by_dicts = Engine(), Engine()
    by_rows.load_batches([feature_batch(range(1, 121), computed.rows), feature_batch([], [])])
    by_dicts.load({"rid": rid, **person} for rid, person in enumerate(PEOPLE, start=1))
    query = "SELECT * FROM records ORDER BY rid"
    assert (
        by_rows.connection.execute(query).fetchall()
        == by_dicts.connection.execute(query).fetchall()
    )
    variants = "SELECT rid, v FROM variants ORDER BY ALL"
    assert (
        by_rows.connection.execute(variants).fetchall()
        == by_dicts.connection.execute(variants).fetchall()
    )


def test_workers_compute_what_the_process_computes_in_order() -> None:
    batches = [(n, PEOPLE[start : start + 25]) for n, start in enumerate(range(0, 120, 25))]
    pooled = list(mapped_in_order(compute_rows, batches, workers=2, doing="computing"))
    assert pooled == [(n, compute_rows(people)) for n, people in batches]


def test_a_dying_worker_is_one_clear_error() -> None:
    with pytest.raises(KimlikError, match="worker process computing match features stopped"):
        list(mapped_in_order(os._exit, [(None, 3)], workers=1, doing="computing match features"))
