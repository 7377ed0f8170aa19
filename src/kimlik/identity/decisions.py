"""People stay in charge: merge, unmerge, never-merge, review and revoke.

Every request becomes a stored decision (``identity_decisions``: ``merge`` is a must-link
between two records, ``never_merge`` a cannot-link) and a merge-ledger entry saying who
asked, what, when and why. An incremental resolve run then re-checks only the records
concerned, so the request takes effect at once; and because every resolve run reads the
active decisions, ``resolve --full`` honours them too. Nothing is deleted: revoking a
decision marks it revoked (by whom, when) and re-checks its records again.

The decision and its ledger entry are committed before the re-check runs: should the
re-check fail, the next ``kimlik resolve`` carries the decision out.

References: a record is ``source:record_id`` (``crm:C-001``) or its numeric store id; a
profile is its numeric id, and a profile merged into another stands for that one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.errors import DecisionConflictError, DecisionError, UnknownReferenceError
from kimlik.identity import repository as repo
from kimlik.identity.service import ResolveResult, resolve
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.resolve.engine import EngineSettings
from kimlik.store.migrate import require_current

#: Statuses a review item can have; ``review_list`` also takes ``all``.
REVIEW_STATUSES = ("open", "accepted", "rejected", "resolved")
MAX_HOPS = 100  # longest ``merged_into`` chain followed from a profile reference

Reference = str | int


@dataclass(frozen=True, slots=True)
class RecordView:
    """One person record as a person judging it sees it, with its current profile."""

    rid: int
    source: str
    record_id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: dt.date | None = None
    city: str | None = None
    profile_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.source}:{self.record_id}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(slots=True)
class Outcome:
    """What a request did: decisions written and revoked, and where its records sit now."""

    action: str
    ledger_id: int
    written: list[int] = field(default_factory=list)
    revoked: list[int] = field(default_factory=list)
    #: every record concerned -> its profile before the request
    before: dict[int, int | None] = field(default_factory=dict)
    after: dict[int, RecordView] = field(default_factory=dict)
    run: ResolveResult | None = None
    notes: list[str] = field(default_factory=list)


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


# --- requests ---------------------------------------------------------------------------


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
        first, second = _profile(connection, profile_a), _profile(connection, profile_b)
        if first == second:
            raise DecisionError(f"profiles {profile_a} and {profile_b} are already one: {first}")
        left, right = repo.members_of(connection, [first]), repo.members_of(connection, [second])
        _refuse_never_merge(connection, left, right, f"profiles {first} and {second}")
        written = _pin(connection, left[0], [right[0], *left[1:], *right[1:]], actor, reason, now)
        entry = repo.add_ledger_entry(
            connection, "manual_merge", actor, now, [left[0], right[0]], (first, second),
            {"reason": reason, "decisions": written},
        )  # fmt: skip
        outcome = Outcome("manual_merge", entry, written, before=_places(connection, left + right))
    _carry_out(engine, settings, rules, actor, outcome)
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
        pid, rid = _profile(connection, profile), _record(connection, record)
        members = repo.members_of(connection, [pid])
        if rid not in members:
            where = _places(connection, [rid])[rid]
            raise DecisionError(
                f"record {record} is not in profile {pid} (it is in "
                f"{'no profile yet' if where is None else f'profile {where}'})"
            )
        if len(members) == 1:
            raise DecisionError(f"record {record} is the only record of profile {pid}")
        existing = repo.active_decisions_of(connection, [rid])
        revoked = [int(d["id"]) for d in existing if d["kind"] == "merge"]
        for decision in revoked:
            repo.revoke_decision(connection, decision, actor, now)
        ends = {kind: {d["record_a"] + d["record_b"] - rid for d in existing if d["kind"] == kind}
                for kind in ("merge", "never_merge")}  # fmt: skip
        # The record's merge decisions held others together: they stay together without it.
        kept = sorted(ends["merge"])
        written = _pin(connection, kept[0], kept[1:], actor, reason, now) if kept else []
        written += [
            repo.insert_decision(connection, "never_merge", rid, other, actor, reason, now)
            for other in members
            if other != rid and other not in ends["never_merge"]
        ]
        entry = repo.add_ledger_entry(
            connection, "unmerge", actor, now, [rid], (pid, None),
            {"reason": reason, "decisions": written, "revoked": revoked},
        )  # fmt: skip
        outcome = Outcome("unmerge", entry, written, revoked, _places(connection, members))
    _carry_out(engine, settings, rules, actor, outcome)
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
        a, b = _record(connection, record_a), _record(connection, record_b)
        if a == b:
            raise DecisionError(f"{record_a} and {record_b} are the same record")
        what = f"{record_a} and {record_b}"
        decision, entry = _write_never_merge(
            connection, "never_merge", (a, b), actor, reason, now, what
        )
        outcome = Outcome("never_merge", entry, [decision], before=_places(connection, [a, b]))
    _settle(engine, settings, rules, actor, outcome, (a, b))
    return outcome


def review_list(engine: Engine, status: str = "open", limit: int = 50) -> list[ReviewItem]:
    """Review items of ``status`` (``all`` for every one), strongest evidence first."""
    if status != "all" and status not in REVIEW_STATUSES:
        raise DecisionError(f"unknown review status {status!r}: {', '.join(REVIEW_STATUSES)}, all")
    require_current(engine)
    with engine.connect() as connection:
        rows = repo.review_rows(connection, status=None if status == "all" else status, limit=limit)
        return [ReviewItem(**row) for row in _paired(connection, rows)]


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
        places = repo.profiles_of(connection, [a, b])
        left = {a, *repo.members_of(connection, [places[a]] if a in places else [])}
        right = {b, *repo.members_of(connection, [places[b]] if b in places else [])}
        _refuse_never_merge(connection, left, right, f"review item {item_id}")
        repo.decide_review(connection, item_id, "accepted", actor, now)
        decision = repo.insert_decision(connection, "merge", a, b, actor, reason, now)
        entry = repo.add_ledger_entry(
            connection, "review_accept", actor, now, [a, b], (places.get(a), places.get(b)),
            {"reason": reason, "decisions": [decision], "review_item": item_id},
        )  # fmt: skip
        outcome = Outcome(
            "review_accept", entry, [decision], before=_places(connection, left | right)
        )
    _carry_out(engine, settings, rules, actor, outcome)
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
        decision, entry = _write_never_merge(
            connection, "review_reject", (a, b), actor, reason, now, f"review item {item_id}",
            review_item=item_id,
        )  # fmt: skip
        repo.decide_review(connection, item_id, "rejected", actor, now)
        outcome = Outcome("review_reject", entry, [decision], before=_places(connection, [a, b]))
    _settle(engine, settings, rules, actor, outcome, (a, b))
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
            repo.revoke_decision(connection, int(row["id"]), actor, now)
            status = "accepted" if row["kind"] == "merge" else "rejected"
            reopened.append(repo.reopen_review(connection, a, b, status))
        records = {rid for pair in pairs for rid in pair}
        places = repo.profiles_of(connection, records)
        entry = repo.add_ledger_entry(
            connection, "revoke", actor, now, sorted(records),
            (places.get(pairs[0][0]), places.get(pairs[0][1])),
            {"reason": reason, "revoked": ids, "kinds": [row["kind"] for row in rows],
             "reopened_review_items": [item for item in reopened if item is not None]},
        )  # fmt: skip
        outcome = Outcome("revoke", entry, revoked=ids, before=_places(connection, records))
    _carry_out(engine, settings, rules, actor, outcome)
    if any(item is not None for item in reopened):
        outcome.notes.append(f"review item(s) {_ids(reopened)} open again")
    return outcome


def list_decisions(
    engine: Engine, *, active_only: bool = False, limit: int = 100
) -> list[Decision]:
    """People's decisions, newest first (revoked ones too unless ``active_only``)."""
    require_current(engine)
    with engine.connect() as connection:
        rows = repo.decision_rows(connection, active_only=active_only, limit=limit)
        return [Decision(**row) for row in _paired(connection, rows)]


# --- references -------------------------------------------------------------------------


def _record(connection: Connection, reference: Reference) -> int:
    """Store id of a record given as ``source:record_id`` or as its store id."""
    text = str(reference).strip()
    if ":" in text:
        source, _, record_id = text.partition(":")
        found = repo.find_record(connection, source.strip(), record_id.strip())
    elif text.isdigit():
        found = int(text) if repo.describe_records(connection, [int(text)]) else None
    else:
        raise UnknownReferenceError(
            f"record {text!r}: give source:record_id (e.g. crm:C-001) or a store id", text
        )
    if found is None:
        raise UnknownReferenceError(f"no person record {text}", text)
    return found


def _profile(connection: Connection, reference: Reference) -> int:
    """Id of the active profile a reference stands for (following merges)."""
    text = str(reference).strip()
    if not text.isdigit():
        raise UnknownReferenceError(f"profile {text!r}: give the profile's id (a number)", text)
    profile = int(text)
    for _ in range(MAX_HOPS):
        state = repo.profile_state(connection, profile)
        if state is None:
            raise UnknownReferenceError(f"no profile {text}", text)
        status, merged_into = state
        if status == "active":
            return profile
        if merged_into is None:
            raise DecisionError(f"profile {text} no longer holds any records ({status})")
        profile = merged_into
    raise DecisionError(f"profile {text}: its chain of merges does not end")


def _open_item(connection: Connection, item_id: int) -> tuple[int, int]:
    """The records of an open review item."""
    rows = repo.review_rows(connection, status=None, limit=1, item_id=item_id)
    if not rows:
        raise UnknownReferenceError(f"no review item {item_id}", str(item_id))
    item = rows[0]
    if item["status"] != "open":
        by = f" by {item['decided_by']}" if item["decided_by"] else ""
        raise DecisionError(f"review item {item_id} is already {item['status']}{by}")
    return int(item["record_a"]), int(item["record_b"])


def _active_decision(connection: Connection, decision_id: int) -> dict[str, Any]:
    row = repo.decision_row(connection, decision_id)
    if row is None:
        raise UnknownReferenceError(f"no decision {decision_id}", str(decision_id))
    if row["revoked_at"] is not None:
        raise DecisionError(f"decision {decision_id} was already revoked by {row['revoked_by']}")
    return row


# --- rules and helpers -----------------------------------------------------------------


def _refuse_never_merge(
    connection: Connection, left: Iterable[int], right: Iterable[int], what: str
) -> None:
    """A merge across an active never-merge pair must wait until a person revokes it."""
    ids = repo.never_merges_between(connection, left, right)
    if ids:
        raise DecisionConflictError(
            f"cannot merge {what}: never-merge decision(s) {_ids(ids)} keep them apart; "
            "revoke them first",
            ids,
        )


def _pin(
    connection: Connection, anchor: int, others: Iterable[int], actor: str,
    reason: str | None, now: dt.datetime,
) -> list[int]:  # fmt: skip
    """``merge`` decisions between ``anchor`` and each of ``others`` (existing ones kept)."""
    have = {d["record_a"] + d["record_b"] - anchor for d in repo.active_decisions_of(
        connection, [anchor]) if d["kind"] == "merge"}  # fmt: skip
    return [
        repo.insert_decision(connection, "merge", anchor, other, actor, reason, now)
        for other in others
        if other not in have and other != anchor
    ]


def _write_never_merge(
    connection: Connection, action: str, pair: tuple[int, int], actor: str,
    reason: str | None, now: dt.datetime, what: str, **evidence: Any,
) -> tuple[int, int]:  # fmt: skip
    """Store a never-merge pair and its ledger entry; (decision id, ledger entry id)."""
    a, b = pair
    existing = repo.never_merges_between(connection, [a], [b])
    if existing:
        raise DecisionError(f"{what}: already kept apart by decision {existing[0]}")
    path = repo.merge_path(connection, a, b)
    if path:
        raise DecisionConflictError(
            f"{what}: merge decision(s) {_ids(path)} join these records; revoke them first", path
        )
    decision = repo.insert_decision(connection, "never_merge", a, b, actor, reason, now)
    places = repo.profiles_of(connection, [a, b])
    entry = repo.add_ledger_entry(
        connection, action, actor, now, [a, b], (places.get(a), places.get(b)),
        {"reason": reason, "decisions": [decision], **evidence},
    )  # fmt: skip
    return decision, entry


def _carry_out(
    engine: Engine, settings: EngineSettings, rules: SurvivorshipRules | None, actor: str,
    outcome: Outcome,
) -> None:  # fmt: skip
    """Re-check the outcome's records (and their profiles) so the decision takes effect."""
    records = set(outcome.before)
    with engine.connect() as connection:
        profiles = set(repo.profiles_of(connection, records).values())
        records.update(repo.members_of(connection, profiles))
    outcome.run = resolve(engine, settings, recheck=records, rules=rules, actor=actor)
    with engine.begin() as connection:
        repo.set_ledger_run(connection, outcome.ledger_id, outcome.run.run_id)
        outcome.after = _views(connection, outcome.before)


def _settle(
    engine: Engine, settings: EngineSettings | None, rules: SurvivorshipRules | None,
    actor: str, outcome: Outcome, pair: tuple[int, int],
) -> None:  # fmt: skip
    """After a never-merge: split the pair now if they share a profile."""
    a, b = (outcome.before.get(rid) for rid in pair)
    together = a is not None and a == b
    if together and settings is not None:
        _carry_out(engine, settings, rules, actor, outcome)
        return
    with engine.connect() as connection:
        outcome.after = _views(connection, pair)
    if together:
        outcome.notes.append("the records share a profile until the next `kimlik resolve`")


def _ids(ids: Iterable[int | None]) -> str:
    return ", ".join(str(i) for i in sorted({i for i in ids if i is not None}))


def _places(connection: Connection, records: Iterable[int]) -> dict[int, int | None]:
    """Record -> its profile now (``None``: not resolved yet)."""
    wanted = sorted(set(records))
    places = repo.profiles_of(connection, wanted)
    return {rid: places.get(rid) for rid in wanted}


def _views(connection: Connection, rids: Iterable[int]) -> dict[int, RecordView]:
    rows = repo.describe_records(connection, (int(r) for r in rids))
    return {rid: RecordView(**row) for rid, row in rows.items()}


def _paired(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``record_a`` / ``record_b`` given as ``left`` / ``right`` record views."""
    views = _views(connection, [r[k] for r in rows for k in ("record_a", "record_b")])
    skip = {"record_a", "record_b", "resolve_run_id"}
    return [
        {k: v for k, v in r.items() if k not in skip}
        | {"left": views[r["record_a"]], "right": views[r["record_b"]]}
        for r in rows
    ]
