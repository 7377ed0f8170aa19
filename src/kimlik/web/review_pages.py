"""Deciding duplicates: the review queue, one pair side by side, and bulk decisions.

Every read and every decision goes through the API's endpoint functions
(``kimlik.api.identity``), so masking, the audit entry and the ledger are exactly the
API's; the page's own ``page(IDENTITY_DECIDE)`` dependency checks the permission (calling
an endpoint function skips its dependencies). Three answers, three meanings:

- **Accept**: the same person; their profiles merge (a ``merge`` decision).
- **Reject**: not the same person as far as we know; the item closes, nothing is pinned,
  the matcher keeps deciding (``review/{item}/dismiss``).
- **Never merge**: two people for good (a ``never_merge`` decision).

After a decision the person lands on the next open pair, with a message about the one
just decided and an Undo button (revoking its decision).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.exceptions import RequestValidationError
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import Permission
from kimlik.api import identity as identity_api
from kimlik.api.identity_schemas import MAX_ID
from kimlik.errors import DecisionError, UnknownReferenceError
from kimlik.identity import review
from kimlik.web import review_view as view
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Decider = Annotated[Page, Depends(page(Permission.IDENTITY_DECIDE))]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: Pairs per page of the queue.
PAGE_SIZE = 25
#: Most pairs one bulk decision takes (each one re-checks its records).
MAX_BULK = 100
#: The detail page's buttons: what each posts, the API function, the words for it.
ACTIONS = {
    "accept": "accepted: same person, profiles merged",
    "reject": "rejected: not merged (the matcher may still link them on new evidence)",
    "never-merge": "marked never merge: kept apart for good",
}
BULK = {"merge": ("merged", "merge"), "apart": ("kept apart", "keep apart")}


@router.get("/review")
def queue(
    current: Decider, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> Response:
    problem = None
    try:
        answer = identity_api.review_queue(
            current.principal, current.state, status="open", limit=PAGE_SIZE, cursor=cursor
        )
    except RequestValidationError:
        problem = "That page of the queue no longer exists; here is the first page."
        cursor = None
        answer = identity_api.review_queue(
            current.principal, current.state, status="open", limit=PAGE_SIZE, cursor=None
        )
    items = [_with_view(item) for item in answer["items"]]
    context = current.context(
        "Duplicates", items=items, next_cursor=answer["next_cursor"], cursor=cursor or "",
        problem=problem, note=view.take_note(current), max_bulk=MAX_BULK,
    )  # fmt: skip
    response = render("review.html", context)
    view.clear_note(response)
    return response


@router.post("/review/bulk")
def bulk(
    current: Decider,
    item: Annotated[list[str] | None, Form(max_length=40)] = None,
    action: Annotated[str, Form(max_length=20)] = "",
    confirmed: Annotated[str, Form(max_length=10)] = "",
    cursor: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """Decide the ticked pairs: ask first (without script, on a page of its own), then
    decide each one and report which failed and why."""
    back = "/review" + (f"?cursor={quote(cursor.strip(), safe='')}" if cursor.strip() else "")
    ids, problem = _item_ids(item or [])
    if action not in BULK:
        problem = "Choose Same person (merge) or Different people."
    if problem:
        return _redirect(current, back, {"kind": "error", "text": problem})
    if confirmed != "yes":
        context = current.context(
            "Confirm", ids=ids, action=action, words=BULK[action], cursor=cursor
        )
        return render("review_confirm.html", context)
    decide = identity_api.accept if action == "merge" else identity_api.dismiss
    done: list[int] = []
    failed: list[dict[str, Any]] = []
    for item_id in ids:
        try:
            decide(item_id, current.request, current.principal, current.state, None)
        except DecisionError as exc:
            failed.append({"item": item_id, "why": str(exc)})
        else:
            done.append(item_id)
    note = {"kind": "bulk", "action": action, "done": done, "failed": failed}
    return _redirect(current, back, note)


@router.post("/review/undo")
def undo(
    current: Decider,
    decision: Annotated[list[int] | None, Form()] = None,
    item: Annotated[int, Form(ge=1, le=MAX_ID)] = 1,
) -> Response:
    """Take back the decision just made: revoking it reopens its pair."""
    if not decision:
        return _redirect(current, "/review", {"kind": "error", "text": "Nothing to undo."})
    try:
        for decision_id in decision:
            identity_api.revoke(
                decision_id, current.request, current.principal, current.state, None
            )
    except DecisionError as exc:
        return _redirect(current, f"/review/{item}", {"kind": "error", "text": str(exc)})
    text = f"Undone: pair #{item} is open again."
    return _redirect(current, f"/review/{item}", {"kind": "success", "text": text})


@router.get("/review/{item}")
def pair(current: Decider, item: ItemId) -> Response:
    answer = identity_api.review_item(item, current.principal, current.state)
    rows, empty = view.attribute_rows(answer["left"], answer["right"])
    context = current.context(
        f"Pair #{item}", item=_with_view(answer), rows=rows, empty=empty,
        note=view.take_note(current), decided=view.decided_text(answer),
    )  # fmt: skip
    response = render("review_item.html", context)
    view.clear_note(response)
    return response


@router.post("/review/{item}/{action}")
def decide(current: Decider, item: ItemId, action: str) -> Response:
    """Accept, reject or never-merge one pair, then on to the next open pair."""
    if action not in ACTIONS:
        raise UnknownReferenceError(f"no such decision {action!r}", action)
    args = (item, current.request, current.principal, current.state, None)
    try:
        if action == "accept":
            outcome = identity_api.accept(*args)
        elif action == "reject":
            outcome = identity_api.dismiss(*args)
        else:
            outcome = identity_api.reject(*args)
    except UnknownReferenceError:
        raise
    except DecisionError as exc:
        return _redirect(current, f"/review/{item}", {"kind": "error", "text": str(exc)})
    profiles = sorted({r["profile_id"] for r in outcome["records"] if r["profile_id"]})
    where = f" Now in profile {profiles[0]}." if action == "accept" and len(profiles) == 1 else ""
    note = {
        "kind": "success", "item": item, "text": f"Pair #{item} {ACTIONS[action]}.{where}",
        "undo": outcome["decisions_written"], "profiles": profiles,
    }  # fmt: skip
    following = review.review_next(current.state.engine, item)
    return _redirect(current, "/review" if following is None else f"/review/{following}", note)


def _with_view(item: dict[str, Any]) -> dict[str, Any]:
    """An API review item with what the templates show: probability, evidence in words."""
    return {
        **item,
        "probability": view.probability(float(item["weight"])),
        "levels": view.evidence(item.get("evidence") or {}),
    }


def _item_ids(values: list[str]) -> tuple[list[int], str | None]:
    ids: list[int] = []
    for value in values:
        text = value.strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            return [], f"item: {text[:20]!r} is not a review item number."
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        return [], "Select at least one pair first: tick the box in front of each pair."
    if len(ids) > MAX_BULK:
        return [], f"Select at most {MAX_BULK} pairs at once (you selected {len(ids)})."
    return ids, None


def _redirect(current: Page, target: str, note: dict[str, Any]) -> Response:
    response = RedirectResponse(target, status_code=303)
    view.put_note(response, current, note)
    return response
