"""``GET /api/v1/exports/profiles``: every active profile's golden record, streamed.

The rows are those of ``kimlik export profiles`` (``kimlik.profiles.export``), written as
they are read, so memory stays flat at any size. Personal attributes are masked for
callers without ``profiles.personal``; every export is in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Engine
from starlette.responses import StreamingResponse

from kimlik.access import audit
from kimlik.access.permissions import PERSONAL_FIELDS, Permission, mask
from kimlik.access.principal import Principal
from kimlik.api.deps import State, client_address, require
from kimlik.profiles.export import PROFILE_COLUMNS
from kimlik.profiles.repository import stream_profiles
from kimlik.profiles.values import golden_values

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])
#: bytes gathered before a chunk goes out
CHUNK = 64 << 10
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def _rows(engine: Engine, personal: bool) -> Iterator[list[Any]]:
    attributes = PROFILE_COLUMNS[1:]
    with engine.connect() as connection:
        for profile_id, stored in stream_profiles(connection):
            values = golden_values(stored)
            row: list[Any] = [profile_id]
            for name in attributes:
                value = values.get(name)
                row.append(mask(value) if not personal and name in PERSONAL_FIELDS else value)
            yield row


def _csv(rows: Iterator[list[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PROFILE_COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _jsonl(rows: Iterator[list[Any]]) -> Iterator[bytes]:
    chunk = bytearray()
    for row in rows:
        chunk += orjson.dumps(dict(zip(PROFILE_COLUMNS, row, strict=True)))
        chunk += b"\n"
        if len(chunk) >= CHUNK:
            yield bytes(chunk)
            chunk.clear()
    yield bytes(chunk)


@router.get(
    "/profiles",
    summary="Every active profile's golden attributes, as CSV or JSON Lines",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["jsonl"]: {}}}},
)
def export_profiles(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.PROFILES_READ))],
    state: State,
    format: Annotated[Literal["jsonl", "csv"], Query(description="Output format.")] = "jsonl",
) -> StreamingResponse:
    personal = principal.sees_personal
    detail = {"what": "profiles", "format": format, "masked": not personal}
    audit.record_now(state.engine, principal, "export", None, detail, client_address(request))
    rows = _rows(state.engine, personal)
    body = _csv(rows) if format == "csv" else _jsonl(rows)
    headers = {"Content-Disposition": f'attachment; filename="profiles.{format}"'}
    return StreamingResponse(body, media_type=MEDIA[format], headers=headers)
