"""Work handed to worker processes, results taken back in the order it was handed out.

The pipelines that use workers (cleaning an import, computing match features, building
golden records) read in one process, compute in others and write in the first, in input
order: at most ``ahead`` pieces are in flight, so memory stays bounded whatever the
input's size, and the reader keeps going while the workers compute.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import ForkServerContext
from typing import TypeVar

from kimlik.errors import KimlikError
from kimlik.machine import usable_cpus

Context = TypeVar("Context")
Payload = TypeVar("Payload")
Result = TypeVar("Result")

#: Fewer items than this are worked on in the calling process: starting workers (a fork
#: server importing the task's module) would cost more than it saves.
MIN_PARALLEL_ITEMS = 50_000
#: More workers only queue behind the process that reads and stores.
MAX_WORKERS = 4


def workers_for(items: int) -> int:
    """Worker processes for ``items`` pieces of work (0: work in this process)."""
    cpus = usable_cpus()
    if items < MIN_PARALLEL_ITEMS or cpus < 2:
        return 0
    return min(cpus, MAX_WORKERS)


def in_order(
    pool: Executor,
    task: Callable[[Payload], Result],
    items: Iterable[tuple[Context, Payload]],
    *,
    ahead: int,
) -> Iterator[tuple[Context, Result]]:
    """``(context, task(payload))`` for each ``(context, payload)``, in order; only the
    payload travels to the worker, the context waits here."""
    pending: deque[tuple[Context, Future[Result]]] = deque()
    for context, payload in items:
        pending.append((context, pool.submit(task, payload)))
        if len(pending) >= ahead:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def mapped_in_order(
    task: Callable[[Payload], Result],
    items: Iterable[tuple[Context, Payload]],
    *,
    workers: int,
    doing: str,
) -> Iterator[tuple[Context, Result]]:
    """``in_order`` in ``workers`` processes forked from a server that imported the task's
    module once (0 workers: here). ``doing`` says what a worker that dies was doing."""
    if workers <= 0:
        for context, payload in items:
            yield context, task(payload)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=fork_server(task.__module__))
    try:
        yield from in_order(pool, task, items, ahead=2 * workers)
    except BrokenProcessPool as exc:
        raise KimlikError(
            f"a worker process {doing} stopped unexpectedly (out of memory?); nothing "
            "from this run was kept: run it again"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def fork_server(module: str) -> ForkServerContext:
    """Workers fork from a server that has imported ``module`` once, not from this
    process, which holds open database connections and other libraries' threads."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])
    return context
