"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from kimlik.access.service import end_session, session_principal
from kimlik.api.auth import set_session_cookie, sign_in
from kimlik.api.deps import SESSION_COOKIE, client_address
from kimlik.api.state import server
from kimlik.errors import AuthenticationError, RateLimitedError
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            await run_in_threadpool(session_principal, server(request).engine, token)
        except AuthenticationError:
            pass
        else:
            return RedirectResponse(_safe_target(next), status_code=303)
    return render("login.html", {"title": "Sign in", "next": _safe_target(next), "email": ""})


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    state = server(request)
    target = _safe_target(next)
    context = {"title": "Sign in", "next": target, "email": email}
    if not email.strip() or not password:
        context["error"] = "Enter your email address and password."
        return render("login.html", context, 422)
    try:
        _principal, token = await run_in_threadpool(
            sign_in, state, email, password, client_address(request) or "?"
        )
    except RateLimitedError as exc:
        context["error"] = f"Too many attempts. Try again in {exc.retry_after} seconds."
        return render("login.html", context, 429)
    except AuthenticationError:
        context["error"] = "Wrong email or password."
        return render("login.html", context, 401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, state, token)
    return response


@router.post("/logout")
async def logout(request: Request, current: Annotated[Page, Depends(page())]) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(end_session, current.state.engine, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _safe_target(target: str) -> str:
    """Only a path on this server: ``next`` must not send anyone to another site."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    return target
