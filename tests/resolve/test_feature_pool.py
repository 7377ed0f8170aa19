"""Match features computed in worker processes: the same features, in the same order."""

from __future__ import annotations

import os
from typing import Any

import pytest

from kimlik.errors import KimlikError
from kimlik.resolve.feature_pool import computed_in_order
from kimlik.resolve.features import match_features

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
    for i in range(230)
]


def _batches() -> list[tuple[int, list[dict[str, Any]]]]:
    return [(number, PEOPLE[start : start + 40]) for number, start in enumerate(range(0, 230, 40))]


def test_workers_give_what_the_process_gives_in_order() -> None:
    alone = list(computed_in_order(_batches(), 0))
    pooled = list(computed_in_order(_batches(), 2))
    assert [number for number, _ in pooled] == list(range(6))
    assert pooled == alone
    assert alone[1][1][0] == match_features(PEOPLE[40])


def test_a_dying_worker_is_one_clear_error() -> None:
    with pytest.raises(KimlikError, match="worker process computing match features"):
        list(computed_in_order([(None, 3)], 1, task=os._exit))  # type: ignore[list-item]
