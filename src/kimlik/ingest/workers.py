"""How many worker processes an import gets, and their server, started early.

Light on purpose (the standard library, ``kimlik.machine`` and ``kimlik.ordered_pool``):
the command line decides here, before it imports the ingest pipeline, whether a file will
be cleaned in workers, and if so starts their fork server at once. The server then imports the
standardizers (~0.5 s) on the other core while this process imports the same pipeline
for itself, instead of after it.
"""

from __future__ import annotations

from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext

from kimlik.machine import usable_cpus
from kimlik.ordered_pool import fork_server

#: the module the server imports once, so every worker forks with the standardizers loaded
WORKER_MODULE = "kimlik.ingest.pool"
#: more workers than this only queue behind the parent, which stores ~30,000 rows/s
MAX_AUTO_WORKERS = 4


def choose_workers(setting: int | None, file_bytes: int, threshold_bytes: int) -> int:
    """Worker processes for a file: 0 (in-process) below the threshold, else the setting.

    Unset means automatic: as many workers as usable CPUs, at least two (the parent reads
    and writes while they clean) and at most ``MAX_AUTO_WORKERS``, or none on one CPU.
    """
    if file_bytes < threshold_bytes:
        return 0
    if setting is not None:
        return setting
    cpus = usable_cpus()
    if cpus < 2:
        return 0
    return min(max(2, cpus - 1), MAX_AUTO_WORKERS)


def worker_context() -> ForkServerContext:
    """The import workers' start method: a fork server that has imported
    ``WORKER_MODULE`` (``kimlik.ordered_pool.fork_server``)."""
    return fork_server(WORKER_MODULE)


def start_server_early() -> None:
    """Start the fork server now; the pool that needs it later finds it running."""
    worker_context()
    forkserver.ensure_running()
