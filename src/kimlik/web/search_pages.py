"""Finding a customer: one box, answered as you type (the start page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from kimlik.access.permissions import Permission
from kimlik.api import profiles as profiles_api
from kimlik.errors import PermissionDeniedError
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Permission.PROFILES_READ))]
Box = Annotated[str, Query(max_length=320)]
#: Results shown while typing; the full page pages on.
TYPEAHEAD_LIMIT = 12


@router.get("/")
def home(current: Reader, q: Box = "", cursor: Annotated[str | None, Query()] = None) -> Response:
    return render("search.html", current.context("Customers", **_results(current, q, cursor)))


@router.get("/search")
def search_page(
    current: Reader, q: Box = "", cursor: Annotated[str | None, Query()] = None
) -> Response:
    return home(current, q, cursor)


@router.get("/search/results")
def search_results(current: Reader, q: Box = "") -> Response:
    """The results list alone, for the type-ahead to swap in."""
    context = current.context("Customers", **_results(current, q, None, TYPEAHEAD_LIMIT))
    return render("_results.html", context)


def _results(current: Page, q: str, cursor: str | None, limit: int = 50) -> dict[str, Any]:
    text = q.strip()
    if not text:
        return {"q": "", "items": [], "next_cursor": None, "problem": None}
    try:
        answer = profiles_api.search(
            current.request, current.principal, current.state, q=text, limit=limit,
            cursor=cursor,
        )  # fmt: skip
    except RequestValidationError as exc:
        problem = "; ".join(str(error.get("msg", "")) for error in exc.errors())
        return {"q": text, "items": [], "next_cursor": None, "problem": problem}
    except PermissionDeniedError as exc:
        return {"q": text, "items": [], "next_cursor": None, "problem": str(exc)}
    return {"q": text, "problem": None, **answer}
