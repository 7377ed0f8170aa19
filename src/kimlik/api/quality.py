"""``GET /api/v1/quality``: the data-quality report as ``kimlik quality --format json`` prints it.

The emails and phones several records share are personal: masked for callers without
``profiles.personal``, who still see how many records and sources share each.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kimlik.access.permissions import Permission, mask
from kimlik.access.principal import Principal
from kimlik.api.deps import State, require
from kimlik.quality.service import QualityReport, build_report

router = APIRouter(prefix="/api/v1", tags=["quality"])


@router.get("/quality", summary="The data-quality report (docs/quality.md)")
def quality(
    principal: Annotated[Principal, Depends(require(Permission.QUALITY_READ))], state: State
) -> dict[str, Any]:
    return visible(build_report(state.engine), principal)


def visible(report: QualityReport, principal: Principal) -> dict[str, Any]:
    """The report as JSON, as ``principal`` may see it (the web page shows the same)."""
    answer = report.to_json()
    if not principal.sees_personal:
        for group in answer["shared"]:
            for example in group["top"]:
                example["value"] = mask(example["value"])
    return answer
