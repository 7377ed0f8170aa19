"""The review queue: pairs the model was unsure about, decided by a person.

Three answers, three meanings:

- accepting a pair writes a ``merge`` decision and merges the two profiles at once;
- rejecting it writes a ``never_merge`` decision: the two stay apart for good;
- dismissing it only closes the item ("not the same person as far as we know"): no
  decision is stored, the model keeps deciding, and the pair is not queued again.

Each closes the item and writes a ledger entry; revoking an accept or reject decision
(``decisions.revoke``) opens the item again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.errors import DecisionError, UnknownReferenceError
from kimlik.identity import decision_store as store
from kimlik.identity import repository as repo
from kimlik.identity.requests import (
    Outcome,
    RecordView,
    carry_out,
    paired,
    places,
    refuse_never_merge,
    settle,
    views,
    write_never_merge,
)
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.resolve.engine import EngineSettings
from kimlik.store.migrate import require_current

#: Statuses a review item can have; ``review_list`` also takes ``all``.
REVIEW_STATUSES = ("open", "accepted", "rejected", "dismissed", "resolved")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A pair the model was unsure about, both records side by side."""

    id: int
    status: str
    weight: float
    evidence: dict[str, Any]
    left: RecordView
    right: RecordView
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None


def review_list(engine: Engine, status: str = "open", limit: int = 50) -> list[ReviewItem]:
    """Review items of ``status`` (``all`` for every one), strongest evidence first."""
    if status != "all" and status not in REVIEW_STATUSES:
        raise DecisionError(f"unknown review status {status!r}: {', '.join(REVIEW_STATUSES)}, all")
    require_current(engine)
    with engine.connect() as connection:
        rows = store.review_rows(
            connection, status=None if status == "all" else status, limit=limit
        )
        return [ReviewItem(**row) for row in paired(connection, rows)]


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """One review item as a person judges it: every attribute of both records (custom ones
    under ``custom``), and the open items before and after it in the queue."""

    item: ReviewItem
    left: dict[str, Any]
    right: dict[str, Any]
    previous_id: int | None
    next_id: int | None


def review_pair(engine: Engine, item_id: int) -> ReviewPair:
    """One review item, whatever its status, read on its own (no queue scan)."""
    require_current(engine)
    with engine.connect() as connection:
        row = _item_row(connection, item_id)
        item = ReviewItem(**paired(connection, [row])[0])
        attributes = store.record_attributes(connection, [item.left.rid, item.right.rid])
        weight = float(row["weight"])
        return ReviewPair(
            item,
            attributes.get(item.left.rid, {}),
            attributes.get(item.right.rid, {}),
            store.review_neighbour(connection, weight, item_id, after=False),
            store.review_neighbour(connection, weight, item_id, after=True),
        )


def review_next(engine: Engine, item_id: int) -> int | None:
    """The open item to look at after ``item_id``: the next one in queue order, else the
    first open one (items skipped earlier); None when the queue is empty."""
    require_current(engine)
    with engine.connect() as connection:
        rows = store.review_rows(connection, status=None, limit=1, item_id=item_id)
        if rows:
            weight = float(rows[0]["weight"])
            found = store.review_neighbour(connection, weight, item_id, after=True)
            if found is not None:
                return found
        first = store.review_rows(connection, status="open", limit=2)
        return next((int(r["id"]) for r in first if int(r["id"]) != item_id), None)


def review_accept(
    engine: Engine,
    settings: EngineSettings,
    item_id: int,
    actor: str,
    reason: str | None = None,
    *,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """The pair is one person: close the item and merge their profiles."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        a, b = _open_item(connection, item_id)
        where = repo.profiles_of(connection, [a, b])
        left = {a, *repo.members_of(connection, [where[a]] if a in where else [])}
        right = {b, *repo.members_of(connection, [where[b]] if b in where else [])}
        refuse_never_merge(connection, left, right, f"review item {item_id}")
        store.decide_review(connection, item_id, "accepted", actor, now)
        decision = store.insert_decision(connection, "merge", a, b, actor, reason, now)
        entry = store.add_ledger_entry(
            connection, "review_accept", actor, now, [a, b], (where.get(a), where.get(b)),
            {"reason": reason, "decisions": [decision], "review_item": item_id},
        )  # fmt: skip
        outcome = Outcome(
            "review_accept", entry, [decision], before=places(connection, left | right)
        )
    carry_out(engine, settings, rules, actor, outcome)
    return outcome


def review_reject(
    engine: Engine,
    item_id: int,
    actor: str,
    reason: str | None = None,
    *,
    settings: EngineSettings | None = None,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """The pair is two people: close the item with a never-merge decision (and split the
    pair at once, given ``settings``, should they share a profile by now)."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        a, b = _open_item(connection, item_id)
        decision, entry = write_never_merge(
            connection, "review_reject", (a, b), actor, reason, now, f"review item {item_id}",
            review_item=item_id,
        )  # fmt: skip
        store.decide_review(connection, item_id, "rejected", actor, now)
        outcome = Outcome("review_reject", entry, [decision], before=places(connection, [a, b]))
    settle(engine, settings, rules, actor, outcome, (a, b))
    return outcome


def review_dismiss(engine: Engine, item_id: int, actor: str, reason: str | None = None) -> Outcome:
    """Not the same person as far as we know: close the item without a decision, so new
    evidence may still link the pair (reject it to keep them apart for good)."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        a, b = _open_item(connection, item_id)
        where = places(connection, [a, b])
        store.decide_review(connection, item_id, "dismissed", actor, now)
        entry = store.add_ledger_entry(
            connection, "review_dismiss", actor, now, [a, b], (where[a], where[b]),
            {"reason": reason, "review_item": item_id},
        )  # fmt: skip
        outcome = Outcome("review_dismiss", entry, before=where)
        outcome.after = views(connection, [a, b])
    return outcome


def _item_row(connection: Connection, item_id: int) -> dict[str, Any]:
    rows = store.review_rows(connection, status=None, limit=1, item_id=item_id)
    if not rows:
        raise UnknownReferenceError(f"no review item {item_id}", str(item_id))
    return rows[0]


def _open_item(connection: Connection, item_id: int) -> tuple[int, int]:
    """The records of an open review item."""
    item = _item_row(connection, item_id)
    if item["status"] != "open":
        by = f" by {item['decided_by']}" if item["decided_by"] else ""
        raise DecisionError(f"review item {item_id} is already {item['status']}{by}")
    return int(item["record_a"]), int(item["record_b"])
