"""Preparing batches in worker processes while the parent reads and writes.

Standardization (phone and email parsing above all) is CPU-bound pure Python, so threads
would not help; processes do. The parent sends what it read (runs of CSV lines as one
string, the rare CSV record with a quote as fields, JSON lines as text) and gets back
insert-ready rows, so the pipe carries plain strings and lists and the parent does
nothing per row but store. Batches come back in file order
(so duplicate rows resolve as they appear in the file), and at most ``2 × workers``
batches are in flight, which bounds memory whatever the file size.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from kimlik.errors import IngestError
from kimlik.ingest.prepare import BatchPreparer, RunSpec
from kimlik.ingest.readers import Batch
from kimlik.ingest.rows import PreparedBatch
from kimlik.ingest.workers import worker_context
from kimlik.ordered_pool import in_order

#: Workers yield the CPU to the parent, whose reading and writing is the serial part: on a
#: busy 2-core machine the parent spent half as long storing batches, and imports ran
#: ~10% faster, than at equal priority. Workers still use every idle cycle.
WORKER_NICENESS = 5
#: Collect young objects every 10,000 allocations, not 700. Cleaning allocates rows that
#: reference counting frees, while the memos keep a large live set that each full
#: collection walks again: at the default, collection took ~17 µs a row, now ~3.
GC_THRESHOLDS = (10_000, 10, 10)

_worker: BatchPreparer | None = None


def _start_worker(spec: RunSpec) -> None:
    global _worker
    gc.set_threshold(*GC_THRESHOLDS)
    os.nice(WORKER_NICENESS)
    _worker = BatchPreparer(spec)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """``GC_THRESHOLDS`` for the length of an import in this process, then as before."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _prepare_in_worker(batch: Batch) -> PreparedBatch:
    assert _worker is not None, "worker not initialised"
    return _worker.prepare(batch)


def prepared_batches(
    batches: Iterable[Batch], preparer: BatchPreparer, workers: int
) -> Iterator[PreparedBatch]:
    """Prepare batches in order, in ``workers`` processes (0: with ``preparer``, here)."""
    with _fewer_collections():
        if workers <= 0:
            for batch in batches:
                yield preparer.prepare(batch)
        else:
            yield from _in_pool(batches, preparer.spec, workers)


def _in_pool(
    batches: Iterable[Any],
    spec: RunSpec,
    workers: int,
    task: Callable[[Any], PreparedBatch] = _prepare_in_worker,
) -> Iterator[PreparedBatch]:
    """The pool: submit ahead, hand results back in submission (file) order.

    A worker that dies (killed for memory, say) breaks the pool: that is one clear error,
    and the import is rolled back like any other that stops as a whole.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(spec,),
    )
    try:
        for _, prepared in in_order(pool, task, ((None, b) for b in batches), ahead=2 * workers):
            yield prepared
    except BrokenProcessPool as exc:
        raise IngestError(
            "a worker process cleaning rows stopped unexpectedly (out of memory?); nothing "
            "from this import was kept: run it again, or with KIMLIK_IMPORT_WORKERS=0 to "
            "clean in one process"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
