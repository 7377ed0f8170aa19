"""People's identity decisions over HTTP: merge, unmerge, never-merge, review, revoke.

The same services as ``kimlik merge`` and friends (``kimlik.identity.decisions`` and
``review``): each request stores its decisions, writes the merge ledger, and re-checks the
records concerned before answering, so the answer says where every record sits now.
Changes need ``identity.decide``; the review queue and the decisions list are reads and
need ``profiles.read`` (masked like every read). Each change writes an audit entry
naming profiles and records by store id; the reason stays in the ledger.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from kimlik.access import audit
from kimlik.access.permissions import Permission, mask
from kimlik.access.principal import Principal
from kimlik.api import cursors
from kimlik.api.deps import State, client_address, require
from kimlik.api.identity_schemas import (
    MAX_ID,
    DecideRequest,
    DecisionPage,
    MergeRequest,
    NeverMergeRequest,
    Outcome,
    RejectRequest,
    ReviewDetail,
    ReviewPage,
    UnmergeAnswer,
    UnmergeRequest,
)
from kimlik.api.masking import Masker
from kimlik.api.state import ServerState
from kimlik.config import Settings
from kimlik.errors import UnknownReferenceError
from kimlik.identity import decisions, review
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.requests import Outcome as DomainOutcome
from kimlik.identity.requests import RecordView
from kimlik.jsonable import jsonable
from kimlik.profiles.rules import SurvivorshipRules, default_rules, load_rules

router = APIRouter(prefix="/api/v1", tags=["identity"])
Decider = Annotated[Principal, Depends(require(Permission.IDENTITY_DECIDE))]
Reader = Annotated[Principal, Depends(require(Permission.PROFILES_READ))]
#: Longest actor the decisions and the merge ledger keep.
ACTOR_LENGTH = 128
#: Deepest page of the review queue or the decisions list (people page through them).
MAX_SKIP = 100_000
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="Review item id.")]


def _rules(settings: Settings) -> SurvivorshipRules:
    path = settings.survivorship_rules
    return load_rules(path) if path else default_rules()


def _knobs(state: ServerState) -> dict[str, Any]:
    return {"settings": engine_settings(state.settings), "rules": _rules(state.settings)}


# --- changes ----------------------------------------------------------------------------


@router.post("/profiles/merge", summary="Merge two profiles into one", response_model=Outcome)
def merge(body: MergeRequest, request: Request, principal: Decider, state: State) -> Any:
    first, second = body.profiles
    knobs = _knobs(state)
    outcome = decisions.merge_profiles(
        state.engine, knobs["settings"], str(first), str(second), _actor(principal), body.reason,
        rules=knobs["rules"],
    )  # fmt: skip
    _audit(
        state, request, principal, "merge", f"profile:{first}", outcome, profiles=[first, second]
    )
    return _outcome(outcome, Masker(principal))


@router.post(
    "/profiles/{profile_id}/unmerge",
    summary="Split records out of a profile (each kept apart from the rest for good)",
    response_model=UnmergeAnswer,
)
def unmerge(
    profile_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Profile id.")],
    body: UnmergeRequest,
    request: Request,
    principal: Decider,
    state: State,
) -> Any:
    knobs, masker = _knobs(state), Masker(principal)
    outcomes = []
    for record in body.records:
        outcome = decisions.unmerge(
            state.engine, knobs["settings"], str(profile_id), _ref(record), _actor(principal),
            body.reason, rules=knobs["rules"],
        )  # fmt: skip
        _audit(state, request, principal, "unmerge", f"profile:{profile_id}", outcome)
        outcomes.append(_outcome(outcome, masker))
    return {"profile_id": profile_id, "outcomes": outcomes}


@router.post(
    "/never-merge",
    summary="Keep two records apart for good (split now if they share a profile)",
    response_model=Outcome,
)
def never_merge(body: NeverMergeRequest, request: Request, principal: Decider, state: State) -> Any:
    knobs = _knobs(state)
    first, second = (_ref(record) for record in body.records)
    outcome = decisions.never_merge(
        state.engine, knobs["settings"], first, second, _actor(principal), body.reason,
        rules=knobs["rules"],
    )  # fmt: skip
    _audit(state, request, principal, "never_merge", None, outcome)
    return _outcome(outcome, Masker(principal))


@router.post(
    "/review/{item}/accept",
    summary="The pair is one person: merge their profiles",
    response_model=Outcome,
)
def accept(
    item: ItemId,
    request: Request,
    principal: Decider,
    state: State,
    body: Annotated[DecideRequest | None, Body()] = None,
) -> Any:
    knobs, reason = _knobs(state), body.reason if body else None
    outcome = review.review_accept(
        state.engine, knobs["settings"], item, _actor(principal), reason, rules=knobs["rules"]
    )
    _audit(state, request, principal, "review.accept", f"review:{item}", outcome)
    return _outcome(outcome, Masker(principal))


@router.post(
    "/review/{item}/reject",
    summary="The pair is two people: never merge them",
    response_model=Outcome,
)
def reject(
    item: ItemId,
    request: Request,
    principal: Decider,
    state: State,
    body: Annotated[RejectRequest | None, Body()] = None,
) -> Any:
    body = body or RejectRequest()
    knobs = _knobs(state)
    outcome = review.review_reject(
        state.engine, item, _actor(principal), body.reason,
        settings=knobs["settings"] if body.split else None, rules=knobs["rules"],
    )  # fmt: skip
    _audit(state, request, principal, "review.reject", f"review:{item}", outcome)
    return _outcome(outcome, Masker(principal))


@router.post(
    "/review/{item}/dismiss",
    summary="Not the same person as far as we know: close the item, decide nothing",
    response_model=Outcome,
)
def dismiss(
    item: ItemId,
    request: Request,
    principal: Decider,
    state: State,
    body: Annotated[DecideRequest | None, Body()] = None,
) -> Any:
    reason = body.reason if body else None
    outcome = review.review_dismiss(state.engine, item, _actor(principal), reason)
    _audit(state, request, principal, "review.dismiss", f"review:{item}", outcome)
    return _outcome(outcome, Masker(principal))


@router.post(
    "/decisions/{decision_id}/revoke",
    summary="Take a decision back and re-check its records",
    response_model=Outcome,
)
def revoke(
    decision_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Decision id.")],
    request: Request,
    principal: Decider,
    state: State,
    body: Annotated[DecideRequest | None, Body()] = None,
) -> Any:
    knobs, reason = _knobs(state), body.reason if body else None
    outcome = decisions.revoke(
        state.engine, knobs["settings"], decision_id, _actor(principal), reason,
        rules=knobs["rules"],
    )  # fmt: skip
    _audit(state, request, principal, "revoke", f"decision:{decision_id}", outcome)
    return _outcome(outcome, Masker(principal))


# --- reads ------------------------------------------------------------------------------


@router.get(
    "/review",
    summary="Pairs the model was unsure about, strongest evidence first",
    response_model=ReviewPage,
)
def review_queue(
    principal: Reader,
    state: State,
    status: Annotated[
        Literal["open", "accepted", "rejected", "dismissed", "resolved", "all"],
        Query(description="Which items; `all` for every one."),
    ] = "open",
    limit: cursors.Limit = cursors.DEFAULT_LIMIT,
    cursor: cursors.Cursor = None,
) -> Any:
    skip = _offset("review", cursor)
    items = review.review_list(state.engine, status, skip + limit + 1)
    masker = Masker(principal)
    shown = [
        {**asdict(item), "left": _record(item.left, masker), "right": _record(item.right, masker)}
        for item in items[skip : skip + limit]
    ]
    more = len(items) > skip + limit
    return {"items": jsonable(shown), "next_cursor": _next("review", skip + limit, more)}


@router.get(
    "/review/{item}",
    summary="One review item: every attribute of both records, the evidence, the open "
    "items before and after it",
    response_model=ReviewDetail,
)
def review_item(item: ItemId, principal: Reader, state: State) -> Any:
    pair = review.review_pair(state.engine, item)
    masker = Masker(principal)
    answer = {
        **asdict(pair.item),
        "left": _detail(pair.item.left, pair.left, masker),
        "right": _detail(pair.item.right, pair.right, masker),
        "previous_id": pair.previous_id,
        "next_id": pair.next_id,
    }
    return jsonable(answer)


@router.get("/decisions", summary="People's decisions, newest first", response_model=DecisionPage)
def decision_list(
    principal: Reader,
    state: State,
    active: Annotated[bool, Query(description="Leave out revoked decisions.")] = False,
    limit: cursors.Limit = cursors.DEFAULT_LIMIT,
    cursor: cursors.Cursor = None,
) -> Any:
    skip = _offset("decisions", cursor)
    rows = decisions.list_decisions(state.engine, active_only=active, limit=skip + limit + 1)
    masker = Masker(principal)
    shown = [
        {**asdict(row), "left": _record(row.left, masker), "right": _record(row.right, masker)}
        for row in rows[skip : skip + limit]
    ]
    more = len(rows) > skip + limit
    return {"items": jsonable(shown), "next_cursor": _next("decisions", skip + limit, more)}


# --- answers ----------------------------------------------------------------------------


def _record(view: RecordView, masker: Masker) -> dict[str, Any]:
    data = {**asdict(view), "label": view.label, "name": view.name or None}
    return masker.record(jsonable(data))


def _detail(view: RecordView, attributes: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """A record summary with every canonical attribute and the custom ones (custom values
    are all masked for callers without ``profiles.personal``: any may be personal)."""
    values = dict(attributes)
    custom = values.pop("custom", None) or {}
    if masker.active:
        custom = {key: mask(value) for key, value in custom.items()}
    return {
        **_record(view, masker),
        "attributes": masker.summary(jsonable(values)),
        "custom": jsonable(custom),
    }


def _outcome(outcome: DomainOutcome, masker: Masker) -> dict[str, Any]:
    records = [
        {**_record(view, masker), "profile_before": outcome.before.get(rid)}
        for rid, view in sorted(outcome.after.items())
    ]
    run = outcome.run
    return {
        "action": outcome.action,
        "ledger_id": outcome.ledger_id,
        "decisions_written": outcome.written,
        "decisions_revoked": outcome.revoked,
        "records": records,
        "run": None
        if run is None
        else {k: getattr(run, k) for k in ("run_id", "processed", "created", "merged", "split")},
        "notes": outcome.notes,
    }


def _audit(
    state: ServerState, request: Request, principal: Principal, action: str,
    target: str | None, outcome: DomainOutcome, **extra: Any,
) -> None:  # fmt: skip
    """Profiles and records by store id, decisions and the ledger entry: no values."""
    detail = {
        **extra,
        "ledger_id": outcome.ledger_id,
        "decisions_written": outcome.written,
        "decisions_revoked": outcome.revoked,
        "records": sorted(outcome.before),
        "profiles_after": sorted({v.profile_id for v in outcome.after.values() if v.profile_id}),
    }
    audit.record_now(state.engine, principal, action, target, detail, client_address(request))


def _actor(principal: Principal) -> str:
    """How decisions and the ledger name the caller (their column holds 128 characters)."""
    return principal.actor[:ACTOR_LENGTH]


def _ref(record: str) -> str:
    """A record reference the store can look up: store ids beyond 64 bits name none."""
    text = record.strip()
    if text.isdigit() and int(text) > MAX_ID:
        raise UnknownReferenceError(f"no person record {text}", text)
    return text


def _offset(kind: str, cursor: str | None) -> int:
    """Where a page of a short, people-sized list starts (its services page by count)."""
    position = cursors.decode(kind, cursor, {"skip": int})
    skip = 0 if position is None or position["skip"] is None else int(position["skip"])
    if skip > MAX_SKIP:
        cursors.invalid("not a cursor this server gave out")
    return skip


def _next(kind: str, skip: int, more: bool) -> str | None:
    return cursors.encode(kind, {"skip": skip}) if more else None
