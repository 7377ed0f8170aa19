"""Work handed to worker processes, results taken back in the order it was handed out.

Both pipelines that use workers (cleaning an import, computing match features) read in
one process, compute in others and write in the first, in input order: at most
``ahead`` pieces are in flight, so memory stays bounded whatever the input's size, and
the reader keeps going while the workers compute.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

Context = TypeVar("Context")
Payload = TypeVar("Payload")
Result = TypeVar("Result")


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
