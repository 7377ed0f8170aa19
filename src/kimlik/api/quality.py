"""``GET /api/v1/quality``: the data-quality report as ``kimlik quality --format json`` prints it.

The emails and phones several records share are personal: masked for callers without
``profiles.personal``, who still see how many records and sources share each.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kimlik.access.permissions import Permission, mask
from kimlik.access.principal import Principal
from kimlik.api.deps import State, require
from kimlik.quality.service import QualityReport, build_report
from kimlik.quality.snapshot import Snapshot

router = APIRouter(prefix="/api/v1", tags=["quality"])
#: How long a ``max_age`` request waits for the snapshot it started before counting itself.
SNAPSHOT_WAIT_SECONDS = 600


@router.get("/quality", summary="The data-quality report (docs/quality.md)")
def quality(
    principal: Annotated[Principal, Depends(require(Permission.QUALITY_READ))],
    state: State,
    max_age: Annotated[int | None, Query(
        ge=0, le=7 * 24 * 3600,
        description="Seconds: answer with the report this server keeps (the one the web page "
        "shows) when it is at most this old; older or none yet, it is rebuilt now and kept for "
        "the next callers. Without it every call counts every record (seconds on a large store).",
    )] = None,
) -> dict[str, Any]:  # fmt: skip
    if max_age is not None:
        limit = dt.timedelta(seconds=max_age)
        latest = state.quality.status(start_if_stale=False).snapshot
        if not _younger(latest, limit):  # build the shared snapshot, for the next callers too
            state.quality.refresh()
            latest = state.quality.wait(SNAPSHOT_WAIT_SECONDS).snapshot
        if latest is not None and _younger(latest, limit):
            return visible(latest.report, principal)
    return visible(build_report(state.engine), principal)


def _younger(snapshot: Snapshot | None, limit: dt.timedelta) -> bool:
    if snapshot is None:
        return False
    return dt.datetime.now(dt.UTC) - snapshot.report.generated_at <= limit


def visible(report: QualityReport, principal: Principal) -> dict[str, Any]:
    """The report as JSON, as ``principal`` may see it (the web page shows the same)."""
    answer = report.to_json()
    if not principal.sees_personal:
        for group in answer["shared"]:
            for example in group["top"]:
                example["value"] = mask(example["value"])
    return answer
