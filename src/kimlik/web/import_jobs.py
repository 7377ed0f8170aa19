"""Imports started from the web UI, each on a thread of the server process.

The thread runs the same ``import_file`` service as ``kimlik import``. Everything an
import writes commits at its end, so its progress cannot be read from the database
while it runs: the service's ``progress`` and ``watch`` callbacks keep it here, in
memory, where the run's page reads it. Another server process (``kimlik serve
--workers``) does not see it and shows the run as running without a percentage.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine

from kimlik.config import Settings
from kimlik.errors import KimlikError
from kimlik.ingest.service import ImportRequest, ImportResult, import_file
from kimlik.web import import_uploads

log = logging.getLogger("kimlik.web.imports")
#: Finished jobs are forgotten after this many seconds (the run's page reads the database).
KEEP_SECONDS = 3600
_REGISTRY_LOCK = threading.Lock()


@dataclass(slots=True)
class Job:
    """One import running (or just run) on a thread; written by it, read by pages."""

    file_name: str
    run_id: int | None = None
    rows: int = 0
    rejected: int = 0
    bytes_read: int = 0
    total_bytes: int = 0
    error: str | None = None
    finished_at: float | None = None
    #: set once the run is recorded (``run_id`` known) or the import failed before that
    started: threading.Event = field(default_factory=threading.Event)

    @property
    def fraction(self) -> float | None:
        """Share of the file read so far, when its size is known."""
        if not self.total_bytes:
            return None
        return min(self.bytes_read / self.total_bytes, 1.0)

    def progress(self, done: int, total: int) -> None:
        self.bytes_read, self.total_bytes = done, total


class ImportJobs:
    """The imports this server process started, by run id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_run: dict[int, Job] = {}

    def start(self, engine: Engine, settings: Settings, request: ImportRequest, token: str) -> Job:
        """Start importing the upload ``token`` on a thread; its upload is removed after."""
        job = Job(file_name=request.path.name)
        import_uploads.mark_running(settings, token)
        self._forget_old()

        def watch(result: ImportResult) -> None:
            job.rows, job.rejected = result.read, result.rejected
            if job.run_id is None:
                job.run_id = result.run_id
                with self._lock:
                    self._by_run[result.run_id] = job
                job.started.set()

        def work() -> None:
            try:
                import_file(engine, settings, request, job.progress, watch)
            except KimlikError as exc:
                job.error = str(exc)
            except Exception as exc:  # a thread has nobody else to tell
                job.error = f"the import stopped on an unexpected error ({type(exc).__name__})"
                log.error("web import failed: %s", type(exc).__name__)  # no values: privacy
            finally:
                job.finished_at = time.monotonic()
                job.started.set()
                import_uploads.discard(settings, token)

        thread = threading.Thread(target=work, name="kimlik-web-import", daemon=False)
        thread.start()
        return job

    def for_run(self, run_id: int) -> Job | None:
        with self._lock:
            return self._by_run.get(run_id)

    def _forget_old(self) -> None:
        now = time.monotonic()
        with self._lock:
            for run_id, job in list(self._by_run.items()):
                if job.finished_at is not None and now - job.finished_at > KEEP_SECONDS:
                    del self._by_run[run_id]


def jobs(request: Request) -> ImportJobs:
    """This app's registry of web imports (made on first use)."""
    state = request.app.state
    with _REGISTRY_LOCK:
        registry = getattr(state, "kimlik_import_jobs", None)
        if registry is None:
            registry = ImportJobs()
            state.kimlik_import_jobs = registry
    assert isinstance(registry, ImportJobs)
    return registry
