"""People stay in charge: merge, unmerge, never-merge and revoke.

Every request becomes a stored decision (``identity_decisions``: ``merge`` is a must-link
between two records, ``never_merge`` a cannot-link) and a merge-ledger entry saying who
asked, what, when and why. An incremental resolve run then re-checks only the records
concerned, so the request takes effect at once; and because every resolve run reads the
active decisions, ``resolve --full`` honours them too. Nothing is deleted: revoking a
decision marks it revoked (by whom, when) and re-checks its records again.

The review queue lives in ``identity/review.py``; references, outcomes and the re-check
run every request shares in ``identity/references.py`` and ``identity/requests.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.errors import DecisionError, UnknownReferenceError
from kimlik.identity import decision_store as store
from kimlik.identity import repository as repo
from kimlik.identity.references import Reference, profile_of, record_of
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


@dataclass(frozen=True, slots=True)
class Decision:
    """A person's decision about two records."""

    id: int
    kind: str
    left: RecordView
    right: RecordView
    actor: str
    reason: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None


def merge_profiles(
    engine: Engine,
    settings: EngineSettings,
    profile_a: Reference,
    profile_b: Reference,
    actor: str,
    reason: str | None = None,
    *,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """Make two profiles one: ``merge`` decisions join their lowest records and pin every
    other record to the first. One decision would not do: records the model linked would
    still have to agree with the other profile's, and a person merges when they do not."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        first, second = profile_of(connection, profile_a), profile_of(connection, profile_b)
        if first == second:
            raise DecisionError(f"profiles {profile_a} and {profile_b} are already one: {first}")
        left, right = repo.members_of(connection, [first]), repo.members_of(connection, [second])
        refuse_never_merge(connection, left, right, f"profiles {first} and {second}")
        written = _pin(connection, left[0], [right[0], *left[1:], *right[1:]], actor, reason, now)
        entry = store.add_ledger_entry(
            connection, "manual_merge", actor, now, [left[0], right[0]], (first, second),
            {"reason": reason, "decisions": written},
        )  # fmt: skip
        outcome = Outcome("manual_merge", entry, written, before=places(connection, left + right))
    carry_out(engine, settings, rules, actor, outcome)
    return outcome


def unmerge(
    engine: Engine,
    settings: EngineSettings,
    profile: Reference,
    record: Reference,
    actor: str,
    reason: str | None = None,
    *,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """Split ``record`` out of ``profile``: never-merge it with every other member."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        pid, rid = profile_of(connection, profile), record_of(connection, record)
        members = repo.members_of(connection, [pid])
        if rid not in members:
            where = places(connection, [rid])[rid]
            raise DecisionError(
                f"record {record} is not in profile {pid} (it is in "
                f"{'no profile yet' if where is None else f'profile {where}'})"
            )
        if len(members) == 1:
            raise DecisionError(f"record {record} is the only record of profile {pid}")
        existing = store.active_decisions_of(connection, [rid])
        revoked = [int(d["id"]) for d in existing if d["kind"] == "merge"]
        for decision in revoked:
            store.revoke_decision(connection, decision, actor, now)
        ends = {kind: {d["record_a"] + d["record_b"] - rid for d in existing if d["kind"] == kind}
                for kind in ("merge", "never_merge")}  # fmt: skip
        # The record's merge decisions held others together: they stay together without it.
        kept = sorted(ends["merge"])
        written = _pin(connection, kept[0], kept[1:], actor, reason, now) if kept else []
        written += [
            store.insert_decision(connection, "never_merge", rid, other, actor, reason, now)
            for other in members
            if other != rid and other not in ends["never_merge"]
        ]
        entry = store.add_ledger_entry(
            connection, "unmerge", actor, now, [rid], (pid, None),
            {"reason": reason, "decisions": written, "revoked": revoked},
        )  # fmt: skip
        outcome = Outcome("unmerge", entry, written, revoked, places(connection, members))
    carry_out(engine, settings, rules, actor, outcome)
    return outcome


def never_merge(
    engine: Engine,
    settings: EngineSettings,
    record_a: Reference,
    record_b: Reference,
    actor: str,
    reason: str | None = None,
    *,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """Keep two records apart for good; split them now if they share a profile."""
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        a, b = record_of(connection, record_a), record_of(connection, record_b)
        if a == b:
            raise DecisionError(f"{record_a} and {record_b} are the same record")
        what = f"{record_a} and {record_b}"
        decision, entry = write_never_merge(
            connection, "never_merge", (a, b), actor, reason, now, what
        )
        outcome = Outcome("never_merge", entry, [decision], before=places(connection, [a, b]))
    settle(engine, settings, rules, actor, outcome, (a, b))
    return outcome


def revoke(
    engine: Engine,
    settings: EngineSettings,
    decision_id: int | Collection[int],
    actor: str,
    reason: str | None = None,
    *,
    rules: SurvivorshipRules | None = None,
) -> Outcome:
    """Take back decisions (one id or several), re-check their records, reopen review
    items they closed."""
    ids = [decision_id] if isinstance(decision_id, int) else list(dict.fromkeys(decision_id))
    if not ids:
        raise DecisionError("no decision to revoke")
    require_current(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        rows = [_active_decision(connection, decision) for decision in ids]
        pairs = [(int(row["record_a"]), int(row["record_b"])) for row in rows]
        reopened = []
        for row, (a, b) in zip(rows, pairs, strict=True):
            store.revoke_decision(connection, int(row["id"]), actor, now)
            status = "accepted" if row["kind"] == "merge" else "rejected"
            reopened.append(store.reopen_review(connection, a, b, status))
        records = {rid for pair in pairs for rid in pair}
        where = repo.profiles_of(connection, records)
        entry = store.add_ledger_entry(
            connection, "revoke", actor, now, sorted(records),
            (where.get(pairs[0][0]), where.get(pairs[0][1])),
            {"reason": reason, "revoked": ids, "kinds": [row["kind"] for row in rows],
             "reopened_review_items": [item for item in reopened if item is not None]},
        )  # fmt: skip
        outcome = Outcome("revoke", entry, revoked=ids, before=places(connection, records))
    carry_out(engine, settings, rules, actor, outcome)
    if any(item is not None for item in reopened):
        outcome.notes.append(f"review item(s) {_ids(reopened)} open again")
    return outcome


def list_decisions(
    engine: Engine, *, active_only: bool = False, limit: int = 100
) -> list[Decision]:
    """People's decisions, newest first (revoked ones too unless ``active_only``)."""
    require_current(engine)
    with engine.connect() as connection:
        rows = store.decision_rows(connection, active_only=active_only, limit=limit)
        return [Decision(**row) for row in paired(connection, rows)]


def _active_decision(connection: Connection, decision_id: int) -> dict[str, Any]:
    row = store.decision_row(connection, decision_id)
    if row is None:
        raise UnknownReferenceError(f"no decision {decision_id}", str(decision_id))
    if row["revoked_at"] is not None:
        raise DecisionError(f"decision {decision_id} was already revoked by {row['revoked_by']}")
    return row


def _pin(
    connection: Connection, anchor: int, others: Iterable[int], actor: str,
    reason: str | None, now: dt.datetime,
) -> list[int]:  # fmt: skip
    """``merge`` decisions between ``anchor`` and each of ``others`` (existing ones kept)."""
    have = {d["record_a"] + d["record_b"] - anchor for d in store.active_decisions_of(
        connection, [anchor]) if d["kind"] == "merge"}  # fmt: skip
    return [
        store.insert_decision(connection, "merge", anchor, other, actor, reason, now)
        for other in others
        if other not in have and other != anchor
    ]


def _ids(ids: Iterable[int | None]) -> str:
    return ", ".join(str(i) for i in sorted({i for i in ids if i is not None}))
