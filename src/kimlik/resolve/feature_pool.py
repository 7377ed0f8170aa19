"""Match features of a large store computed in worker processes.

Features are pure Python, one record at a time, and a full run over a million records
spent most of its first stage there on one core while the other waited. Workers compute
each batch's features while the run reads the next batch and stores the last one's;
small runs (the incremental ones, and small stores) compute in their own process
(``kimlik.ordered_pool.workers_for``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from kimlik.ordered_pool import mapped_in_order
from kimlik.resolve.features import match_features

Context = TypeVar("Context")


def compute(people: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The match features of each person record, in order."""
    return [match_features(person) for person in people]


def computed_in_order(
    batches: Iterable[tuple[Context, Sequence[Mapping[str, Any]]]],
    workers: int,
    task: Callable[[Sequence[Mapping[str, Any]]], list[dict[str, Any]]] = compute,
) -> Iterator[tuple[Context, list[dict[str, Any]]]]:
    """``(context, features of people)`` for each ``(context, people)``, in order."""
    return mapped_in_order(task, batches, workers=workers, doing="computing match features")
