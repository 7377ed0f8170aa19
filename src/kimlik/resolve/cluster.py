"""Clustering scored pairs into people without gluing households together.

Connected components over every link above a threshold chain strangers: husband and wife
share an email, the wife and her mother a landline, and one "profile" swallows the
family. Instead, links are taken strongest first and two clusters join only when *every*
pair across them stays compatible: no two different birth dates, no first names that
cannot be one person's, no never-merge pair. A link that fails the check is kept out and
reported, not forced. People's decisions come first: must-link pairs join before any
scored link, cannot-link pairs are never joined.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from kimlik.resolve.features import are_nickname_variants
from kimlik.resolve.similarity import dates_compatible, jaro_winkler

_DOUBLED = re.compile(r"(.)\1+")
#: First names at least this similar (Jaro-Winkler) may be one person's ("Jonh"/"John").
NAME_SIMILARITY = 0.85


@dataclass(frozen=True, slots=True)
class Person:
    """What the clustering needs to know about one record to keep people apart."""

    first_name_key: str | None
    last_name_key: str | None
    birth_date: str | None  # ISO
    #: holds an email or a phone: something of its own that tells a twin apart. No
    #: default: a caller that forgot it would silently merge twins.
    has_contact: bool


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two records, the model's match weight (log2 odds), and whether they share an identifier.

    ``identifier``: the same email matching key or phone number. Fellegi–Sunter cannot
    link two sparse records on one shared address (the term frequency of a unique value
    exactly cancels the prior), yet a personal identifier in common is near-proof; so such
    a pair links deterministically, still subject to every compatibility check, which is
    what stops a family email or landline from gluing a household together.
    """

    left: int
    right: int
    weight: float
    identifier: bool = False
    #: sharing an identifier declared personal: a name or date conflict is a typing error
    trusted: bool = False

    def strength(self, link_weight: float) -> float:
        """The weight the clustering orders and thresholds by."""
        return max(self.weight, link_weight) if self.identifier else self.weight


@dataclass(slots=True)
class Clustering:
    """The outcome: cluster of each record, links made, links refused, pairs to review."""

    cluster_of: dict[int, int]
    links: list[ScoredPair] = field(default_factory=list)
    refused: list[ScoredPair] = field(default_factory=list)
    review: list[ScoredPair] = field(default_factory=list)

    def members(self) -> dict[int, list[int]]:
        """cluster id -> its records, ascending."""
        groups: dict[int, list[int]] = {}
        for record, cluster in sorted(self.cluster_of.items()):
            groups.setdefault(cluster, []).append(record)
        return groups


def first_names_compatible(a: Person, b: Person) -> bool:
    """Whether two records' names can belong to one person (missing names always can)."""
    fa, fb = a.first_name_key, b.first_name_key
    if fa is None or fb is None or fa == fb:
        return True
    if _similar_first_names(fa, fb):
        return True
    la, lb = a.last_name_key, b.last_name_key
    # First and last name swapped on one side, typos allowed ("Khan Carol"/"Carol Khn");
    # against a record with a first name only, the swapped side's last name is its first.
    if la and lb:
        return _similar_first_names(fa, lb) and _similar_first_names(la, fb)
    return bool(la and _similar_first_names(la, fb)) or bool(lb and _similar_first_names(fa, lb))


@lru_cache(maxsize=65536)
def _similar_first_names(a: str, b: str) -> bool:
    if are_nickname_variants(a, b) or jaro_winkler(a, b) >= NAME_SIMILARITY:
        return True
    # A doubled letter on a nickname ("Saandy"/"Sandra").
    single_a, single_b = _DOUBLED.sub(r"\1", a), _DOUBLED.sub(r"\1", b)
    if (single_a, single_b) != (a, b) and are_nickname_variants(single_a, single_b):
        return True
    # Typos: one edit (a swap counts as one: "Sma"/"Sam"), two in longer names.
    if OSA.distance(a, b) <= (2 if min(len(a), len(b)) >= 4 else 1):
        return True
    short, long = sorted((a, b), key=len)
    # An initial ("J"/"John") or a cut-off name ("Sea"/"Sean", "Rebecc"/"Rebecca").
    return long.startswith(short) and (len(short) == 1 or len(short) >= 3)


@lru_cache(maxsize=65536)
def birth_dates_compatible(a: str | None, b: str | None) -> bool:
    """False only when both are known and cannot be one date (typo or swap allowed)."""
    if a is None or b is None or a == b:
        return True
    try:
        return dates_compatible(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) is not False
    except ValueError:
        return True


def compatible(a: Person, b: Person) -> bool:
    """Two records may be one person: names and birth dates do not contradict.

    Other first names on one full birth date are twins, or one person whose first name was
    replaced; another birth date under one name is a father and son, or one person whose
    date was mistyped beyond a typo. Customer records carry an email or a phone, and
    twins, fathers and sons have their own: there the names and dates keep them apart.
    Where neither record has any (a register of names, dates and addresses), nothing tells
    the cases apart, and the model's weight decides, as long as one of the two (the first
    name or the birth date) still agrees: both replaced is someone else.
    """
    contact = a.has_contact or b.has_contact
    if not birth_dates_compatible(a.birth_date, b.birth_date):
        return not contact and first_names_compatible(a, b)
    if a.birth_date is not None and a.birth_date == b.birth_date and not contact:
        return True
    return first_names_compatible(a, b)


def _each_agrees(newcomers: set[Person], versions: set[Person]) -> bool:
    return all(any(compatible(x, y) for y in versions) for x in newcomers)


class _Clusters:
    """Union-find whose merges are checked against every member across the two sides."""

    def __init__(
        self, people: Mapping[int, Person], cannot_link: Iterable[tuple[int, int]]
    ) -> None:
        self.people = people
        self.parent = {record: record for record in people}
        self.members = {record: [record] for record in people}
        self.cannot: dict[int, set[int]] = {}
        #: roots of clusters holding a conflict a declared identifier overrode
        self.overridden: set[int] = set()
        for a, b in cannot_link:
            self.cannot.setdefault(a, set()).add(b)
            self.cannot.setdefault(b, set()).add(a)

    def find(self, record: int) -> int:
        root = record
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record] != root:
            self.parent[record], record = root, self.parent[record]
        return root

    def forbidden(self, a: int, b: int) -> bool:
        """A never-merge pair lies across the two clusters (rooted at ``a`` and ``b``)."""
        right = set(self.members[b])
        return any(not self.cannot.get(r, set()).isdisjoint(right) for r in self.members[a])

    def can_join(self, a: int, b: int, *, trusted: bool = False) -> bool:
        if self.forbidden(a, b):
            return False
        if trusted:
            return True
        left, right = self.members[a], self.members[b]
        # Distinct (name, date) profiles per side keep the check small for big clusters.
        left_kinds = {self.people[r] for r in left}
        right_kinds = {self.people[r] for r in right}
        if a in self.overridden or b in self.overridden:
            # A cluster that already holds an accepted conflict (a typed name or date
            # under one national id) cannot demand that a newcomer agree with both of
            # its versions: every record of the other side must agree with one of them.
            return (a not in self.overridden or _each_agrees(right_kinds, left_kinds)) and (
                b not in self.overridden or _each_agrees(left_kinds, right_kinds)
            )
        return all(compatible(x, y) for x in left_kinds for y in right_kinds)

    def join(self, a: int, b: int, *, overriding: bool = False) -> int:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        if overriding or b in self.overridden:
            self.overridden.add(a)
        self.overridden.discard(b)
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        return a


def cluster(
    people: Mapping[int, Person],
    pairs: Iterable[ScoredPair],
    *,
    link_weight: float,
    review_weight: float,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    start: Mapping[int, int] | None = None,
) -> Clustering:
    """Cluster ``people`` (record -> Person) by ``pairs``, strongest first.

    ``start`` (record -> group) seeds clusters from an earlier run: the incremental path
    starts from the existing profiles instead of from single records. Every group in
    ``start`` is taken as it is; only new links are checked.
    """
    clusters = _Clusters(people, cannot_link)
    if start:
        firsts: dict[int, int] = {}
        for record, group in sorted(start.items()):
            if record not in clusters.parent:
                continue
            if group in firsts:
                root_a, root_b = clusters.find(firsts[group]), clusters.find(record)
                if root_a != root_b:
                    clusters.join(root_a, root_b)
            else:
                firsts[group] = record
    for a, b in must_link:
        if a in clusters.parent and b in clusters.parent:
            root_a, root_b = clusters.find(a), clusters.find(b)
            # A chain of merge decisions must not carry a never-merge pair into one cluster.
            if root_a != root_b and not clusters.forbidden(root_a, root_b):
                clusters.join(root_a, root_b)
    result = Clustering(cluster_of={})
    ordered = sorted(
        (p for p in pairs if p.strength(link_weight) >= review_weight),
        key=lambda p: (-p.strength(link_weight), -p.weight, p.left, p.right),
    )
    undecided: list[ScoredPair] = []
    for pair in ordered:
        if pair.left not in clusters.parent or pair.right not in clusters.parent:
            continue
        root_a, root_b = clusters.find(pair.left), clusters.find(pair.right)
        if root_a == root_b:
            continue
        if pair.strength(link_weight) < link_weight:
            undecided.append(pair)
        elif clusters.can_join(root_a, root_b, trusted=pair.trusted):
            overriding = pair.trusted and not clusters.can_join(root_a, root_b)
            clusters.join(root_a, root_b, overriding=overriding)
            result.links.append(pair)
        else:
            result.refused.append(pair)
    for pair in undecided:
        root_a, root_b = clusters.find(pair.left), clusters.find(pair.right)
        if root_a != root_b and clusters.can_join(root_a, root_b):
            result.review.append(pair)
    smallest = {root: min(members) for root, members in clusters.members.items()}
    result.cluster_of = {record: smallest[clusters.find(record)] for record in people}
    return result
