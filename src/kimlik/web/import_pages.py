"""Import runs in the browser: the history, one run's progress and result, its rejected rows.

Runs are read through the API's endpoint functions (``kimlik.api.imports``), so paging,
404s and the masking of rejected values for roles without ``profiles.personal`` are
exactly the API's. Uploading and previewing a file live in ``import_preview``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from kimlik.access.permissions import Permission
from kimlik.api import imports as imports_api
from kimlik.api.paging import Paging
from kimlik.web import import_preview
from kimlik.web.import_jobs import Job, jobs
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(import_preview.router)  # first: /imports/new before /imports/{id}
Reader = Annotated[Page, Depends(page(Permission.IMPORTS_READ))]
RunId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
#: Runs per page of the history; rejected rows per page of a run.
RUNS_PER_PAGE = 25
REJECTIONS_PER_PAGE = 50


@router.get("/imports")
def history(current: Reader, page: PageNumber = 1) -> Response:
    paging = Paging(RUNS_PER_PAGE, (page - 1) * RUNS_PER_PAGE)
    answer = imports_api.list_imports(
        current.principal, current.state, paging, source=None, kind=None, status=None
    )
    context = current.context(
        "Imports",
        runs=answer["items"],
        pager=_pager(page, RUNS_PER_PAGE, answer["total"], "/imports"),
        can_run=current.can(Permission.IMPORTS_RUN),
    )
    return render("imports.html", context)


@router.get("/imports/{run_id}")
def run_page(current: Reader, run_id: RunId, page: PageNumber = 1) -> Response:
    context = _run_context(current, run_id, page)
    return render("import_run.html", current.context(_title(context["run"]), **context))


@router.get("/imports/{run_id}/progress")
def run_progress(current: Reader, run_id: RunId) -> Response:
    """The run's status section alone, for the page to poll while the run goes on."""
    context = _run_context(current, run_id, 1)
    return render("_import_status.html", current.context(_title(context["run"]), **context))


def _run_context(current: Page, run_id: int, page: int) -> dict[str, Any]:
    paging = Paging(REJECTIONS_PER_PAGE, (page - 1) * REJECTIONS_PER_PAGE)
    run = imports_api.get_import(current.principal, current.state, run_id, paging)
    rejected = run.pop("rejected_rows")
    job = jobs(current.request).for_run(run_id) if run["status"] == "running" else None
    return {
        "run": run,
        "job": _progress(job),
        "duration": _duration(run["started_at"], run["finished_at"]),
        "rejections": rejected["items"],
        "pager": _pager(page, REJECTIONS_PER_PAGE, rejected["total"], f"/imports/{run_id}"),
        "mapping_columns": (run.get("mapping") or {}).get("columns") or {},
    }


def _title(run: dict[str, Any]) -> str:
    return f"Import {run['id']}: {run['file_name']}"


def _progress(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    fraction = job.fraction
    return {
        "rows": job.rows,
        "rejected": job.rejected,
        "percent": None if fraction is None else round(fraction * 100),
    }


def _pager(page: int, size: int, total: int, base: str) -> dict[str, Any]:
    """Where this page sits in the list, and the links around it."""
    pages = max(1, -(-total // size))
    first = (page - 1) * size + 1
    return {
        "page": page,
        "pages": pages,
        "total": total,
        "first": first if total else 0,
        "last": min(page * size, total),
        "previous": f"{base}?page={page - 1}" if page > 1 else None,
        "next": f"{base}?page={page + 1}" if page < pages else None,
    }


def _duration(started: Any, finished: Any) -> str | None:
    """How long the run took, as people say it (2.4 s, 3 min 5 s)."""
    if not isinstance(started, dt.datetime) or not isinstance(finished, dt.datetime):
        return None
    if (started.tzinfo is None) != (finished.tzinfo is None):
        started, finished = started.replace(tzinfo=None), finished.replace(tzinfo=None)
    seconds = max((finished - started).total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
