"""The report snapshot behind the web page: one build at a time, rebuilt when old, and the
one-pass shared-identifier query against a count done by hand."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kimlik.config import Settings
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.quality import repository
from kimlik.quality.service import QualityReport
from kimlik.quality.snapshot import ReportCache, Snapshot, build_snapshot
from kimlik.store.migrate import upgrade

START = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


class Builds:
    """A stand-in build: counts calls, can be held open, can fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False
        self.now = START

    def __call__(self, _engine: Engine) -> Snapshot:
        self.calls += 1
        self.gate.wait(10)
        if self.fail:
            raise RuntimeError("secret@example.com broke it")
        return Snapshot(QualityReport(self.now, [], []), profiles=self.calls, seconds=0.0)

    def clock(self) -> dt.datetime:
        return self.now


def cache(builds: Builds) -> ReportCache:
    return ReportCache(None, dt.timedelta(minutes=15), builds, builds.clock)  # type: ignore[arg-type]


def test_the_first_look_starts_a_build_and_later_looks_wait_for_it() -> None:
    builds = Builds()
    builds.gate.clear()
    reports = cache(builds)
    first = reports.status()
    assert first.snapshot is None and first.building and first.building_since == START
    assert reports.status().building and reports.refresh().building
    builds.gate.set()
    done = reports.wait(10)
    assert builds.calls == 1, "only one build runs at a time"
    assert done.snapshot is not None and not done.building


def test_an_old_snapshot_is_shown_while_a_new_one_is_built() -> None:
    builds = Builds()
    reports = cache(builds)
    reports.status()
    reports.wait(10)
    builds.now = START + dt.timedelta(minutes=10)
    assert not reports.status().building, "still fresh"
    builds.now = START + dt.timedelta(minutes=16)
    builds.gate.clear()
    stale = reports.status()
    assert stale.building and stale.snapshot is not None and stale.snapshot.profiles == 1
    builds.gate.set()
    assert (snapshot := reports.wait(10).snapshot) is not None and snapshot.profiles == 2


def test_refresh_rebuilds_a_fresh_snapshot_on_request() -> None:
    builds = Builds()
    reports = cache(builds)
    reports.refresh()
    reports.wait(10)
    reports.refresh()
    assert (snapshot := reports.wait(10).snapshot) is not None and snapshot.profiles == 2


def test_a_failed_build_is_reported_without_its_message_and_retried_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    builds = Builds()
    builds.fail = True
    reports = cache(builds)
    reports.status()
    failed = reports.wait(10)
    assert failed.failure is not None and "RuntimeError" in failed.failure
    assert "secret@example.com" not in failed.failure
    assert not reports.status().building, "no retry on every page view"
    builds.fail = False
    builds.now = START + dt.timedelta(minutes=2)
    assert reports.status().building
    assert reports.wait(10).failure is None


def test_shared_identifiers_match_a_count_by_hand(
    engine: Engine, settings: Settings, write: Callable[..., Path]
) -> None:
    upgrade(engine)
    emails = ["a@x.com", "a@x.com", "a@x.com", "b@x.com", "b@x.com", "c@x.com", ""]
    rows = "\n".join(f"{n},Name{n},{e}" for n, e in enumerate(emails, 1))
    path = write("people.csv", "id,first_name,email\n" + rows + "\n")
    import_file(engine, settings, ImportRequest(path=path, source="crm", kind="people"))
    with engine.connect() as connection:
        shared, records, top = repository.shared_identifiers(connection, "email_key", 1)
        assert repository.shared_identifiers(connection, "phone", 5) == (0, 0, [])
    held = Counter(e for e in emails if e)
    assert shared == sum(1 for n in held.values() if n > 1) == 2
    assert records == sum(n for n in held.values() if n > 1) == 5
    assert [(records, sources) for _, records, sources in top] == [(3, 1)]
    snapshot = build_snapshot(engine)
    assert snapshot.profiles == 0 and snapshot.report.shared[0].shared == 2
