"""``POST /api/v1/sources/{source}/records``: a source's records, upserted in one batch.

The records take the file importer's path (``kimlik.ingest.service.import_rows``): the
same standardization, rejections and idempotency, one import run per request. Sending
the same batch again changes nothing and answers ``unchanged``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field, ValidationError, WithJsonSchema

from kimlik.access import audit
from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.api.deps import State, client_address, require
from kimlik.errors import MappingError
from kimlik.ingest.kinds import KINDS
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.service import import_rows

router = APIRouter(prefix="/api/v1", tags=["records"])

MAX_RECORDS = 10_000

#: The mapping is checked by the importer (a 400 naming the key at fault), but documented
#: with the mapping file's own schema.
MappingBody = Annotated[
    dict[str, Any], WithJsonSchema({**Mapping.model_json_schema(), "title": "Mapping"})
]


class RecordsBatch(BaseModel):
    """A batch of one kind of record from one source."""

    kind: str | None = Field(
        default=None,
        max_length=32,
        description=(
            f"One of {', '.join(KINDS)}; default: the mapping's kind, else people. "
            "An unknown kind is a 400 naming the choices."
        ),
        examples=["people"],
    )
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_RECORDS,
        description=(
            "Records as column -> value, like a file's rows (headers map as in files). "
            "Nested objects and arrays are kept whole as custom attributes."
        ),
        examples=[[{"id": "C-1", "email": "ada@example.com", "first_name": "Ada"}]],
    )
    mapping: MappingBody | None = Field(
        default=None,
        description="As a mapping file (docs/importing.md): id_column, columns, values, region.",
    )


class RowRejection(BaseModel):
    index: int = Field(description="0-based position of the record in `records`.")
    reasons: list[dict[str, Any]]


class UpsertResult(BaseModel):
    run_id: int
    source: str
    kind: str
    read: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    unlinked: int = Field(description="Related records naming a customer not (yet) known.")
    rejections: list[RowRejection]


def _mapping(body: RecordsBatch) -> Mapping | None:
    if body.mapping is None:
        return None
    try:
        return Mapping.model_validate(body.mapping)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(step) for step in error["loc"]) or "(top level)"
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"mapping {where!r}: {message}")
        raise MappingError("; ".join(problems)) from None


@router.post(
    "/sources/{source}/records",
    summary="Upsert a batch of a source's records (idempotent)",
    response_model=UpsertResult,
)
def upsert_records(
    body: RecordsBatch,
    request: Request,
    state: State,
    principal: Annotated[Principal, Depends(require(Permission.RECORDS_WRITE))],
    source: Annotated[str, Path(max_length=64, description="Source name, e.g. crm")],
) -> dict[str, Any]:
    mapping = _mapping(body)
    kind = body.kind or (mapping.kind if mapping else None) or "people"
    result = import_rows(
        state.engine,
        state.settings,
        source=source,
        kind=kind,
        rows=body.records,
        mapping=mapping,
        label="api",
    )
    counts = {
        "read": result.read,
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "unlinked": result.unlinked,
    }
    audit.record_now(
        state.engine,
        principal,
        "records.upsert",
        f"source:{result.source}",
        {"kind": result.kind, "run_id": result.run_id, **counts},
        client_address(request),
    )
    return {
        "run_id": result.run_id,
        "source": result.source,
        "kind": result.kind,
        **counts,
        "rejections": [
            {"index": rejection.line - 1, "reasons": rejection.reasons}
            for rejection in result.rejections
        ],
    }
