"""Who is looking at a page, and may they: the dependency every page declares.

Pages know only the cookie session (a browser sends no API key). A page that changes
something is a form post carrying the session's CSRF token as ``csrf_token`` (or a
script's ``X-CSRF-Token`` header); the token is derived from the session, so a page
from another site cannot forge it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.access.secrets import csrf_token, same
from kimlik.access.service import session_principal
from kimlik.api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE
from kimlik.api.state import ServerState, server
from kimlik.errors import AuthenticationError, PermissionDeniedError
from kimlik.web.nav import menu

CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class Page:
    """One request for a page by a signed-in person."""

    request: Request
    state: ServerState
    principal: Principal
    csrf: str

    def context(self, title: str, **values: Any) -> dict[str, Any]:
        """What every template needs, plus ``values``."""
        return {
            "title": title,
            "me": self.principal,
            "menu": menu(self.principal, self.request.url.path),
            "csrf": self.csrf,
            **values,
        }

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)


def page(permission: Permission | None = None) -> Callable[[Request], Awaitable[Page]]:
    """A dependency letting through signed-in people holding ``permission``."""

    async def check(request: Request) -> Page:
        state = server(request)
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise AuthenticationError("sign in to see this page")
        principal = await run_in_threadpool(session_principal, state.engine, token)
        expected = csrf_token(state.settings.secret_key.get_secret_value(), token)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or await _form_token(request)
            if not same(sent, expected):
                raise PermissionDeniedError(
                    "this form is out of date or came from another site; reload the page "
                    "and try again",
                    "csrf",
                )
        if permission is not None:
            principal.require(permission)
        return Page(request, state, principal, expected)

    check.permission = permission  # type: ignore[attr-defined]  # read by the permission walk
    return check


async def _form_token(request: Request) -> str:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""
