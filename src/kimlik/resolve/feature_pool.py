"""Match features of a large store computed in worker processes.

Features are pure Python, one record at a time, and a full run over a million records
spent most of its first stage there on one core while the other waited. Workers compute
each batch's features while the run reads the next batch and stores the last one's;
small runs (the incremental ones, and stores below ``MIN_PARALLEL_RECORDS``) compute in
their own process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import ForkServerContext
from typing import Any, TypeVar

from kimlik.errors import KimlikError
from kimlik.machine import usable_cpus
from kimlik.ordered_pool import in_order
from kimlik.resolve.features import match_features

Context = TypeVar("Context")

#: Stores smaller than this compute features in the run's own process.
MIN_PARALLEL_RECORDS = 50_000
#: More workers only queue behind the process that reads and stores.
MAX_WORKERS = 4


def feature_workers(records: int) -> int:
    """Worker processes for a run over ``records`` records (0: compute in process)."""
    cpus = usable_cpus()
    if records < MIN_PARALLEL_RECORDS or cpus < 2:
        return 0
    return min(cpus, MAX_WORKERS)


def compute(people: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The match features of each person record, in order."""
    return [match_features(person) for person in people]


def computed_in_order(
    batches: Iterable[tuple[Context, Sequence[Mapping[str, Any]]]],
    workers: int,
    task: Callable[[Sequence[Mapping[str, Any]]], list[dict[str, Any]]] = compute,
) -> Iterator[tuple[Context, list[dict[str, Any]]]]:
    """``(context, features of people)`` for each ``(context, people)``, in order."""
    if workers <= 0:
        for context, people in batches:
            yield context, task(people)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        yield from in_order(pool, task, batches, ahead=2 * workers)
    except BrokenProcessPool as exc:
        raise KimlikError(
            "a worker process computing match features stopped unexpectedly (out of "
            "memory?); nothing from this run was kept: run it again"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> ForkServerContext:
    """Workers fork from a server that has imported the features once, not from this
    process, which holds open database connections and DuckDB's threads."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context
