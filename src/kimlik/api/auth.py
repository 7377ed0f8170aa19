"""``/api/v1/auth``: sign in (cookie session for the web UI), sign out, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from kimlik.access import audit
from kimlik.access.principal import Principal
from kimlik.access.secrets import csrf_token
from kimlik.access.service import authenticate, end_session, start_session
from kimlik.api.deps import SESSION_COOKIE, Caller, State, client_address
from kimlik.api.responses import JsonResponse
from kimlik.api.state import ServerState
from kimlik.errors import AuthenticationError

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


def _me(principal: Any, csrf: str | None = None) -> dict[str, Any]:
    answer = {
        "kind": principal.kind,
        "id": principal.id,
        "name": principal.name,
        "role": principal.role,
        "permissions": sorted(p.value for p in principal.permissions),
    }
    if csrf is not None:
        answer["csrf_token"] = csrf
    return answer


def sign_in(state: ServerState, email: str, password: str, address: str) -> tuple[Principal, str]:
    """Check the credentials under the sign-in limits, start a session and audit it;
    the principal and the session's cookie token. The API and the sign-in page share it."""
    keys = (f"account:{email.strip().lower()}", f"address:{address}")
    state.logins.check(*keys)
    try:
        principal = authenticate(state.engine, email, password)
    except AuthenticationError:
        state.logins.failed(*keys)
        raise
    state.logins.succeeded(keys[0])
    assert principal.id is not None
    token = start_session(state.engine, principal.id, state.settings.session_hours)
    audit.record_now(state.engine, principal, "auth.login", None, None, address)
    return principal, token


def set_session_cookie(response: Response, state: ServerState, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=state.settings.environment == "production",
        path="/",
    )


@router.post("/login", summary="Sign in; sets the session cookie and returns the CSRF token")
async def login(credentials: Credentials, request: Request, state: State) -> Response:
    address = client_address(request) or "?"
    principal, token = await run_in_threadpool(
        sign_in, state, credentials.email, credentials.password, address
    )
    csrf = csrf_token(state.settings.secret_key.get_secret_value(), token)
    response = JsonResponse(_me(principal, csrf))
    set_session_cookie(response, state, token)
    return response


@router.post("/logout", summary="End this session")
async def logout(request: Request, principal: Caller, state: State) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(end_session, state.engine, token)
    response = JsonResponse({"success": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", summary="The caller and its permissions")
def me(request: Request, principal: Caller, state: State) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    csrf = (
        csrf_token(state.settings.secret_key.get_secret_value(), token)
        if token and principal.kind == "user"
        else None
    )
    return JsonResponse(_me(principal, csrf))
