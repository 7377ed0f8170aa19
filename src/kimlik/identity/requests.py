"""What every person's request shares: its outcome, the never-merge checks, and the
re-check run that carries it out.

The decision and its ledger entry are committed before the re-check runs: should the
re-check fail, the next ``kimlik resolve`` carries the decision out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.errors import DecisionConflictError, DecisionError
from kimlik.identity import decision_store as store
from kimlik.identity import repository as repo
from kimlik.identity.service import ResolveResult, resolve
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.resolve.engine import EngineSettings


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


def refuse_never_merge(
    connection: Connection, left: Iterable[int], right: Iterable[int], what: str
) -> None:
    """A merge across an active never-merge pair must wait until a person revokes it."""
    ids = store.never_merges_between(connection, left, right)
    if ids:
        raise DecisionConflictError(
            f"cannot merge {what}: never-merge decision(s) {ids_text(ids)} keep them apart; "
            "revoke them first",
            ids,
        )


def write_never_merge(
    connection: Connection, action: str, pair: tuple[int, int], actor: str,
    reason: str | None, now: dt.datetime, what: str, **evidence: Any,
) -> tuple[int, int]:  # fmt: skip
    """Store a never-merge pair and its ledger entry; (decision id, ledger entry id)."""
    a, b = pair
    existing = store.never_merges_between(connection, [a], [b])
    if existing:
        raise DecisionError(f"{what}: already kept apart by decision {existing[0]}")
    path = store.merge_path(connection, a, b)
    if path:
        raise DecisionConflictError(
            f"{what}: merge decision(s) {ids_text(path)} join these records; revoke them first",
            path,
        )
    decision = store.insert_decision(connection, "never_merge", a, b, actor, reason, now)
    places = repo.profiles_of(connection, [a, b])
    entry = store.add_ledger_entry(
        connection, action, actor, now, [a, b], (places.get(a), places.get(b)),
        {"reason": reason, "decisions": [decision], **evidence},
    )  # fmt: skip
    return decision, entry


def carry_out(
    engine: Engine, settings: EngineSettings, rules: SurvivorshipRules | None, actor: str,
    outcome: Outcome,
) -> None:  # fmt: skip
    """Re-check the outcome's records (and their profiles) so the decision takes effect."""
    records = set(outcome.before)
    with engine.connect() as connection:
        profiles = set(repo.profiles_of(connection, records).values())
        records.update(repo.members_of(connection, profiles))
    # a decision is carried out now, with the model there is: training waits for a resolve run
    outcome.run = resolve(engine, settings, recheck=records, rules=rules, actor=actor, train=False)
    with engine.begin() as connection:
        store.set_ledger_run(connection, outcome.ledger_id, outcome.run.run_id)
        outcome.after = views(connection, outcome.before)


def settle(
    engine: Engine, settings: EngineSettings | None, rules: SurvivorshipRules | None,
    actor: str, outcome: Outcome, pair: tuple[int, int],
) -> None:  # fmt: skip
    """After a never-merge: split the pair now if they share a profile."""
    a, b = (outcome.before.get(rid) for rid in pair)
    together = a is not None and a == b
    if together and settings is not None:
        carry_out(engine, settings, rules, actor, outcome)
        return
    with engine.connect() as connection:
        outcome.after = views(connection, pair)
    if together:
        outcome.notes.append("the records share a profile until the next `kimlik resolve`")


def ids_text(ids: Iterable[int | None]) -> str:
    """``1, 2, 5``: the ids sorted, repeats and ``None`` left out, for messages."""
    return ", ".join(str(i) for i in sorted({i for i in ids if i is not None}))


def places(connection: Connection, records: Iterable[int]) -> dict[int, int | None]:
    """Record -> its profile now (``None``: not resolved yet)."""
    wanted = sorted(set(records))
    found = repo.profiles_of(connection, wanted)
    return {rid: found.get(rid) for rid in wanted}


def views(connection: Connection, rids: Iterable[int]) -> dict[int, RecordView]:
    rows = store.describe_records(connection, (int(r) for r in rids))
    return {rid: RecordView(**row) for rid, row in rows.items()}


def paired(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``record_a`` / ``record_b`` given as ``left`` / ``right`` record views."""
    seen = views(connection, [r[k] for r in rows for k in ("record_a", "record_b")])
    skip = {"record_a", "record_b", "resolve_run_id"}
    return [
        {k: v for k, v in r.items() if k not in skip}
        | {"left": seen[r["record_a"]], "right": seen[r["record_b"]]}
        for r in rows
    ]
