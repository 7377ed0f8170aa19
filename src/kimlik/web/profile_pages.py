"""The customer 360 page: one profile's golden record, records, figures and timeline.

It reads through the API's endpoint functions (``api/profiles.py``), so masking for
roles without ``profiles.personal`` and the ``profile.read`` / ``profile.timeline``
audit entries are exactly the API's; this module only checks ``profiles.read`` (an
endpoint function called directly skips its own dependencies) and arranges the answer.
The timeline is one page of the API's keyset-paged list, so a profile with years of
history costs no more than one with a week. Merging and splitting are in
``profile_actions.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path
from fastapi.exceptions import RequestValidationError
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import MASK, Permission
from kimlik.api import profiles as profiles_api
from kimlik.api.profile_schemas import TimelineKind
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.web import profile_actions
from kimlik.web.session import Page, page
from kimlik.web.templating import moment, render
from kimlik.web.timeline_view import (
    ACTIONS,
    ENTRY_LABELS,
    KIND_LABELS,
    PAGE_SIZES,
    RULES,
    TimelineFilters,
    event_pairs,
    read_filters,
    spent,
)

router = APIRouter(include_in_schema=False)
router.include_router(profile_actions.router)
Reader = Annotated[Page, Depends(page(Permission.PROFILES_READ))]
Ref = Annotated[str, Path(max_length=320)]
ProfileId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/profiles/{ref}")
def profile_page(current: Reader, ref: Ref) -> Response:
    """The 360 view; a merged id, an email or a record id lead to the profile's own page."""
    data = read_profile(current, ref)
    if data["redirected_from"] is not None or ref.strip() != str(data["id"]):
        target = f"/profiles/{data['id']}"
        if data["redirected_from"] is not None:
            target += f"?from={data['redirected_from']}"
        return RedirectResponse(target, status_code=303)
    params = current.request.query_params
    filters = read_filters(params, params.getlist("kind"))
    context = current.context(
        _title(data),
        profile=data,
        golden=golden_rows(data),
        records=record_rows(data),
        spent=spent(data["figures"]["total_spent"]),
        messages=_messages(params, data["id"]),
        can_decide=current.can(Permission.IDENTITY_DECIDE),
        **timeline_context(current, data["id"], filters),
    )
    return render("profile.html", context)


@router.get("/profiles/{profile_id}/timeline")
def timeline_part(current: Reader, profile_id: ProfileId) -> Response:
    """One more page of entries and the next "Show more" link, for the page's script."""
    params = current.request.query_params
    filters = read_filters(params, params.getlist("kind"))
    context = current.context("Timeline", **timeline_context(current, profile_id, filters))
    return render("_timeline_more.html", context)


def read_profile(current: Page, ref: str) -> dict[str, Any]:
    """The API's profile answer, masked for the caller and audited."""
    return profiles_api.profile(current.request, current.principal, current.state, ref=ref)


def timeline_context(current: Page, profile_id: int, filters: TimelineFilters) -> dict[str, Any]:
    """One page of the timeline as ``_timeline.html`` shows it, or the reason it cannot."""
    context: dict[str, Any] = {
        "profile_id": profile_id,
        "filters": filters,
        "entries": [],
        "next_cursor": None,
        "toggle_query": _toggled(filters),
        "kind_labels": KIND_LABELS,
        "entry_labels": ENTRY_LABELS,
        "actions": ACTIONS,
        "page_sizes": PAGE_SIZES,
        "event_pairs": event_pairs,
        "problems": list(filters.problems),
    }
    kinds = cast(list[TimelineKind], filters.kinds) or None
    try:
        answer = profiles_api.profile_timeline(
            current.request, current.principal, current.state, profile_id=profile_id,
            kind=kinds, since=filters.since, until=filters.until,
            order="desc" if filters.newest_first else "asc", limit=filters.limit,
            cursor=filters.cursor,
        )  # fmt: skip
    except RequestValidationError as exc:
        messages = [str(error.get("msg", "")) for error in exc.errors()]
        context["problems"].append(
            "Timeline: " + "; ".join(messages) + ". Start again from the first page."
        )
        return context
    context["entries"] = answer["items"]
    context["next_cursor"] = answer["next_cursor"]
    return context


def golden_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Golden attributes with their values as text and where each came from."""
    rows = []
    for golden in data["golden"]:
        rows.append(
            {
                "name": golden["name"],
                "label": label(golden["name"]),
                "value": shown(golden["value"]),
                "source": golden["source"],
                "record_id": golden["record_id"],
                "rule": golden["rule"],
                "why": RULES.get(golden["rule"] or "", golden["rule"] or ""),
                "group": golden.get("group"),
            }
        )
    return rows


def record_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The member records side by side: one row per attribute any of them holds."""
    members, differing = data["members"], set(data["differing"])
    rows = []
    for name in PERSON_ATTRIBUTES:
        values = [member["attributes"].get(name) for member in members]
        if all(value is None for value in values):
            continue
        rows.append(
            {
                "label": label(name),
                "values": [shown(v) for v in values],
                "differs": name in differing,
            }
        )
    for key in sorted({key for member in members for key in member["custom"]}):
        values = [member["custom"].get(key) for member in members]
        rows.append({"label": key, "values": [shown(v) for v in values], "differs": False})
    return rows


def label(name: str) -> str:
    """``postal_code`` -> ``Postal code``."""
    return name.replace("_", " ").capitalize()


def shown(value: Any) -> str:
    """A value as the page prints it: midnight moments as days, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:10] if value[11:19] == "00:00:00" else moment(value)
    if isinstance(value, dt.datetime):
        return moment(value)
    return str(value)


def display_name(data: dict[str, Any]) -> str | None:
    """The person's name, or ``None`` when there is none or it is masked."""
    name = data.get("name")
    return None if not name or name == MASK else str(name)


def _title(data: dict[str, Any]) -> str:
    name = display_name(data)
    return f"{name} · profile {data['id']}" if name else f"Profile {data['id']}"


def _toggled(filters: TimelineFilters) -> str:
    """The same filters, in the other order, from the first page."""
    other = TimelineFilters(**{**_fields(filters), "newest_first": not filters.newest_first})
    other.cursor = None
    return other.query()


def _fields(filters: TimelineFilters) -> dict[str, Any]:
    names = ("kinds", "start", "end", "newest_first", "limit", "typed_from", "typed_to")
    return {name: getattr(filters, name) for name in names}


def _messages(params: Any, profile_id: int) -> list[dict[str, Any]]:
    """What a redirect here came to say (kind, text, profiles to link): ids only, never
    personal data, so the address may hold them."""
    found: list[dict[str, Any]] = []
    moved = _ids(params.get("from", ""))
    if moved:
        text = f"Profile {moved[0]} was merged into profile {profile_id}."
        found.append({"kind": "notice", "text": text, "links": []})
    merged = _ids(params.get("merged", ""))
    if merged:
        text = (
            f"Profile {merged[0]} was merged into profile {profile_id}. The decision is "
            "recorded; to undo it, split the records off below."
        )
        found.append({"kind": "success", "text": text, "links": []})
    split = _ids(params.get("split", ""))
    if split:
        noun = "profile" if len(split) == 1 else "profiles"
        text = f"Split off into new {noun}"
        found.append({"kind": "success", "text": text, "links": split})
    return found


def _ids(text: str) -> list[int]:
    """Profile ids from a comma-separated query value; anything else is ignored."""
    parts = [part.strip() for part in text.split(",")[:20]]
    return [int(part) for part in parts if part.isdigit() and len(part) < 19]
