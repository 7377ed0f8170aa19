"""Survivorship: the golden record of one profile, each value with its lineage.

For every canonical attribute the candidates are the member records holding a value
(``None`` and blank text do not count). The attribute's strategies run in order, each
keeping only the candidates it likes best. The lineage records the strategy after
which the remaining candidates agree on one value: that is what decided it, even when
later strategies still choose which of several agreeing records to cite (otherwise
``most_frequent``, which always keeps at least two records, could never be credited).
Candidates still tied after every strategy go to the lowest ``record_key``, so the
result never depends on the order of ``members``.

A group (an address) is decided once, over the records holding any of its attributes,
and every attribute of the group comes from that one record: a street from one record
and a postal code from another would describe a place nobody lives at. Before its
strategies run, a group keeps only the records holding its most precise attribute (the
first listed, e.g. a street) that any record holds: otherwise a newer record knowing
just the country would win ``most_recent`` and blank a full address.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from kimlik.jsonable import jsonable
from kimlik.profiles.rules import PERSON_ATTRIBUTES, Strategy, SurvivorshipRules

#: Rule recorded when a single record holds a value: nothing had to be decided.
ONLY = "only"
#: Rule recorded when several records hold the value and all agree (case/space folded).
AGREED = "agreed"
#: Rule recorded when records still disagree after every strategy: the lowest key won.
TIE = "lowest_record_key"
#: Rule recorded when only the records holding a group's most precise attribute agree.
MOST_PRECISE = "most_precise"


@dataclass(frozen=True, slots=True)
class Member:
    """One source record of a profile, with its standardized canonical attributes."""

    record_key: int  # the store's row id
    source: str
    record_id: str
    first_seen_at: dt.datetime
    updated_at: dt.datetime
    values: Mapping[str, Any]  # canonical attribute -> value; None when missing


@dataclass(frozen=True, slots=True)
class GoldenValue:
    """A surviving value and where it came from: the record and the rule that chose it."""

    value: Any
    record_key: int
    source: str
    record_id: str
    rule: str
    group: str | None = None  # set when the value survived with its group


class _Candidate(NamedTuple):
    """A record holding some of the values being decided (a tuple: built by the million)."""

    member: Member
    values: tuple[Any, ...]  # one per attribute of the unit being decided; None if missing


def build_golden(members: Sequence[Member], rules: SurvivorshipRules) -> dict[str, GoldenValue]:
    """Pick each canonical attribute's golden value; attributes nobody holds are absent."""
    if len(members) == 1:
        return _only(members[0], rules)
    golden: dict[str, GoldenValue] = {}
    held = set().union(*(member.values for member in members))  # nobody else has a value
    for name, group in rules.groups.items():
        if not held.isdisjoint(group.attributes):
            golden.update(_decide(members, group.attributes, group.rules, rules, name))
    for attribute, strategies in rules.decided_alone:
        if attribute in held:
            golden.update(_decide(members, (attribute,), strategies, rules, None))
    return {a: golden[a] for a in PERSON_ATTRIBUTES if a in golden}


def _only(member: Member, rules: SurvivorshipRules) -> dict[str, GoldenValue]:
    """A one-record profile: every value it holds is golden (most profiles are these)."""
    group_of = rules.group_names
    golden = {}
    for attribute in PERSON_ATTRIBUTES:
        value = _present(member.values.get(attribute))
        if value is not None:
            golden[attribute] = GoldenValue(
                value, member.record_key, member.source, member.record_id, ONLY,
                group_of.get(attribute),
            )  # fmt: skip
    return golden


def golden_record(golden: Mapping[str, GoldenValue]) -> dict[str, Any]:
    """Attribute -> value, for exports and the profile table."""
    return {attribute: chosen.value for attribute, chosen in golden.items()}


def lineage_json(
    golden: Mapping[str, GoldenValue], values: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Attribute -> lineage as JSON-able data; dates and decimals become strings.

    ``values``: the golden values already made JSON-able, when the caller has them.
    """
    lineage: dict[str, dict[str, Any]] = {}
    for attribute, chosen in golden.items():
        entry: dict[str, Any] = {
            "value": jsonable(chosen.value) if values is None else values[attribute],
            "record_key": chosen.record_key,
            "source": chosen.source,
            "record_id": chosen.record_id,
            "rule": chosen.rule,
        }
        if chosen.group is not None:
            entry["group"] = chosen.group
        lineage[attribute] = entry
    return lineage


def _decide(
    members: Sequence[Member],
    attributes: tuple[str, ...],
    strategies: tuple[Strategy, ...],
    rules: SurvivorshipRules,
    group: str | None,
) -> dict[str, GoldenValue]:
    if len(attributes) == 1:  # most units: one attribute, no tuple built per member
        attribute = attributes[0]
        candidates = [
            _Candidate(member, (value,))
            for member in members
            if (value := _present(member.values.get(attribute))) is not None
        ]
    else:
        candidates = []
        for member in members:
            values = tuple(_present(member.values.get(a)) for a in attributes)
            if any(v is not None for v in values):
                candidates.append(_Candidate(member, values))
    if not candidates:
        return {}
    rule = ONLY if len(candidates) == 1 else AGREED if _agree(candidates) else None
    if group is not None and rule is None:
        candidates = _most_precise(candidates)
        if _agree(candidates):
            rule = MOST_PRECISE
    for strategy in strategies:
        if len(candidates) == 1:
            break
        candidates = _narrow(strategy, candidates, rules)
        if rule is None and _agree(candidates):
            rule = strategy.value
    winner = min(candidates, key=_tie_break)
    chosen = winner.member
    return {
        attribute: GoldenValue(
            value, chosen.record_key, chosen.source, chosen.record_id, rule or TIE, group
        )
        for attribute, value in zip(attributes, winner.values, strict=True)
        if value is not None
    }


def _most_precise(candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates holding the group's most precise attribute any of them holds: the
    attributes are listed from the most precise (street) to the least (country)."""
    tiers = [next(i for i, v in enumerate(c.values) if v is not None) for c in candidates]
    best = min(tiers)
    return [c for c, tier in zip(candidates, tiers, strict=True) if tier == best]


def _tie_break(candidate: _Candidate) -> tuple[int, str, str]:
    member = candidate.member
    return member.record_key, member.source, member.record_id


def _narrow(
    strategy: Strategy, candidates: list[_Candidate], rules: SurvivorshipRules
) -> list[_Candidate]:
    """The candidates ``strategy`` likes best (all of them when it cannot tell them apart)."""
    keys = _keys(strategy, candidates, rules)
    best = max(keys)
    return [c for c, key in zip(candidates, keys, strict=True) if key == best]


def _keys(strategy: Strategy, candidates: list[_Candidate], rules: SurvivorshipRules) -> list[Any]:
    """One sort key per candidate under ``strategy``; the largest key is preferred."""
    match strategy:
        case Strategy.MOST_TRUSTED:
            return [-rules.rank(c.member.source) for c in candidates]
        case Strategy.MOST_RECENT:
            return [c.member.updated_at for c in candidates]
        case Strategy.FIRST_SEEN:
            return [_Reverse(c.member.first_seen_at) for c in candidates]
        case Strategy.MOST_FREQUENT:
            folded = [_folded(c) for c in candidates]
            counts = Counter(folded)
            return [counts[f] for f in folded]
        case Strategy.MOST_COMPLETE:
            return [_completeness(c.values) for c in candidates]
        case Strategy.EARLIEST:
            return [_Reverse(c.values[0]) for c in candidates]
        case Strategy.LATEST:
            return [c.values[0] for c in candidates]


@dataclass(frozen=True, slots=True)
class _Reverse:
    """Wraps a key so that ``max`` prefers the smallest value."""

    key: Any

    def __lt__(self, other: _Reverse) -> bool:
        return bool(self.key > other.key)

    def __gt__(self, other: _Reverse) -> bool:
        return bool(self.key < other.key)


def _agree(candidates: list[_Candidate]) -> bool:
    """True when every candidate holds the same (folded) value: the value is decided."""
    values = candidates[0].values
    if all(c.values == values for c in candidates[1:]):
        return True  # equal values fold alike: most clusters need no folding at all
    first = _folded(candidates[0])
    return all(_folded(c) == first for c in candidates[1:])


def _folded(candidate: _Candidate) -> tuple[Any, ...]:
    return tuple(_fold(v) for v in candidate.values)


def _present(value: Any) -> Any:
    """``None`` for a missing value: ``None`` or text with nothing but spaces."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _fold(value: Any) -> Any:
    """The form ``most_frequent`` counts: "Jane  DOE" and "jane doe" are one value."""
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return value


def _completeness(values: tuple[Any, ...]) -> tuple[int, int]:
    """(fields present, total text length): fuller records first, then longer text."""
    present = sum(v is not None for v in values)
    length = sum(len(v.strip()) for v in values if isinstance(v, str))
    return present, length
