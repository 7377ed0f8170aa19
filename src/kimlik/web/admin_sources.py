"""Sources, their write keys and the events they refused: ``/admin/sources``.

Every change calls the management API's endpoint function (``kimlik.api.sources``), so
the rules, the audit entries and the SDK snippets are exactly the API's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import Permission
from kimlik.api import sources as sources_api
from kimlik.api.paging import Paging
from kimlik.errors import AccountError
from kimlik.sources import catalog
from kimlik.web.admin_forms import (
    done_message,
    field_problems,
    forget_token,
    remember_token,
    take_token,
)
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Page, Depends(page(Permission.SOURCES_MANAGE))]
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Name = Annotated[str, Path(max_length=64)]
#: refused events per page
REFUSED_PAGE = 20
LOW, HIGH = catalog.TRUST_RANKS
HINTS = {
    "name": "Name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    "trust_rank": f"Trust rank: enter a whole number from {LOW} to {HIGH} (lower is more trusted).",
}
KEY_HINTS = {"name": "Key name: at most 128 characters."}
DONE = {
    "created": "Source {source} created. Create a write key for it below to send events.",
    "revoked": "Write key revoked: it no longer collects events.",
}


def _sources(current: Page) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = sources_api.list_sources(current.principal, current.state)[
        "items"
    ]
    for item in items:
        item["total_records"] = sum(item["records"].values())
    return items


@router.get("/admin/sources")
def sources_page(current: Manager) -> Response:
    return _sources_view(current, {"name": "", "trust_rank": str(catalog.DEFAULT_TRUST_RANK)})


def _sources_view(
    current: Page, form: dict[str, str], problems: dict[str, str] | None = None, status: int = 200
) -> Response:
    context = current.context(
        "Sources",
        sources=_sources(current),
        form=form,
        problems=problems or {},
        low=LOW,
        high=HIGH,
    )
    return render("admin_sources.html", context, status)


@router.post("/admin/sources")
def create_source(
    current: Manager,
    name: Annotated[str, Form()] = "",
    trust_rank: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "trust_rank": trust_rank}
    problems: dict[str, str] = {}
    try:
        rank = int(trust_rank.strip() or catalog.DEFAULT_TRUST_RANK)
    except ValueError:
        problems["trust_rank"] = HINTS["trust_rank"]
        rank = catalog.DEFAULT_TRUST_RANK
    try:
        body = sources_api.NewSource(name=name.strip(), trust_rank=rank)
    except ValidationError as exc:
        problems = field_problems(exc, HINTS) | problems
    if problems:
        return _sources_view(current, form, problems, 422)
    try:
        made = sources_api.create_source(body, current.request, current.principal, current.state)
    except AccountError as exc:
        return _sources_view(current, form, {"name": f"Name: {exc}."}, 400)
    return RedirectResponse(f"/admin/sources/{made['name']}?done=created", status_code=303)


@router.get("/admin/sources/{source}")
def source_page(
    current: Manager,
    source: Name,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    done: str = "",
) -> Response:
    return _source_view(current, source, offset, {"name": ""}, done=done)


def _source_view(
    current: Page,
    source: str,
    offset: int,
    form: dict[str, str],
    problems: dict[str, str] | None = None,
    status: int = 200,
    done: str = "",
    error: str | None = None,
) -> Response:
    name = source.strip().lower()
    principal, state = current.principal, current.state
    keys = sources_api.list_write_keys(principal, state, name)["items"]  # 404 when unknown
    found = next((item for item in _sources(current) if item["name"] == name), None)
    refused = sources_api.rejected_events(principal, state, name, Paging(REFUSED_PAGE, offset))
    context = current.context(
        f"Source {name}",
        source=found,
        keys=sorted(keys, key=lambda key: (key["revoked_at"] is not None, -key["id"])),
        refused=refused,
        form=form,
        problems=problems or {},
        notice=done_message(DONE, done, source=name),
        error=error,
    )
    return render("admin_source.html", context, status)


@router.post("/admin/sources/{source}/write-keys")
def create_write_key(current: Manager, source: Name, name: Annotated[str, Form()] = "") -> Response:
    form = {"name": name}
    try:
        body = sources_api.NewWriteKey(name=name.strip())
    except ValidationError as exc:
        return _source_view(current, source, 0, form, field_problems(exc, KEY_HINTS), 422)
    try:
        made = sources_api.create_write_key(
            body, current.request, current.principal, current.state, source
        )
    except AccountError as exc:
        return _source_view(current, source, 0, form, {"name": f"Key name: {exc}."}, 400)
    path = f"/admin/sources/{made['source']}/write-keys/{made['id']}"
    response = RedirectResponse(path, status_code=303)
    remember_token(response, current, "write", int(made["id"]), str(made["token"]), path)
    return response


@router.get("/admin/sources/{source}/write-keys/{key_id}")
def new_write_key(current: Manager, source: Name, key_id: Id) -> Response:
    """The new key's token and the code to paste, this once."""
    name = source.strip().lower()
    keys = sources_api.list_write_keys(current.principal, current.state, name)["items"]
    key = next((item for item in keys if item["id"] == key_id), None)
    if key is None:
        raise HTTPException(404, f"source {name} has no write key {key_id}")
    token = take_token(current, "write", key_id)
    base = str(current.request.base_url).rstrip("/")
    snippets = sources_api.snippets(token, base) if token else {}
    context = current.context(
        f"Write key for {name}",
        kind="write",
        key=key,
        token=token,
        snippets=[(SNIPPET_TITLES.get(label, label), code) for label, code in snippets.items()],
        back=f"/admin/sources/{name}",
        back_label=f"Back to source {name}",
        base=base,
    )
    response = render("admin_new_key.html", context)
    forget_token(response, str(current.request.url.path))
    return response


SNIPPET_TITLES = {
    "segment-analytics-python": "Segment: analytics-python",
    "rudder-sdk-python": "RudderStack: rudder-sdk-python",
}


@router.post("/admin/sources/{source}/write-keys/{key_id}/revoke")
def revoke_write_key(current: Manager, source: Name, key_id: Id) -> Response:
    name = source.strip().lower()
    keys = sources_api.list_write_keys(current.principal, current.state, name)["items"]
    if all(key["id"] != key_id for key in keys):
        raise HTTPException(404, f"source {name} has no write key {key_id}")
    try:
        sources_api.revoke_write_key(current.request, current.principal, current.state, key_id)
    except AccountError as exc:
        return _source_view(current, name, 0, {"name": ""}, status=400, error=f"{exc}.")
    return RedirectResponse(f"/admin/sources/{name}?done=revoked", status_code=303)
