"""The review queue: pairs the model was unsure about, decided by a person.

Accepting a pair writes a ``merge`` decision and merges the two profiles at once;
rejecting it writes a ``never_merge`` decision. Both close the item; revoking the
decision (``decisions.revoke``) opens it again.
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
    write_never_merge,
)
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.resolve.engine import EngineSettings
from kimlik.store.migrate import require_current

#: Statuses a review item can have; ``review_list`` also takes ``all``.
REVIEW_STATUSES = ("open", "accepted", "rejected", "resolved")


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


def _open_item(connection: Connection, item_id: int) -> tuple[int, int]:
    """The records of an open review item."""
    rows = store.review_rows(connection, status=None, limit=1, item_id=item_id)
    if not rows:
        raise UnknownReferenceError(f"no review item {item_id}", str(item_id))
    item = rows[0]
    if item["status"] != "open":
        by = f" by {item['decided_by']}" if item["decided_by"] else ""
        raise DecisionError(f"review item {item_id} is already {item['status']}{by}")
    return int(item["record_a"]), int(item["record_b"])
