"""The latest quality report of one server process, rebuilt in the background.

Why: every figure of the report is an aggregate over all records, so it takes seconds on a
large store (about 3 s at 300k people records on PostgreSQL, growing with the data), far
beyond what a page may spend. The web page shows the newest snapshot with its time instead;
one thread per process builds a new one on first use, when the snapshot is older than
``max_age``, or on request, and a lock makes sure only one build runs at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from kimlik.quality import repository
from kimlik.quality.service import QualityReport, build_report

log = logging.getLogger("kimlik.quality")

#: A snapshot older than this is rebuilt when someone looks at it.
DEFAULT_MAX_AGE = dt.timedelta(minutes=15)
#: After a failed build, wait this long before trying again on a page view.
RETRY_AFTER = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One finished report and what it cost."""

    report: QualityReport
    profiles: int
    seconds: float


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """What a page needs to know: the newest snapshot and whether a new one is coming."""

    snapshot: Snapshot | None
    building: bool
    building_since: dt.datetime | None
    failure: str | None


def build_snapshot(engine: Engine) -> Snapshot:
    """The report plus the profile count, timed."""
    started = time.perf_counter()
    report = build_report(engine)
    with engine.connect() as connection:
        profiles = repository.active_profiles(connection)
    return Snapshot(report, profiles, round(time.perf_counter() - started, 3))


Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ReportCache:
    """Holds the newest snapshot; builds run in a daemon thread, one at a time."""

    def __init__(
        self,
        engine: Engine,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        build: Callable[[Engine], Snapshot] = build_snapshot,
        clock: Clock = _utcnow,
    ) -> None:
        self._engine = engine
        self._max_age = max_age
        self._build = build
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._thread: threading.Thread | None = None
        self._started_at: dt.datetime | None = None
        self._failure: str | None = None
        self._failed_at: dt.datetime | None = None

    @property
    def max_age(self) -> dt.timedelta:
        return self._max_age

    def status(self, *, start_if_stale: bool = True) -> CacheStatus:
        """The newest snapshot; starts a build when there is none or it is too old."""
        with self._lock:
            if start_if_stale and self._wants_build():
                self._start()
            return self._status()

    def refresh(self) -> CacheStatus:
        """Start a build now unless one is already running."""
        with self._lock:
            if self._thread is None:
                self._start()
            return self._status()

    def wait(self, timeout: float) -> CacheStatus:
        """Wait for a running build to end (tests, and callers that can afford it)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status(start_if_stale=False)

    def _status(self) -> CacheStatus:
        building = self._thread is not None
        since = self._started_at if building else None
        return CacheStatus(self._latest, building, since, self._failure)

    def _wants_build(self) -> bool:
        if self._thread is not None:
            return False
        now = self._clock()
        if self._failed_at is not None and now - self._failed_at < RETRY_AFTER:
            return False
        if self._latest is None:
            return True
        return now - self._latest.report.generated_at > self._max_age

    def _start(self) -> None:
        """Called with the lock held and no build running."""
        self._started_at = self._clock()
        self._thread = threading.Thread(target=self._run, name="quality-report", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        snapshot: Snapshot | None = None
        failure: str | None = None
        try:
            snapshot = self._build(self._engine)
        except Exception as exc:  # a failed build must not take the server down
            # the type only: a database error's text can quote the data
            failure = f"the report could not be built ({type(exc).__name__}); see the server log"
            log.exception("building the quality report failed")
        with self._lock:
            if snapshot is not None:
                self._latest = snapshot
                self._failure = self._failed_at = None
                log.info("quality report built in %.2f s", snapshot.seconds)
            else:
                self._failure, self._failed_at = failure, self._clock()
            self._thread = None
