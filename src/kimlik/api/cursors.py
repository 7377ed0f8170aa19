"""Opaque page cursors: what a keyset-paged list needs to continue, as URL-safe text.

Search, the timeline, the review queue and the decisions list page by cursor rather than
by offset: profiles and timelines change while someone pages through them, and a
position (an id, a moment) stays put where an offset shifts. A cursor is base64url JSON
tagged with the list it belongs to, so a cursor from another list, or one cut short, is
a clear 422 on ``cursor`` rather than a wrong page or a 500. Cursors carry positions,
never personal data.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, NoReturn

import orjson
from fastapi import Query
from fastapi.exceptions import RequestValidationError

#: Most items one page may hold, and how many when unsaid.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
#: Largest id the stores hold (64-bit signed).
MAX_ID = 2**63 - 1

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page; leave out for the first page.",
    ),
]


def encode(kind: str, position: dict[str, Any]) -> str:
    """The cursor for ``position`` in the list ``kind``."""
    data = orjson.dumps({"k": kind, **position}, option=orjson.OPT_SORT_KEYS)
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode(kind: str, cursor: str | None, fields: dict[str, type]) -> dict[str, Any] | None:
    """The position a cursor of list ``kind`` holds (``None`` for no cursor); a cursor
    that is not one is ``RequestValidationError`` on ``cursor``."""
    if cursor is None or not cursor.strip():
        return None
    try:
        text = cursor.strip()
        data = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        invalid("not a cursor this server gave out")
    if not isinstance(data, dict) or data.get("k") != kind:
        invalid("a cursor of another list; use the next_cursor of this list's last page")
    position = {}
    for name, wanted in fields.items():
        value = data.get(name)
        if value is not None and not isinstance(value, wanted):
            invalid("not a cursor this server gave out")
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            invalid("not a cursor this server gave out")
        position[name] = value
    return position


def invalid(message: str, field: str = "cursor", where: str = "query") -> NoReturn:
    """Answer 422 naming ``field``, like FastAPI's own validation."""
    raise RequestValidationError(
        [{"loc": (where, field), "msg": message, "type": "value_error", "input": None}]
    )
