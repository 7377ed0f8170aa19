"""Merge two profiles, or split records off one: a confirmation page, then the change.

Both are a person's identity decision (``identity.decide``), carried out by the API's
endpoint functions (``api/identity.py``) so the decisions, the merge ledger and the audit
entries are the API's. The GET confirmation page names exactly what will happen before
anything does; the POST does it and redirects to the resulting profile. A decision the
store refuses (a never-merge between the two, a profile that is gone) is shown on the
confirmation page with what was entered kept.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import MASK, Permission
from kimlik.api import identity as identity_api
from kimlik.api import profiles as profiles_api
from kimlik.api.identity_schemas import MergeRequest, UnmergeRequest
from kimlik.errors import DecisionError, ProfileLookupError
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Decider = Annotated[Page, Depends(page(Permission.IDENTITY_DECIDE))]
ProfileId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Other = Annotated[str | None, Query(max_length=200)]
#: Longest reason the decisions keep (``identity_schemas.Reason``).
REASON_LENGTH = 2000
#: Most records one split may name (``UnmergeRequest.records``).
MAX_SPLIT = 20


@router.get("/profiles/{profile_id}/merge")
def merge_confirm(current: Decider, profile_id: ProfileId, other: Other = None) -> Response:
    """Pick the other profile, then see both side by side and what merging will do."""
    this = _profile(current, str(profile_id))
    if this["id"] != profile_id:
        return RedirectResponse(f"/profiles/{this['id']}/merge", status_code=303)
    if other is None:  # not asked yet: the form alone
        return _merge_page(current, this, "", "")
    chosen, problem = _other_profile(current, this, other)
    return _merge_page(current, this, other, "", problem, 422 if problem else 200, chosen)


@router.post("/profiles/{profile_id}/merge")
def merge(
    current: Decider,
    profile_id: ProfileId,
    other: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    this = _profile(current, str(profile_id))
    if len(reason) > REASON_LENGTH:
        problem = f"Reason: at most {REASON_LENGTH} characters (you wrote {len(reason)})."
        chosen, _ = _other_profile(current, this, other)
        return _merge_page(current, this, other, reason, problem, 422, chosen)
    chosen, problem = _other_profile(current, this, other)
    if chosen is None:
        return _merge_page(current, this, other, reason, problem, 422)
    body = MergeRequest(profiles=[this["id"], chosen["id"]], reason=reason.strip() or None)
    try:
        outcome = identity_api.merge(body, current.request, current.principal, current.state)
    except (DecisionError, ProfileLookupError) as exc:
        return _merge_page(current, this, other, reason, f"Cannot merge: {exc}.", 409, chosen)
    result = _most_common(outcome["records"]) or min(this["id"], chosen["id"])
    gone = chosen["id"] if result == this["id"] else this["id"]
    return RedirectResponse(f"/profiles/{result}?merged={gone}", status_code=303)


@router.get("/profiles/{profile_id}/unmerge")
def unmerge_confirm(
    current: Decider,
    profile_id: ProfileId,
    record: Annotated[list[str] | None, Query(max_length=64)] = None,
) -> Response:
    """Which records leave the profile, which stay, and that they stay apart for good."""
    this = _profile(current, str(profile_id))
    if this["id"] != profile_id:
        return RedirectResponse(f"/profiles/{this['id']}", status_code=303)
    return _unmerge_page(current, this, record or [], "")


@router.post("/profiles/{profile_id}/unmerge")
def unmerge(
    current: Decider,
    profile_id: ProfileId,
    record: Annotated[list[str] | None, Form(max_length=64)] = None,
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    this = _profile(current, str(profile_id))
    chosen = record or []
    moving, problem = _split_choice(this, chosen)
    if not problem and len(reason) > REASON_LENGTH:
        problem = f"Reason: at most {REASON_LENGTH} characters (you wrote {len(reason)})."
    if problem:
        return _unmerge_page(current, this, chosen, reason, problem, 422)
    keys = [str(member["record_key"]) for member in moving]
    body = UnmergeRequest(records=keys, reason=reason.strip() or None)
    try:
        answer = identity_api.unmerge(
            this["id"], body, current.request, current.principal, current.state
        )
    except (DecisionError, ProfileLookupError) as exc:
        return _unmerge_page(current, this, chosen, reason, f"Cannot split: {exc}.", 409)
    places = {
        record["rid"]: record["profile_id"]
        for outcome in answer["outcomes"]
        for record in outcome["records"]
    }
    split_to = sorted({places[int(key)] for key in keys if places.get(int(key))})
    staying = [m["record_key"] for m in this["members"] if str(m["record_key"]) not in keys]
    remaining = Counter(places.get(key) for key in staying if places.get(key)).most_common(1)
    result = remaining[0][0] if remaining else this["id"]
    target = f"/profiles/{result}?split={','.join(str(pid) for pid in split_to)}"
    return RedirectResponse(target, status_code=303)


# --- pages ------------------------------------------------------------------------------


def _merge_page(
    current: Page, this: dict[str, Any], other: str, reason: str, problem: str = "",
    status: int = 200, chosen: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    kept = absorbed = None
    if chosen is not None:
        kept, absorbed = sorted((this, chosen), key=lambda p: int(p["id"]))
    context = current.context(
        f"Merge profile {this['id']}",
        profile=this,
        other=other.strip(),
        reason=reason,
        problem=problem,
        kept=kept,
        absorbed=absorbed,
        name_of=_name,
        facts_of=_facts,
    )
    return render("profile_merge.html", context, status)


def _unmerge_page(
    current: Page, this: dict[str, Any], chosen: list[str], reason: str, problem: str = "",
    status: int = 200,
) -> Response:  # fmt: skip
    moving: list[dict[str, Any]] = []
    if not problem:
        moving, problem = _split_choice(this, chosen)
    keys = {str(member["record_key"]) for member in moving}
    staying = [m for m in this["members"] if str(m["record_key"]) not in keys]
    context = current.context(
        f"Split records off profile {this['id']}",
        profile=this,
        moving=moving,
        staying=staying,
        chosen=set(chosen),
        reason=reason,
        problem=problem,
        name_of=_name,
    )
    return render("profile_unmerge.html", context, 422 if problem and status == 200 else status)


# --- checks -----------------------------------------------------------------------------


def _profile(current: Page, ref: str) -> dict[str, Any]:
    """The API's (masked, audited) profile answer; an unknown id is the 404 page."""
    return profiles_api.profile(current.request, current.principal, current.state, ref=ref)


def _other_profile(
    current: Page, this: dict[str, Any], other: str
) -> tuple[dict[str, Any] | None, str]:
    """The profile the person typed the number of, or why it cannot be merged with this."""
    text = other.strip().lstrip("#")
    if not text:
        return None, "Profile number: enter the number of the profile to merge with."
    if not text.isdigit() or len(text) > 18:
        return None, f"Profile number: “{text[:40]}” is not a profile number (digits only)."
    if int(text) == this["id"]:
        return None, f"Profile number: {text} is this profile; a profile cannot merge with itself."
    try:
        found = _profile(current, text)
    except ProfileLookupError as exc:
        return None, f"Profile number: {exc}."
    if found["id"] == this["id"]:
        return None, f"Profile number: profile {text} was already merged into this profile."
    return found, ""


def _split_choice(this: dict[str, Any], chosen: list[str]) -> tuple[list[dict[str, Any]], str]:
    """The member records chosen to split off, or why the choice cannot be carried out."""
    members = {str(member["record_key"]): member for member in this["members"]}
    if len(members) < 2:
        return [], f"Profile {this['id']} has one record only: there is nothing to split off."
    if not chosen:
        return [], "Records: choose at least one record to split off."
    unknown = [key for key in chosen if key not in members]
    if unknown:
        return [], (
            f"Records: record {unknown[0][:40]} is not in profile {this['id']} "
            "(it may have moved; reload the profile)."
        )
    if len(set(chosen)) >= len(members):
        return [], "Records: leave at least one record in the profile; split off the others."
    if len(set(chosen)) > MAX_SPLIT:
        return [], f"Records: split off at most {MAX_SPLIT} records at a time."
    return [members[key] for key in members if key in set(chosen)], ""


def _most_common(records: list[dict[str, Any]]) -> int | None:
    counts = Counter(record["profile_id"] for record in records if record.get("profile_id"))
    return counts.most_common(1)[0][0] if counts else None


#: Golden attributes the confirmation pages show to tell two people apart.
_FACTS = ("email", "phone", "birth_date", "city", "country", "company")


def _facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the golden attributes that tell this person from another."""
    values = {golden["name"]: golden["value"] for golden in data["golden"]}
    return [
        (name.replace("_", " ").capitalize(), str(values[name]))
        for name in _FACTS
        if values.get(name) is not None
    ]


def _name(data: dict[str, Any]) -> str:
    """A profile's name for sentences: masked or missing names say so."""
    name = data.get("name")
    if not name:
        return "no name"
    return "name hidden" if name == MASK else str(name)
