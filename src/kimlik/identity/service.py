"""``kimlik resolve``: records in the store become profiles, full or incrementally.

The first run (and ``--full``) scores every candidate pair; later runs score only pairs
touching new or changed records (and the members of profiles a person asked to re-check),
starting the clustering from the existing profiles. Profile ids are stable: a cluster
keeps the id of the oldest profile among its records' previous profiles, and every
creation, merge and split goes to the merge ledger with its evidence.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.identity import repository as repo
from kimlik.identity.feature_rows import feature_batches, with_identifiers
from kimlik.identity.writer import ProfileWriter
from kimlik.ordered_pool import workers_for
from kimlik.profiles.rules import SurvivorshipRules, default_rules
from kimlik.resolve.cluster import Clustering, Person, cluster
from kimlik.resolve.engine import Engine as MatchEngine
from kimlik.resolve.engine import EngineSettings, outgrown, shipped_model, superseded
from kimlik.resolve.features import (
    match_features,
)
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
    #: existing profiles that new records joined
    joined: int = 0
    merged: int = 0
    split: int = 0
    seconds: float = 0.0
    #: wall seconds per stage (features, training, candidates, scoring, clustering,
    #: profiles, review), in the order they ran: where a long run spent its time
    stages: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the wall time of the block to ``stages[stage]``."""
        began = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - began
            self.stages[stage] = round(self.stages.get(stage, 0.0) + spent, 3)


def resolve(
    engine: Engine,
    settings: EngineSettings,
    *,
    full: bool = False,
    retrain: bool = False,
    recheck: Collection[int] = (),
    rules: SurvivorshipRules | None = None,
    actor: str = "resolve",
    train: bool = True,
) -> ResolveResult:
    """Link person records into profiles; ``recheck``: records to re-cluster from scratch;
    ``train=False`` never trains (the stored model, else the shipped one): for callers
    that must stay fast, such as real-time stitching."""
    require_current(engine)
    started = dt.datetime.now(dt.UTC)
    rules = rules or default_rules()
    result = ResolveResult()
    request = _Request(settings, full, retrain, frozenset(recheck), rules, actor, started, train)
    matcher = MatchEngine(settings.index_path)
    try:
        with engine.begin() as connection:
            repo.lock_resolving(connection)
            _run(connection, matcher, request, result)
        matcher.mark(request.token)  # only once the store has committed what the index holds
    finally:
        matcher.close()
    return result


@dataclass(frozen=True, slots=True)
class _Request:
    """What one run was asked to do."""

    settings: EngineSettings
    full: bool
    retrain: bool
    recheck: frozenset[int]
    rules: SurvivorshipRules
    actor: str
    started: dt.datetime
    train: bool = True
    #: marks the match index with the store state this run commits
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _run(
    connection: Connection, matcher: MatchEngine, request: _Request, result: ResolveResult
) -> None:
    settings, full, retrain = request.settings, request.full, request.retrain
    rules, actor, started, token = request.rules, request.actor, request.started, request.token
    model = None if retrain else repo.latest_model(connection)
    result.records = repo.person_count(connection)
    if not request.train:
        # real-time callers (the stitcher) score with what there is: training, and the
        # full run it brings, is a batch job for `kimlik resolve`
        model = model or shipped_model(result.records)
    elif outgrown(model, result.records, settings) or superseded(model):
        model = None
    must, cannot = repo.decisions(connection)
    incremental = not full and model is not None and repo.has_members(connection)
    result.mode = "incremental" if incremental else "full"
    run_id = repo.start_run(connection, result.mode, asdict(settings), started)
    result.run_id = run_id
    last_token = repo.last_run_token(connection)
    index_is_current = incremental and last_token is not None and matcher.marked() == last_token
    matcher.mark(None)  # changing it: unknown state until this run commits

    with result.timed("features"):
        probes, people = _changed_records(
            connection, matcher, request, incremental=incremental, index_is_current=index_is_current
        )
    result.processed = len(probes)

    if model is None:
        with result.timed("training"):
            model = matcher.train(settings)
        result.trained = True
        shipped = matcher.count < settings.min_training_records
        result.model_source = "shipped" if shipped else "trained"
    scored = None
    if probes:
        with result.timed("candidates"):
            result.candidate_pairs = matcher.candidate_pairs(
                None if not incremental else probes, settings
            )
        with result.timed("scoring"):
            scored = matcher.score(
                model, min_weight=settings.review_weight, floor=settings.min_training_records
            )
    pairs = scored.pairs if scored else []
    result.scored_pairs = len(pairs)

    with result.timed("clustering"):
        members, persons, start = _records_in_play(
            connection, matcher, probes, must, cannot, incremental=incremental
        )
        clustering = cluster(
            persons,
            pairs,
            link_weight=settings.link_weight,
            review_weight=settings.review_weight,
            must_link=must,
            cannot_link=cannot,
            start=start,
        )
    result.links, result.refused_links = len(clustering.links), len(clustering.refused)
    known = {int(p["rid"]): p for p in people}

    def read_people(rids: list[int]) -> dict[int, dict[str, Any]]:
        found = {rid: known[rid] for rid in rids if rid in known}
        missing = [rid for rid in rids if rid not in known]
        found.update((int(p["rid"]), p) for p in repo.load_people(connection, missing))
        return found

    evidence = scored.evidence if scored else {}
    labels = level_labels(model)
    writer = ProfileWriter(connection, read_people, members, rules, run_id, actor, started)
    writer.joined_by_person = {rid for pair in must for rid in pair}
    with result.timed("profiles"):
        writer.write(clustering, probes, evidence, labels, full=not incremental)
    result.created, result.merged, result.split = writer.created, writer.merged, writer.split
    result.joined = writer.joined
    with result.timed("review"):
        result.review_open = _queue_reviews(
            connection, clustering, evidence, labels, run_id, started
        )
    result.profiles = repo.profile_count(connection)
    result.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    stats = {k: v for k, v in asdict(result).items() if k not in {"notes", "run_id"}}
    repo.finish_run(
        connection,
        run_id,
        status="completed",
        finished_at=dt.datetime.now(dt.UTC),
        model=model,
        rules=rules.model_dump(mode="json"),
        stats={**stats, "index_token": token},
    )


def _changed_records(
    connection: Connection,
    matcher: MatchEngine,
    request: _Request,
    *,
    incremental: bool,
    index_is_current: bool,
) -> tuple[set[int], list[dict[str, Any]]]:
    """The records to look at (probes) and the person rows read; features computed on the
    way are stored in the store and in the match index.

    With a current match index only the changed records are read; otherwise every record
    is, and the index is rebuilt from them (reusing the features stored in the store).
    """
    settings = request.settings
    if index_is_current:
        probes = repo.changed_records(connection) | set(request.recheck)
        people = with_identifiers(repo.load_people(connection, probes), settings.identifiers)
        fresh = [(int(p["rid"]), int(p["version"]), match_features(p)) for p in people]
        repo.save_features(connection, fresh)
        matcher.upsert_features({**values, "rid": rid} for rid, _, values in fresh)
        return {int(p["rid"]) for p in people}, people
    versions: dict[int, int] = {}
    workers = workers_for(repo.person_count(connection))
    matcher.load_batches(
        feature_batches(connection, settings.identifiers, versions, workers=workers)
    )
    everyone = set(versions)
    if not incremental:
        return everyone, []
    members = repo.load_members(connection)
    changed = {rid for rid, version in versions.items() if members.get(rid, (0, -1))[1] != version}
    return changed | (set(request.recheck) & everyone), []


def _records_in_play(
    connection: Connection,
    matcher: MatchEngine,
    probes: set[int],
    must: list[tuple[int, int]],
    cannot: list[tuple[int, int]],
    *,
    incremental: bool,
) -> tuple[dict[int, tuple[int, int]], dict[int, Person], dict[int, int] | None]:
    """Members, clustering facts and starting groups of the records the run may change.

    Incremental: the changed records, their candidates, people's decisions about them,
    and every record of the profiles these belong to; nothing else is read.
    """
    if not incremental:
        return repo.load_members(connection), matcher.persons(None), None
    involved = probes | (matcher.pair_rids() if probes else set())
    involved |= {x for pair in (*must, *cannot) if involved & set(pair) for x in pair}
    members = repo.load_members(connection, set(repo.profiles_of(connection, involved).values()))
    persons = matcher.persons(involved | set(members))
    start = {rid: m[0] for rid, m in members.items() if rid not in probes and rid in persons}
    return members, persons, start


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
        if status == "open"
        and a in clustering.cluster_of
        and clustering.cluster_of.get(a) == clustering.cluster_of.get(b)
    ]
    repo.upsert_review(connection, items, stale, now)
    open_now = sum(1 for _, status in existing.values() if status == "open") - len(stale)
    return open_now + len(items)
