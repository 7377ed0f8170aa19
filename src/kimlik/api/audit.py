"""``GET /api/v1/audit``: who read, exported, merged or changed access, newest first.

Paged by id (``before``: the last id of the previous page) rather than by offset: the log
grows while someone reads it, and an offset would then show entries twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kimlik.access import audit
from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.api.deps import State, require
from kimlik.api.paging import MAX_LIMIT

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", summary="The audit log, newest first")
def audit_log(
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    state: State,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Entries older than this id.")
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=160, description="Exactly, e.g. 'key:3 nightly'.")
    ] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. export, user.create.")
    ] = None,
    target: Annotated[
        str | None, Query(max_length=255, description="e.g. user:3, source:crm.")
    ] = None,
) -> dict[str, Any]:
    items = audit.entries(
        state.engine, limit=limit, before=before, actor=actor, action=action, target=target
    )
    following = items[-1]["id"] if len(items) == limit else None
    return {"items": items, "next_before": following}
