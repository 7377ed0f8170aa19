"""Who is calling, and may they: the dependencies every management route declares.

Two ways in: ``Authorization: Bearer <API key>`` for programs, and the session cookie
for the web UI. Cookie callers must echo the session's CSRF token in ``X-CSRF-Token``
on every request that changes something; bearer callers need not (a browser never
adds that header by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.access.secrets import csrf_token, same
from kimlik.access.service import bearer_principal, session_principal
from kimlik.api.state import ServerState, server
from kimlik.errors import AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "kimlik_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_principal(request: Request) -> Principal:
    state = server(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return bearer_principal(state.engine, token.strip())
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        principal = session_principal(state.engine, session)
        if request.method not in SAFE_METHODS:
            expected = csrf_token(state.settings.secret_key.get_secret_value(), session)
            if not same(request.headers.get(CSRF_HEADER, ""), expected):
                raise PermissionDeniedError(
                    "missing or wrong X-CSRF-Token header for a signed-in change", "csrf"
                )
        return principal
    raise AuthenticationError("sign in, or send an API key as 'Authorization: Bearer <key>'")


Caller = Annotated[Principal, Depends(current_principal)]
State = Annotated[ServerState, Depends(server)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers holding ``permission``."""

    def check(principal: Caller) -> Principal:
        principal.require(permission)
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # read by the permission walk
    return check


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
