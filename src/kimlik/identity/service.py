"""``kimlik resolve``: records in the store become profiles, full or incrementally.

The first run (and ``--full``) scores every candidate pair; later runs score only pairs
touching new or changed records (and the members of profiles a person asked to re-check),
starting the clustering from the existing profiles. Profile ids are stable: a cluster
keeps the id of the oldest profile among its records' previous profiles, and every
creation, merge and split goes to the merge ledger with its evidence.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.identity import golden
from kimlik.identity import repository as repo
from kimlik.profiles.rules import SurvivorshipRules, default_rules
from kimlik.resolve.cluster import Clustering, ScoredPair, cluster
from kimlik.resolve.engine import Engine as MatchEngine
from kimlik.resolve.engine import EngineSettings, outgrown
from kimlik.resolve.features import FEATURE_COLUMNS, external_id, match_features
from kimlik.resolve.scoring import level_labels
from kimlik.store.migrate import require_current


@dataclass(slots=True)
class ResolveResult:
    """What one run did, for the terminal and the run record."""

    run_id: int = 0
    mode: str = "full"
    trained: bool = False
    #: where the model came from: "trained" on this store, "shipped" with Kimlik (too few
    #: records to learn from), or "stored" by an earlier run
    model_source: str = "stored"
    records: int = 0
    processed: int = 0
    candidate_pairs: int = 0
    scored_pairs: int = 0
    links: int = 0
    refused_links: int = 0
    review_open: int = 0
    profiles: int = 0
    created: int = 0
    merged: int = 0
    split: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def resolve(
    engine: Engine,
    settings: EngineSettings,
    *,
    full: bool = False,
    retrain: bool = False,
    recheck: Collection[int] = (),
    rules: SurvivorshipRules | None = None,
    actor: str = "resolve",
) -> ResolveResult:
    """Link person records into profiles; ``recheck``: records to re-cluster from scratch."""
    require_current(engine)
    started = dt.datetime.now(dt.UTC)
    rules = rules or default_rules()
    result = ResolveResult()
    with engine.begin() as connection:
        people = repo.load_people(connection)
        members = repo.load_members(connection)
        model = None if retrain else repo.latest_model(connection)
        if outgrown(model, len(people), settings):
            model = None
        must, cannot = repo.decisions(connection)
        stored = {} if full else repo.load_features(connection)
        result.records = len(people)
        incremental = not full and model is not None and bool(members)
        result.mode = "incremental" if incremental else "full"
        run_id = repo.start_run(connection, result.mode, asdict(settings), started)
        result.run_id = run_id

        for person in people:
            person["external_id"] = external_id(person.pop("custom", None), settings.identifiers)
        by_rid = {int(person["rid"]): person for person in people}
        features, fresh = _features(people, stored)
        changed = {rid for rid in by_rid if members.get(rid, (0, -1))[1] != by_rid[rid]["version"]}
        probes = set(by_rid) if not incremental else changed | (set(recheck) & set(by_rid))
        result.processed = len(probes)
        matcher = MatchEngine()
        try:
            matcher.load_features(features)
            if model is None:
                model = matcher.train(settings)
                result.trained = True
                shipped = matcher.count < settings.min_training_records
                result.model_source = "shipped" if shipped else "trained"
            if probes:
                result.candidate_pairs = matcher.candidate_pairs(
                    None if not incremental else probes, settings
                )
                scored = matcher.score(
                    model, min_weight=settings.review_weight, floor=settings.min_training_records
                )
            else:
                scored = None
            people_index = matcher.people
        finally:
            matcher.close()
        pairs = scored.pairs if scored else []
        result.scored_pairs = len(pairs)
        start = (
            {
                rid: member[0]
                for rid, member in members.items()
                if rid not in probes and rid in by_rid
            }
            if incremental
            else None
        )
        clustering = cluster(
            people_index,
            pairs,
            link_weight=settings.link_weight,
            review_weight=settings.review_weight,
            must_link=must,
            cannot_link=cannot,
            start=start,
        )
        result.links, result.refused_links = len(clustering.links), len(clustering.refused)
        repo.save_features(connection, fresh)
        evidence = scored.evidence if scored else {}
        labels = level_labels(model)
        writer = _ProfileWriter(connection, by_rid, members, rules, run_id, actor, started)
        writer.joined_by_person = {rid for pair in must for rid in pair}
        writer.write(clustering, probes, evidence, labels, full=not incremental)
        result.created, result.merged, result.split = writer.created, writer.merged, writer.split
        result.review_open = _queue_reviews(
            connection, clustering, evidence, labels, run_id, started
        )
        result.profiles = repo.profile_count(connection)
        result.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        repo.finish_run(
            connection,
            run_id,
            status="completed",
            finished_at=dt.datetime.now(dt.UTC),
            model=model,
            rules=rules.model_dump(mode="json"),
            stats={k: v for k, v in asdict(result).items() if k not in {"notes", "run_id"}},
        )
    return result


_COLUMNS = frozenset(FEATURE_COLUMNS)


def _features(
    people: list[dict[str, Any]], stored: dict[int, tuple[int, dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[tuple[int, int, dict[str, Any]]]]:
    """Every record's features (stored ones reused) and the freshly computed ones."""
    everything, fresh = [], []
    for person in people:
        rid, version = int(person["rid"]), int(person["version"])
        kept = stored.get(rid)
        if _reusable(kept, version, person["external_id"]):
            assert kept is not None
            values = kept[1]
        else:
            values = match_features(person)
            fresh.append((rid, version, values))
        everything.append({**values, "rid": rid})
    return everything, fresh


def _reusable(
    kept: tuple[int, dict[str, Any]] | None, version: int, identifier: str | None
) -> bool:
    """Stored features still hold: same record version, same columns, same identifier.

    Features from an older Kimlik lack newer columns, and a change to the identifier
    settings changes ``external_id``; either way they are computed again.
    """
    return (
        kept is not None
        and kept[0] == version
        and _COLUMNS.issubset(kept[1])
        and kept[1]["external_id"] == identifier
    )


class _ProfileWriter:
    """Turns clusters into profiles: stable ids, golden records, identities, ledger."""

    def __init__(
        self,
        connection: Connection,
        people: dict[int, dict[str, Any]],
        members: dict[int, tuple[int, int]],
        rules: SurvivorshipRules,
        run_id: int,
        actor: str,
        now: dt.datetime,
    ) -> None:
        self.connection = connection
        self.people = people
        self.previous = {rid: member[0] for rid, member in members.items()}
        self.rules = rules
        self.run_id = run_id
        self.actor = actor
        self.now = now
        self.created = self.merged = self.split = 0
        #: records a person's merge decision holds in their profile
        self.joined_by_person: set[int] = set()

    def write(
        self,
        clustering: Clustering,
        probes: set[int],
        evidence: dict[tuple[int, int], dict[str, int]],
        labels: dict[str, dict[int, str]],
        *,
        full: bool,
    ) -> None:
        groups = clustering.members()
        links_in: dict[int, list[ScoredPair]] = {}
        for pair in clustering.links:
            links_in.setdefault(clustering.cluster_of[pair.left], []).append(pair)
        touched_profiles = {self.previous[rid] for rid in probes if rid in self.previous}
        touched = [
            records
            for records in groups.values()
            if full
            or any(rid in probes for rid in records)
            or any(self.previous.get(rid) in touched_profiles for rid in records)
        ]
        # Oldest profile first: a cluster keeps the smallest id among its records' profiles.
        touched.sort(
            key=lambda records: (min(self._previous_ids(records), default=1 << 62), -len(records))
        )
        claimed: set[int] = set()
        ledger: list[dict[str, Any]] = []
        member_rows: list[tuple[int, int, int, str, float | None]] = []
        identity_rows: list[tuple[int, str, str, int]] = []
        weight_of = _link_weights(clustering.links)
        # First decide which cluster keeps which profile and build the rows; then write
        # them in batches (one statement per profile was most of a full run's time).
        kept: list[int | None] = []
        built: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for records in touched:
            previous = sorted(self._previous_ids(records))
            keep = next((pid for pid in previous if pid not in claimed), None)
            if keep is not None:
                claimed.add(keep)
            kept.append(keep)
            values = golden.profile_values(records, self.people, self.rules, self.now, self.run_id)
            links = _cluster_links(
                links_in.get(clustering.cluster_of[records[0]], []), evidence, labels
            )
            built.append((values, links))
        new_ids = iter(
            repo.insert_profiles(
                self.connection,
                [
                    {**values, "created_at": self.now}
                    for (values, _), k in zip(built, kept, strict=True)
                    if k is None
                ],
            )
        )
        repo.update_profiles(
            self.connection,
            [(k, values) for (values, _), k in zip(built, kept, strict=True) if k is not None],
        )
        profile_ids: list[int] = []
        absorbed_by: set[int] = set(claimed)
        for records, keep, (_, links) in zip(touched, kept, built, strict=True):
            if keep is None:
                keep = next(new_ids)
                self.created += 1
                ledger.append(self._entry("create", keep, None, records, links))
            for absorbed in sorted(self._previous_ids(records)):
                if absorbed != keep and absorbed not in absorbed_by:
                    absorbed_by.add(absorbed)
                    self.merged += 1
                    ledger.append(self._entry("merge", keep, absorbed, records, links))
            profile_ids.append(keep)
            for rid in records:
                linked_by = (
                    "alone"
                    if len(records) == 1
                    else "person"
                    if rid in self.joined_by_person
                    else "model"
                )
                member_rows.append(
                    (rid, keep, int(self.people[rid]["version"]), linked_by, weight_of.get(rid))
                )
            identity_rows.extend(
                (keep, *identity) for identity in golden.identities(records, self.people)
            )
        retired = self._retired(touched, profile_ids)
        repo.retire_profiles(self.connection, retired, self.now)
        self._count_splits(touched, ledger)
        repo.replace_members(self.connection, member_rows, self.now)
        repo.replace_identities(self.connection, profile_ids, identity_rows)
        repo.write_ledger(self.connection, ledger)

    def _previous_ids(self, records: Iterable[int]) -> set[int]:
        return {self.previous[rid] for rid in records if rid in self.previous}

    def _retired(self, touched: list[list[int]], kept: list[int]) -> dict[int, int | None]:
        """Previous profiles no cluster kept, each pointing at the profile that took most
        of its records (``None`` if it has none left)."""
        claimed = set(kept)
        destination: dict[int, Counter[int]] = {}
        for records, profile in zip(touched, kept, strict=True):
            for rid in records:
                old = self.previous.get(rid)
                if old is not None and old not in claimed:
                    destination.setdefault(old, Counter())[profile] += 1
        return {old: counts.most_common(1)[0][0] for old, counts in destination.items()}

    def _count_splits(self, touched: list[list[int]], ledger: list[dict[str, Any]]) -> None:
        """A previous profile whose records now sit in several clusters was split."""
        spread: dict[int, set[int]] = {}
        for index, records in enumerate(touched):
            for old in self._previous_ids(records):
                spread.setdefault(old, set()).add(index)
        for old, clusters in spread.items():
            if len(clusters) > 1:
                self.split += 1
                ledger.append(self._entry("split", old, None, [], {"clusters": len(clusters)}))

    def _entry(
        self,
        action: str,
        profile: int,
        other: int | None,
        records: list[int],
        evidence: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "action": action,
            "profile_id": profile,
            "other_profile_id": other,
            "record_ids": records,
            "evidence": evidence,
            "actor": self.actor,
            "resolve_run_id": self.run_id,
        }


def _link_weights(links: list[ScoredPair]) -> dict[int, float]:
    best: dict[int, float] = {}
    for pair in links:
        for rid in (pair.left, pair.right):
            best[rid] = max(best.get(rid, pair.weight), pair.weight)
    return best


def _cluster_links(
    links: list[ScoredPair],
    evidence: dict[tuple[int, int], dict[str, int]],
    labels: dict[str, dict[int, str]],
) -> dict[str, Any]:
    """The links that built a cluster, each with its weight and comparison levels."""
    found = []
    for pair in links:
        levels = evidence.get((pair.left, pair.right), {})
        found.append(
            {
                "records": [pair.left, pair.right],
                "weight": round(pair.weight, 2),
                "levels": {name: labels[name].get(g, str(g)) for name, g in levels.items()},
            }
        )
    return {"links": found} if found else {}


def _queue_reviews(
    connection: Connection,
    clustering: Clustering,
    evidence: dict[tuple[int, int], dict[str, int]],
    labels: dict[str, dict[int, str]],
    run_id: int,
    now: dt.datetime,
) -> int:
    """Unsure pairs go to review once; open items now in one profile are closed."""
    existing = repo.open_review_pairs(connection)
    items = []
    for pair in clustering.review:
        key = (pair.left, pair.right)
        if key in existing:
            continue
        levels = evidence.get(key, {})
        items.append(
            {
                "record_a": pair.left,
                "record_b": pair.right,
                "weight": pair.weight,
                "evidence": {name: labels[name].get(g, str(g)) for name, g in levels.items()},
                "status": "open",
                "created_at": now,
                "resolve_run_id": run_id,
            }
        )
    stale = [
        item
        for (a, b), (item, status) in existing.items()
        if status == "open" and clustering.cluster_of.get(a) == clustering.cluster_of.get(b)
    ]
    repo.upsert_review(connection, items, stale, now)
    open_now = sum(1 for _, status in existing.values() if status == "open") - len(stale)
    return open_now + len(items)
