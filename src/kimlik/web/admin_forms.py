"""What the admin pages share: field messages for forms, and a new key's token shown once.

A new key's token exists only in the answer to its creation. The page that made it
answers with a redirect (so a reload cannot make a second key), which leaves the token
to travel to the page that shows it (``web/flash.py``), which deletes it as it shows
the token. A reload therefore finds no token, which is the point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from kimlik.web import flash
from kimlik.web.session import Page

NEW_KEY_COOKIE = "kimlik_new_key"
#: seconds the token waits for its page: long enough for a redirect, short enough to forget
NEW_KEY_SECONDS = 120


def field_problems(exc: ValidationError, hints: Mapping[str, str]) -> dict[str, str]:
    """Field name -> one message, the page's own words where it has them."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        found.setdefault(field, hints.get(field, str(error["msg"])))
    return found


def remember_token(
    response: Response, page: Page, kind: str, key_id: int, token: str, path: str
) -> None:
    """Hand ``token`` to the page at ``path`` (and only it), once."""
    data = {"kind": kind, "id": key_id, "token": token}
    flash.put(response, page, NEW_KEY_COOKIE, data, path, NEW_KEY_SECONDS)


def take_token(page: Page, kind: str, key_id: int) -> str | None:
    """The token remembered for this key in this session, or None (shown already)."""
    data = flash.take(page, NEW_KEY_COOKIE)
    if data is None or data.get("kind") != kind or data.get("id") != key_id:
        return None
    token = data.get("token")
    return token if isinstance(token, str) else None


def forget_token(response: Response, path: str) -> None:
    flash.clear(response, NEW_KEY_COOKIE, path)


def done_message(messages: Mapping[str, str], done: str, **values: Any) -> str | None:
    """The outcome a redirect named (``?done=``), in words; unknown names say nothing."""
    template = messages.get(done)
    return template.format(**values) if template else None
