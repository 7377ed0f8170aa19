"""``/api/v1/imports``: import runs (files and API batches) and the rows they refused.

Rejected rows hold what a source sent, personal data included: callers without
``profiles.personal`` see which columns a row had and why it was refused, not the values.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from kimlik.access.permissions import Permission, mask
from kimlik.access.principal import Principal
from kimlik.api.deps import State, require
from kimlik.api.masking import masked_reasons, masked_tree
from kimlik.api.paging import Pages
from kimlik.ingest import runs

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
Reader = Annotated[Principal, Depends(require(Permission.IMPORTS_READ))]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Import run id.")]


@router.get("", summary="Import runs, newest first")
def list_imports(
    principal: Reader,
    state: State,
    paging: Pages,
    source: Annotated[str | None, Query(max_length=64, description="Source name.")] = None,
    kind: Annotated[str | None, Query(max_length=32, description="Record kind.")] = None,
    status: Annotated[Literal["running", "completed", "failed"] | None, Query()] = None,
) -> dict[str, Any]:
    with state.engine.connect() as connection:
        items, total = runs.runs_page(
            connection,
            limit=paging.limit,
            offset=paging.offset,
            source=source,
            kind=kind,
            status=status,
        )
    return paging.page(items, total)


@router.get("/{run_id}", summary="One import run and the rows it rejected (paged)")
def get_import(principal: Reader, state: State, run_id: RunId, paging: Pages) -> dict[str, Any]:
    with state.engine.connect() as connection:
        run = runs.run_by_id(connection, run_id)
        if run is None:
            raise HTTPException(404, f"no import run {run_id}")
        rows, total = runs.rejections_page(
            connection, run_id, limit=paging.limit, offset=paging.offset
        )
    if not principal.sees_personal:
        rows = [
            {
                **row,
                "record_id": mask(row["record_id"]),
                "raw": masked_tree(row["raw"]),
                "reasons": masked_reasons(row["reasons"]),
            }
            for row in rows
        ]
    return {**run, "rejected_rows": paging.page(rows, total)}
