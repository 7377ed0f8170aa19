"""``/v1/*``: the Segment-compatible collection endpoint that real SDKs post to.

The body is read raw (gzip or not) and checked by ``collect.protocol``; the answer is
``200 {"success": true}`` once every message is stored. Messages that break the
protocol do not cost the others: the valid ones are stored, the bad ones are kept for
review, and the answer is 400 (or 413 for an oversized message) naming each of them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from kimlik.api.responses import JsonResponse
from kimlik.api.state import server
from kimlik.collect.protocol import TYPES
from kimlik.collect.service import Collected, collect
from kimlik.errors import AuthenticationError, PayloadTooLargeError

router = APIRouter(prefix="/v1", tags=["collection"])
_SUCCESS = b'{"success":true}'

_BODY_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A Segment batch or message; see docs/collect.md.",
                    "additionalProperties": True,
                }
            }
        },
    }
}


def basic_user(request: Request) -> str | None:
    """The write key sent as the HTTP Basic user name (the password is empty)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError("the Basic authorization header is not valid base64") from None
    user = decoded.partition(":")[0].strip()
    return user or None


async def read_body(request: Request, limit: int) -> bytes:
    """The body as sent, refusing to read past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the body is {declared} bytes; the limit is {limit}")
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise PayloadTooLargeError(f"the body is over the limit of {limit} bytes")
    return bytes(chunks)


async def _take(request: Request, single: str | None) -> Response:
    state = server(request)
    settings = state.settings
    limit = (
        settings.collect_max_batch_bytes if single is None else settings.collect_max_message_bytes
    )
    body = await read_body(request, limit)
    result: Collected = await run_in_threadpool(
        collect,
        state.engine,
        settings,
        state.write_keys,
        state.event_rate,
        body=body,
        content_encoding=request.headers.get("content-encoding"),
        single=single,
        basic_user=basic_user(request),
    )
    if not result.refused:
        return Response(_SUCCESS, media_type="application/json")
    too_large = any(r.code == "message_too_large" for r in result.refused)
    listed = "; ".join(r.message for r in result.refused[:10])
    more = len(result.refused) - 10
    return JsonResponse(
        {
            "code": "message_too_large" if too_large else "invalid_message",
            "message": f"{len(result.refused)} message(s) refused and kept for review, "
            f"{result.accepted} stored: {listed}" + (f"; and {more} more" if more > 0 else ""),
            "accepted": result.accepted,
            "refused": [
                {"index": r.index, "messageId": r.message_id, "code": r.code, "message": r.message}
                for r in result.refused
            ],
        },
        status_code=413 if too_large else 400,
    )


@router.post("/batch", openapi_extra=_BODY_SCHEMA, summary="A batch of messages (SDKs use this)")
async def batch(request: Request) -> Response:
    return await _take(request, None)


def _single(kind: str) -> None:
    async def endpoint(request: Request) -> Response:
        return await _take(request, kind)

    endpoint.__name__ = kind
    router.add_api_route(
        f"/{kind}",
        endpoint,
        methods=["POST"],
        openapi_extra=_BODY_SCHEMA,
        summary=f"One {kind} message",
    )


for _kind in sorted(TYPES):
    _single(_kind)
