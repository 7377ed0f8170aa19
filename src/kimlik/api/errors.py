"""Domain errors to HTTP answers, in one place (the domain knows no status codes).

Every error body holds ``code`` and ``message``: older Segment SDKs retry a 400 ten
times when either is missing, and people read ``message``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from kimlik.api.responses import JsonResponse
from kimlik.errors import (
    AccountError,
    AmbiguousProfileError,
    AuthenticationError,
    CollectError,
    ConfigurationError,
    DecisionConflictError,
    DecisionError,
    ExportError,
    IngestError,
    KimlikError,
    MalformedBatchError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProfileNotFoundError,
    RateLimitedError,
    StoreError,
    UnknownReferenceError,
)

log = logging.getLogger("kimlik.api")

#: most specific first: the first class an error is an instance of decides
STATUS: list[tuple[type[KimlikError], int, str]] = [
    (AuthenticationError, 401, "unauthorized"),
    (PermissionDeniedError, 403, "forbidden"),
    (RateLimitedError, 429, "rate_limited"),
    (PayloadTooLargeError, 413, "payload_too_large"),
    (MalformedBatchError, 400, "invalid_request"),
    (CollectError, 400, "invalid_request"),
    (ProfileNotFoundError, 404, "not_found"),
    (AmbiguousProfileError, 409, "ambiguous"),
    (UnknownReferenceError, 404, "not_found"),
    (DecisionConflictError, 409, "conflict"),
    (DecisionError, 409, "conflict"),
    (AccountError, 400, "invalid_request"),
    (IngestError, 400, "invalid_request"),
    (ExportError, 400, "invalid_request"),
    (ConfigurationError, 500, "misconfigured"),
    (StoreError, 503, "store_unavailable"),
]


def error_response(status: int, code: str, message: str, **extra: object) -> JsonResponse:
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="kimlik"'
    return JsonResponse(
        {"code": code, "message": message, **extra}, status_code=status, headers=headers
    )


def _kimlik_error(_request: Request, exc: Exception) -> JsonResponse:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            extra: dict[str, object] = {}
            if isinstance(exc, RateLimitedError):
                extra["retry_after"] = exc.retry_after
            if isinstance(exc, AmbiguousProfileError):
                extra["candidates"] = exc.candidates
            if isinstance(exc, DecisionConflictError):
                extra["decisions"] = exc.decisions
            if isinstance(exc, PermissionDeniedError):
                extra["permission"] = exc.permission
            return error_response(status, code, str(exc), **extra)
    return error_response(400, "invalid_request", str(exc))


def _validation_error(_request: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]
    text = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
    return error_response(422, "invalid_request", text or "invalid request", errors=problems)


def _http_error(_request: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
    return error_response(
        exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
    )


def _store_busy(_request: Request, exc: Exception) -> JsonResponse:
    """A locked SQLite file or an exhausted pool: the client should come back shortly."""
    log.warning("store busy: %s", exc.__class__.__name__)
    return error_response(
        503, "store_unavailable", "the store is busy; retry shortly", retry_after=1
    )


def _unexpected(_request: Request, exc: Exception) -> JsonResponse:
    # the type only: a message may quote personal data from the request
    log.error("unexpected %s", exc.__class__.__name__, exc_info=exc)
    return error_response(500, "internal_error", "internal error; see the server log")


def install(app: FastAPI) -> None:
    app.add_exception_handler(KimlikError, _kimlik_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(PoolTimeoutError, _store_busy)
    app.add_exception_handler(OperationalError, _store_busy)
    app.add_exception_handler(Exception, _unexpected)
