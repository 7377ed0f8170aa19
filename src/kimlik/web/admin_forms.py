"""What the admin pages share: field messages for forms, and a new key's token shown once.

A new key's token exists only in the answer to its creation. The page that made it
answers with a redirect (so a reload cannot make a second key), which leaves the token
to travel to the page that shows it: a short-lived cookie, readable only by that one
page, bound to the session by an HMAC, and deleted by the page as it shows the token.
A reload therefore finds no token, which is the point.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from kimlik.access.secrets import same
from kimlik.api.deps import SESSION_COOKIE
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


def _seal(page: Page, kind: str, key_id: int, token: str) -> str:
    secret = page.state.settings.secret_key.get_secret_value().encode()
    session = page.request.cookies.get(SESSION_COOKIE, "")
    message = f"{session}\n{kind}\n{key_id}\n{token}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def remember_token(
    response: Response, page: Page, kind: str, key_id: int, token: str, path: str
) -> None:
    """Hand ``token`` to the page at ``path`` (and only it), once."""
    value = f"{kind}.{key_id}.{token}.{_seal(page, kind, key_id, token)}"
    response.set_cookie(
        NEW_KEY_COOKIE,
        value,
        max_age=NEW_KEY_SECONDS,
        path=path,
        httponly=True,
        samesite="strict",
        secure=page.state.settings.environment == "production",
    )


def take_token(page: Page, kind: str, key_id: int) -> str | None:
    """The token remembered for this key in this session, or None (shown already)."""
    value = page.request.cookies.get(NEW_KEY_COOKIE, "")
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != kind or parts[1] != str(key_id):
        return None
    token, seal = parts[2], parts[3]
    return token if same(seal, _seal(page, kind, key_id, token)) else None


def forget_token(response: Response, path: str) -> None:
    response.delete_cookie(NEW_KEY_COOKIE, path=path)


def done_message(messages: Mapping[str, str], done: str, **values: Any) -> str | None:
    """The outcome a redirect named (``?done=``), in words; unknown names say nothing."""
    template = messages.get(done)
    return template.format(**values) if template else None
