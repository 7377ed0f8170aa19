"""The data-quality page: the report of ``kimlik quality`` with charts, from a snapshot.

The report aggregates every record, which takes seconds on a large store, so the page never
builds it while someone waits: it shows the newest snapshot the server holds
(``ServerState.quality``) with its time, and a refresh runs in the background while the page
polls for it. The shared identifiers are masked exactly as ``GET /api/v1/quality`` masks
them, by the API's own function.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import Permission
from kimlik.api import quality as quality_api
from kimlik.ingest.kinds import KINDS
from kimlik.quality.service import KindQuality, SourceQuality
from kimlik.quality.snapshot import CacheStatus, Snapshot
from kimlik.web import charts
from kimlik.web.session import Page, page
from kimlik.web.templating import number, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Permission.QUALITY_READ))]
#: A source whose newest import or event is older than this many days is flagged.
STALE_DAYS = 7
TITLE = "Data quality"


@router.get("/quality")
def quality_page(current: Reader) -> Response:
    status = current.state.quality.status()
    minutes = int(current.state.quality.max_age.total_seconds() // 60)
    context = current.context(
        TITLE, max_age_minutes=minutes, **_status(status), **_report(current, status)
    )
    return render("quality.html", context)


@router.get("/quality/status")
def quality_status(current: Reader, since: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The status line alone, polled while a build runs; says when a newer report exists."""
    status = current.state.quality.status(start_if_stale=False)
    return render("_quality_status.html", current.context(TITLE, **_status(status, since)))


@router.get("/quality/report")
def quality_report(current: Reader) -> Response:
    """The report alone, for the page's script to swap in once a new one is ready."""
    status = current.state.quality.status(start_if_stale=False)
    return render("_quality_report.html", current.context(TITLE, **_report(current, status)))


@router.post("/quality/refresh")
def quality_refresh(current: Reader) -> Response:
    current.state.quality.refresh()
    return RedirectResponse("/quality", status_code=303)


def _stamp(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _status(status: CacheStatus, since: str | None = None) -> dict[str, Any]:
    """Status line values; ``since`` is the report the browser shows (None: the page itself)."""
    shown = status.snapshot.report.generated_at.isoformat() if status.snapshot else ""
    ready = (
        since is not None and not status.building and status.snapshot is not None
        and shown != since
    )  # fmt: skip
    return {
        "building": status.building,
        "building_since": _stamp(status.building_since),
        "failure": status.failure,
        "ready": ready,
        "has_snapshot": status.snapshot is not None,
        "since": since if since is not None else shown,
        "shown_at": _stamp(status.snapshot.report.generated_at) if status.snapshot else "",
    }


@dataclass(frozen=True, slots=True)
class Rejected:
    """Rows one source's newest import of one kind refused for one reason."""

    source: str
    kind: str
    code: str
    rows: int


@dataclass(frozen=True, slots=True)
class Fresh:
    """How old a source's newest import or event is."""

    at: dt.datetime | None
    days: int | None
    stale: bool


def freshness(moment: dt.datetime | None, now: dt.datetime) -> Fresh:
    """Whole days since ``moment``; stale after ``STALE_DAYS``; never imported is stale."""
    if moment is None:
        return Fresh(None, None, True)
    days = max((now - moment).days, 0)
    return Fresh(moment, days, days > STALE_DAYS)


def _report(current: Page, status: CacheStatus) -> dict[str, Any]:
    snapshot = status.snapshot
    if snapshot is None:
        return {"report": None, "meter": charts.meter}
    visible = quality_api.visible(snapshot.report, current.principal)
    masked = not current.principal.sees_personal
    return {"report": summarize(snapshot, visible, masked=masked), "meter": charts.meter}


def summarize(
    snapshot: Snapshot, visible: dict[str, Any], *, masked: bool, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the template shows, from a snapshot and the report JSON as the caller may see it
    (``masked``: the shared identifiers' values are hidden from this caller)."""
    report = snapshot.report
    now = now or dt.datetime.now(dt.UTC)
    sources = report.sources
    rejected = sorted(
        (
            Rejected(s.source, k.kind, code, rows)
            for s in sources
            for k in s.kinds
            for code, rows in k.rejected.items()
        ),
        key=lambda row: (-row.rows, row.source, row.kind, row.code),
    )
    by_reason: Counter[str] = Counter()
    for row in rejected:
        by_reason[row.code] += row.rows
    reasons = sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))
    events = [_events(s) for s in sources if s.collected is not None]
    return {
        "as_of": report.generated_at.isoformat(),
        "as_of_text": _stamp(report.generated_at),
        "seconds": snapshot.seconds,
        "totals": {
            "records": sum(k.records for s in sources for k in s.kinds),
            "people": sum(k.records for s in sources for k in s.kinds if k.kind == "people"),
            "profiles": snapshot.profiles,
            "sources": len(sources),
            "rejected": sum(by_reason.values()),
            "events": sum(row["events"] for row in events),
        },
        "matrix": _matrix(sources),
        "rejected": rejected,
        "reasons_chart": charts.bar_chart(
            reasons,
            ident="rejected-reasons",
            title="Rejected rows by reason",
            description="Rows refused by the newest import of each source and kind, "
            + "; ".join(f"{code}: {rows}" for code, rows in reasons),
            tone="bad",
            value_text=number,
        )
        if reasons
        else None,
        "shared": visible["shared"],
        "masked": masked,
        "freshness": [
            {
                "source": s.source,
                "imported": freshness(s.last_import_at, now),
                "event": freshness(s.collected.last_received_at, now) if s.collected else None,
            }
            for s in sources
        ],
        "stale_days": STALE_DAYS,
        "events": events,
        "details": [_details(s) for s in sources],
    }


def _events(source: SourceQuality) -> dict[str, Any]:
    collected = source.collected
    assert collected is not None
    return {
        "source": source.source,
        "events": collected.events,
        "on_a_person": collected.on_a_person,
        "anonymous": collected.events - collected.on_a_person,
        "pending": collected.pending,
        "refused": sum(collected.refused.values()),
        "refused_by": sorted(collected.refused.items(), key=lambda i: (-i[1], i[0])),
        "last": collected.last_received_at,
        "share": collected.on_a_person / collected.events if collected.events else 0.0,
    }


def _used(kind: KindQuality) -> list[Any]:
    """The attributes a kind's records carry at all (never given: not this source's field)."""
    return [a for a in kind.attributes if a.present + a.invalid > 0]


def _matrix(sources: list[SourceQuality]) -> dict[str, Any]:
    """People attributes (rows) by source (columns): completeness, with invalid counts."""
    columns = []
    for source in sources:
        people = next((k for k in source.kinds if k.kind == "people" and k.records), None)
        if people is not None:
            columns.append((source.source, people.records, {a.attribute: a for a in _used(people)}))
    order = [f.name for f in KINDS["people"].fields]
    names = [name for name in order if any(name in cells for _, _, cells in columns)]
    rows = [
        {"attribute": name, "cells": [cells.get(name) for _, _, cells in columns]} for name in names
    ]
    return {"sources": [(name, records) for name, records, _ in columns], "rows": rows}


def _details(source: SourceQuality) -> dict[str, Any]:
    return {
        "source": source.source,
        "kinds": [
            {
                "kind": kind.kind,
                "records": kind.records,
                "attributes": _used(kind),
                "rejected": sum(kind.rejected.values()),
            }
            for kind in source.kinds
        ],
    }
