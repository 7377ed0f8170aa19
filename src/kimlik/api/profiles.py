"""``/api/v1/profiles``: search, the single customer view and the paged timeline.

Thin endpoints over ``kimlik.profiles``: the same lookups as ``kimlik profiles show``.
Every answer passes the caller's ``Masker``; a caller without ``profiles.personal`` may
not look a person up by what identifies them (an email, phone, name or record id is
personal data in itself), only by profile id, city or country. Reads of one profile are
audited (``profile.read``, ``profile.timeline``), and so are searches by personal data
(``profile.search``), naming profiles by id and criteria by name, never by value.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from kimlik.access import audit
from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal
from kimlik.api import cursors
from kimlik.api.deps import State, client_address, require
from kimlik.api.masking import Masker
from kimlik.api.profile_schemas import (
    ProfileDetail,
    SearchAnswer,
    TimelineAnswer,
    TimelineKind,
)
from kimlik.errors import PermissionDeniedError, ProfileNotFoundError
from kimlik.jsonable import jsonable
from kimlik.profiles.references import parse_reference
from kimlik.profiles.search import CriteriaError, read_criteria, search_profiles
from kimlik.profiles.service import get_profile
from kimlik.profiles.timeline import TIMELINE_KINDS
from kimlik.profiles.timeline_pages import Position, active_profile, timeline_page

router = APIRouter(prefix="/api/v1", tags=["profiles"])
Reader = Annotated[Principal, Depends(require(Permission.PROFILES_READ))]

_PERSONAL_HINT = (
    "needs the profiles.personal permission (looking a person up by it is itself a read "
    "of personal data); without it, search by profile id, city or country"
)


def _text(description: str, max_length: int = 320) -> Any:
    return Query(max_length=max_length, description=description)


@router.get(
    "/profiles",
    summary="Search active profiles by id, email, phone, name, identifier, city, country",
    response_model=SearchAnswer,
)
def search(
    request: Request,
    principal: Reader,
    state: State,
    q: Annotated[str | None, _text(
        "One box: digits are a profile id; `@` an email; `kind:value` an identifier "
        "(`customer_id:crm:C-1`, `user_id:u-42`); `source:record_id` a record; a phone in "
        "any format (with `region` for national numbers); anything else a name (prefix, then "
        "similar-sounding names)."
    )] = None,
    email: Annotated[str | None, _text("Email, compared by matching key.")] = None,
    phone: Annotated[str | None, _text("Phone in any format, compared in E.164.")] = None,
    name: Annotated[str | None, _text(
        "Last-name prefix, or first name then last name; case and accents ignored; "
        "similar-sounding names follow the prefix matches (`match: similar`)."
    )] = None,
    identifier: Annotated[str | None, _text("`kind:value` or `source:record_id`.")] = None,
    city: Annotated[str | None, _text("City, case and accents ignored.", 255)] = None,
    country: Annotated[str | None, _text("Country name or ISO code.", 64)] = None,
    region: Annotated[str | None, Query(
        pattern="^[A-Za-z]{2}$", description="Country for national phone numbers (TR)."
    )] = None,
    limit: cursors.Limit = cursors.DEFAULT_LIMIT,
    cursor: cursors.Cursor = None,
) -> dict[str, Any]:  # fmt: skip
    try:
        criteria = read_criteria(
            q, email=email, phone=phone, name=name, identifier=identifier, city=city,
            country=country, region=region,
        )  # fmt: skip
    except CriteriaError as exc:
        cursors.invalid(str(exc), exc.field)
    personal = criteria.personal()
    if personal and not principal.sees_personal:
        raise PermissionDeniedError(
            f"searching by {', '.join(personal)} {_PERSONAL_HINT}",
            Permission.PROFILES_PERSONAL.value,
        )
    position = cursors.decode("profiles", cursor, {"after": int})
    after = None if position is None else position["after"]
    page = search_profiles(state.engine, criteria, limit=limit, after=after)
    if personal:
        detail = {"by": criteria.used(), "found": len(page.items), "page_after": after}
        audit.record_now(
            state.engine, principal, "profile.search", None, detail, client_address(request)
        )
    masker = Masker(principal)
    return {
        "items": [masker.summary(jsonable(item)) for item in page.items],
        "next_cursor": None
        if page.next_after is None
        else cursors.encode("profiles", {"after": page.next_after}),
    }


@router.get(
    "/profiles/{ref}",
    summary="The single customer view: golden record with lineage, identities, records",
    response_model=ProfileDetail,
)
def profile(
    request: Request,
    principal: Reader,
    state: State,
    ref: Annotated[str, Path(
        max_length=320,
        description="Profile id (a merged id leads to the profile it was merged into), "
        "email, phone with country code, or source:record_id.",
    )],
) -> dict[str, Any]:  # fmt: skip
    if "\x00" in ref:
        cursors.invalid("a NUL character names no profile", "ref", "path")
    reference = parse_reference(ref)
    if reference.kind == "id" and int(reference.value) > cursors.MAX_ID:
        raise ProfileNotFoundError(f"no profile {reference.value}")
    if reference.kind not in {"id", "unknown"} and not principal.sees_personal:
        raise PermissionDeniedError(
            f"a profile by {reference.kind} {_PERSONAL_HINT}", Permission.PROFILES_PERSONAL.value
        )
    view = get_profile(state.engine, ref, with_timeline=False)
    detail = {"via": reference.kind, "redirected_from": view.redirected_from}
    audit.record_now(
        state.engine, principal, "profile.read", f"profile:{view.id}", detail,
        client_address(request),
    )  # fmt: skip
    data = view.to_json()
    data.pop("timeline", None)
    data["name"] = data.get("name") or None
    data["notice"] = (
        None
        if view.redirected_from is None
        else f"profile {view.redirected_from} was merged into profile {view.id}"
    )
    return Masker(principal).profile(data)


@router.get(
    "/profiles/{profile_id}/timeline",
    summary="A profile's timeline, paged: orders, interactions, feedback, consents, events",
    response_model=TimelineAnswer,
)
def profile_timeline(
    request: Request,
    principal: Reader,
    state: State,
    profile_id: Annotated[int, Path(
        ge=1, le=cursors.MAX_ID, description="Profile id (a merged id is followed)."
    )],
    kind: Annotated[list[TimelineKind] | None, Query(
        description="Only these kinds (repeat the parameter for several)."
    )] = None,
    since: Annotated[dt.datetime | None, Query(
        description="ISO 8601; entries at or after it (no zone: UTC)."
    )] = None,
    until: Annotated[dt.datetime | None, Query(
        description="ISO 8601; entries before it (no zone: UTC)."
    )] = None,
    order: Annotated[Literal["asc", "desc"], Query(
        description="asc: oldest first (as `kimlik profiles show`); desc: newest first."
    )] = "asc",
    limit: cursors.Limit = cursors.DEFAULT_LIMIT,
    cursor: cursors.Cursor = None,
) -> dict[str, Any]:  # fmt: skip
    since, until = _moment(since, "since"), _moment(until, "until")
    if since is not None and until is not None and since >= until:
        cursors.invalid("until must be later than since", "until")
    newest_first = order == "desc"
    after = _position(cursor, newest_first)
    with state.engine.connect() as connection:
        active = active_profile(connection, profile_id)
        if active is None:
            raise ProfileNotFoundError(f"no active profile {profile_id}")
        page = timeline_page(
            connection, active, limit=limit, kinds=kind or TIMELINE_KINDS, since=since,
            until=until, after=after, newest_first=newest_first,
        )  # fmt: skip
    audit.record_now(
        state.engine, principal, "profile.timeline", f"profile:{active}",
        {"kinds": sorted(set(kind or ())), "redirected_from": _moved(profile_id, active)},
        client_address(request),
    )  # fmt: skip
    masker = Masker(principal)
    following = page.next_after
    return {
        "profile_id": active,
        "redirected_from": _moved(profile_id, active),
        "items": [masker.entry(jsonable(_entry_json(entry))) for entry in page.entries],
        "next_cursor": None if following is None else _cursor(following, newest_first),
    }


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "at": entry.at,
        "kind": entry.kind,
        "source": entry.source,
        "record_id": entry.record_id,
        "details": entry.details,
    }


def _moved(asked: int, active: int) -> int | None:
    return None if asked == active else asked


def _moment(moment: dt.datetime | None, field: str) -> dt.datetime | None:
    """``moment`` in UTC (no zone: UTC already); one UTC cannot hold is a 422."""
    if moment is None:
        return None
    try:
        return _utc(moment).astimezone(dt.UTC)
    except OverflowError:
        cursors.invalid("a moment between the years 1 and 9999 in UTC", field)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _cursor(position: Position, newest_first: bool) -> str:
    return cursors.encode(
        "timeline",
        {"at": position.at.isoformat(), "kind": position.kind, "row": position.row,
         "desc": newest_first},
    )  # fmt: skip


def _position(cursor: str | None, newest_first: bool) -> Position | None:
    fields = {"at": str, "kind": str, "row": int, "desc": bool}
    data = cursors.decode("timeline", cursor, fields)
    if data is None:
        return None
    if data["desc"] is not newest_first:
        cursors.invalid("the cursor was made for the other order; keep `order` while paging")
    if data["kind"] not in TIMELINE_KINDS or data["row"] is None or data["at"] is None:
        cursors.invalid("not a cursor this server gave out")
    try:
        at = dt.datetime.fromisoformat(data["at"])
    except ValueError:
        cursors.invalid("not a cursor this server gave out")
    return Position(_utc(at), data["kind"], data["row"])
