"""Errors on pages: the API's mapping decides the status and message; pages show them.

The management API answers errors as JSON (``api/errors.py``). A person in a browser
should instead see a page saying what went wrong, and someone who is not signed in
should land on the sign-in page and come back afterwards. So each of the API's
handlers is wrapped once: requests for pages get HTML, everything else the JSON as is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from kimlik.web.templating import render

#: Paths that are not pages: the API, collection, the OpenAPI document and assets.
NOT_PAGES = ("/api/", "/v1/", "/openapi.json", "/static/")

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def install(app: FastAPI) -> None:
    """Wrap every installed exception handler (call after ``api.errors.install``)."""
    for kind, handler in list(app.exception_handlers.items()):
        app.exception_handlers[kind] = _for_pages(handler)


def _for_pages(handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        answer = handler(request, exc)
        response = answer if isinstance(answer, Response) else await answer
        if not is_page(request):
            return response
        if response.status_code == 401:
            return sign_in_redirect(request)
        return error_page(response.status_code, _message(response))

    return handle


def sign_in_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, which sends the person back here afterwards."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or target.startswith("/login"):
        target = "/"
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def error_page(status: int, message: str) -> Response:
    titles = {
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        422: "Check what you entered",
        429: "Too many attempts",
        503: "Busy, try again",
    }
    title = titles.get(status, "Something went wrong" if status >= 500 else "Cannot do that")
    context: dict[str, Any] = {"title": title, "status": status, "message": message}
    return render("error.html", context, status)


def _message(response: Response) -> str:
    try:
        body = orjson.loads(bytes(response.body))
    except (orjson.JSONDecodeError, TypeError):
        return "the request could not be answered"
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else "the request could not be answered"
