"""``/api/v1/sources``: the systems data comes from, their write keys and refused events.

A new write key's token is in the answer once, with code to paste into an application
using the Segment or RudderStack Python SDK, pointed at this server.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from kimlik.access import admin, audit
from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.api.deps import State, client_address, require
from kimlik.api.masking import masked_tree
from kimlik.api.paging import Pages
from kimlik.sources import catalog

router = APIRouter(prefix="/api/v1", tags=["sources"])
Manager = Annotated[Principal, Depends(require(Permission.SOURCES_MANAGE))]
SourceName = Annotated[str, Path(max_length=64, description="Source name, e.g. crm.")]
KeyId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Write key id.")]
SHOWN_ONCE = "store this key now: it is not shown again"


class NewSource(BaseModel):
    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Short slug: letters, digits, '.', '_' or '-' (stored lower-case).",
        examples=["crm"],
    )
    trust_rank: int = Field(
        default=catalog.DEFAULT_TRUST_RANK,
        ge=catalog.TRUST_RANKS[0],
        le=catalog.TRUST_RANKS[1],
        description="Lower is more trusted (survivorship's most_trusted rule).",
    )


class NewWriteKey(BaseModel):
    name: str = Field(
        default="", max_length=128, description="What sends with it; default the source name."
    )


def _source_id(state: State, name: str) -> int:
    with state.engine.connect() as connection:
        found = catalog.source_id(connection, name.strip().lower())
    if found is None:
        raise HTTPException(404, f"no source {name!r}")
    return found


@router.get("/sources", summary="Sources with their record counts and last import")
def list_sources(principal: Manager, state: State) -> dict[str, Any]:
    with state.engine.connect() as connection:
        return {"items": catalog.list_sources(connection)}


@router.post("/sources", status_code=201, summary="Create a source with its trust rank")
def create_source(
    body: NewSource, request: Request, principal: Manager, state: State
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    with state.engine.begin() as connection:
        sid = catalog.create_source(connection, body.name, body.trust_rank, now)
        source = catalog.source_by_id(connection, sid)
        assert source is not None
        detail = {"trust_rank": body.trust_rank}
        audit.record(
            connection,
            principal,
            "source.create",
            f"source:{source['name']}",
            detail,
            client_address(request),
        )
    return source


@router.get("/sources/{source}/write-keys", summary="A source's write keys (never the keys)")
def list_write_keys(principal: Manager, state: State, source: SourceName) -> dict[str, Any]:
    _source_id(state, source)
    return {"items": admin.list_write_keys(state.engine, source.strip().lower())}


@router.post(
    "/sources/{source}/write-keys",
    status_code=201,
    summary="Create a write key for SDKs; the token is shown this once",
)
def create_write_key(
    body: NewWriteKey, request: Request, principal: Manager, state: State, source: SourceName
) -> dict[str, Any]:
    _source_id(state, source)
    key = admin.add_write_key(
        state.engine, principal, source, body.name.strip(), client_address(request)
    )
    base = str(request.base_url).rstrip("/")
    return {
        "id": key.id,
        "name": key.name,
        "source": source.strip().lower(),
        "token": key.token,
        "warning": SHOWN_ONCE,
        "snippets": snippets(key.token, base),
    }


def snippets(token: str, base_url: str) -> dict[str, str]:
    """Code that sends an identify and a track to this server with ``token``."""
    key, url = json.dumps(token), json.dumps(base_url)  # quoted and escaped for Python
    segment = (
        "import segment.analytics as analytics\n\n"
        f"analytics.write_key = {key}\n"
        f"analytics.host = {url}\n"
        'analytics.identify("user-42", {"email": "ada@example.com", "firstName": "Ada"})\n'
        'analytics.track("user-42", "Order Completed", {"total": 42.5, "currency": "EUR"})\n'
        "analytics.flush()\n"
    )
    rudder = (
        "import rudderstack.analytics as rudder_analytics\n\n"
        f"rudder_analytics.write_key = {key}\n"
        f"rudder_analytics.dataPlaneUrl = {url}\n"
        'rudder_analytics.identify("user-42", {"email": "ada@example.com", "firstName": "Ada"})\n'
        'rudder_analytics.track("user-42", "Order Completed", {"total": 42.5, "currency": "EUR"})\n'
        "rudder_analytics.flush()\n"
    )
    return {"segment-analytics-python": segment, "rudder-sdk-python": rudder}


@router.delete("/write-keys/{key_id}", status_code=204, summary="Revoke a write key")
def revoke_write_key(request: Request, principal: Manager, state: State, key_id: KeyId) -> Response:
    if not admin.revoke_write_key(state.engine, principal, key_id, client_address(request)):
        raise HTTPException(404, f"no write key {key_id}")
    state.write_keys.forget()
    return Response(status_code=204)


@router.get("/sources/{source}/rejected-events", summary="Events the collection endpoint refused")
def rejected_events(
    principal: Manager, state: State, source: SourceName, paging: Pages
) -> dict[str, Any]:
    sid = _source_id(state, source)
    with state.engine.connect() as connection:
        items, total = catalog.refused_events(
            connection, sid, limit=paging.limit, offset=paging.offset
        )
    if not principal.sees_personal:
        items = [{**item, "payload": masked_tree(item["payload"])} for item in items]
    return paging.page(items, total)
