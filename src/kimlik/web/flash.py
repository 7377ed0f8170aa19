"""One-time data for the page a redirect leads to, in a signed, short-lived cookie.

A form that changes something answers with a redirect (so a reload cannot do it twice),
and what the next page must say travels beside it: a new key's token, shown once; a
decision's summary, which names records and people and so must stay out of addresses
(they end up in access logs and browser history). The cookie is readable by one path
only, lives minutes, and is signed with the session's CSRF token (itself derived from
the session and the server's secret): another site or another session cannot plant one.
The page that shows it clears it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson
from starlette.responses import Response

from kimlik.web.session import Page


def put(
    response: Response, page: Page, name: str, data: dict[str, Any], path: str, seconds: int
) -> None:
    """Leave ``data`` for the next page under ``path`` this browser opens in this session."""
    encoded = base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")
    response.set_cookie(
        name,
        f"{encoded}.{_sign(page, encoded)}",
        max_age=seconds,
        path=path,
        httponly=True,
        samesite="strict",
        secure=page.state.settings.environment == "production",
    )


def take(page: Page, name: str) -> dict[str, Any] | None:
    """What a page left under ``name``, if this session signed it; None otherwise."""
    value = page.request.cookies.get(name, "")
    encoded, _, signature = value.partition(".")
    if not encoded or not hmac.compare_digest(signature, _sign(page, encoded)):
        return None
    try:
        data = orjson.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear(response: Response, name: str, path: str) -> None:
    response.delete_cookie(name, path=path)


def _sign(page: Page, encoded: str) -> str:
    return hmac.new(page.csrf.encode(), encoded.encode(), hashlib.sha256).hexdigest()
