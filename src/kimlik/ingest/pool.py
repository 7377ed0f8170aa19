"""Standardizing batches in worker processes while the parent reads and writes.

Standardization (phone and email parsing above all) is CPU-bound pure Python, so threads
would not help; processes do. Batches come back in file order (so duplicate rows resolve
as they appear in the file), and at most ``2 × workers`` batches are in flight, which
bounds memory whatever the file size.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.kinds import kind_spec
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.readers import ReadRow
from kimlik.ingest.rows import Outcome

_worker_cleaner: RowCleaner | None = None


def _start_worker(kind: str, mapping: Mapping, today: dt.date) -> None:
    global _worker_cleaner
    _worker_cleaner = RowCleaner(kind_spec(kind), mapping, today)


def _clean_in_worker(rows: list[ReadRow]) -> list[Outcome]:
    assert _worker_cleaner is not None, "worker not initialised"
    return _worker_cleaner.clean_batch(rows)


def cleaned_batches(
    batches: Iterable[list[ReadRow]], cleaner: RowCleaner, workers: int
) -> Iterator[list[Outcome]]:
    """Clean batches in order, in ``workers`` processes (0: in this process)."""
    if workers <= 0:
        for batch in batches:
            yield cleaner.clean_batch(batch)
        return
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(cleaner.kind.name, cleaner.mapping, cleaner.today),
    )
    pending: deque[Future[list[Outcome]]] = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(_clean_in_worker, batch))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def batched(rows: Iterable[ReadRow], size: int) -> Iterator[list[ReadRow]]:
    """Group rows into lists of ``size``."""
    batch: list[ReadRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
