"""Clusters become profiles: stable ids, golden records, identities and the ledger.

A cluster keeps the id of the oldest profile among its records' previous profiles; a
profile no cluster kept is retired into the one that took most of its records. Rows are
built first and written in batches: one statement per profile was most of a full run. A
large run builds golden records in worker processes, a slice of clusters at a time, while
this process writes the slice before; the workers read the slice's records themselves
(``store.shared_reads``) and hand back the golden record as JSON text, so neither the
records nor the profiles cross between processes as dictionaries. A first write into
empty tables rebuilds their indexes afterwards (``repository.profile_indexes``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from kimlik.identity import golden
from kimlik.identity import repository as repo
from kimlik.ordered_pool import mapped_in_order, workers_for
from kimlik.profiles.rules import SurvivorshipRules
from kimlik.resolve.cluster import Clustering, ScoredPair
from kimlik.store.shared_reads import shared_url

#: Clusters written per slice: bounds the person rows held at once.
_SLICE = 20_000


@dataclass(frozen=True, slots=True)
class _Slice:
    """Clusters written together, and the profile each keeps (``None``: a new one)."""

    touched: list[list[int]]
    kept: list[int | None]


@dataclass(slots=True)
class _Context:
    """What every slice of a run's clusters needs to build its rows."""

    links_in: dict[int, list[ScoredPair]]
    cluster_of: dict[int, int]
    evidence: dict[tuple[int, int], dict[str, int]]
    labels: dict[str, dict[int, str]]
    #: profiles kept by some cluster, then every profile counted as merged
    absorbed: set[int]


class ProfileWriter:
    """Turns clusters into profiles: stable ids, golden records, identities, ledger."""

    def __init__(
        self,
        connection: Connection,
        people: Callable[[list[int]], Mapping[int, dict[str, Any]]],
        members: dict[int, tuple[int, int]],
        rules: SurvivorshipRules,
        run_id: int,
        actor: str,
        now: dt.datetime,
    ) -> None:
        self.connection = connection
        #: reads the person rows of some records (the writer asks a slice at a time)
        self.people = people
        self.previous = {rid: member[0] for rid, member in members.items()}
        self.rules = rules
        self.run_id = run_id
        self.actor = actor
        self.now = now
        self.created = self.merged = self.split = self.joined = 0
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
        # Which cluster keeps which profile is decided for all clusters first; rows are then
        # built and written a slice at a time, reading only that slice's records, so a full
        # run over a million records never holds them all.
        claimed: set[int] = set()
        kept: list[int | None] = []
        for records in touched:
            keep = next((p for p in sorted(self._previous_ids(records)) if p not in claimed), None)
            if keep is not None:
                claimed.add(keep)
            kept.append(keep)
        context = _Context(links_in, clustering.cluster_of, evidence, labels, claimed)
        weight_of = _link_weights(clustering.links)
        profile_ids: list[int] = []

        record_count = sum(len(cluster) for cluster in touched)
        workers = workers_for(record_count)
        database = shared_url(self.connection) if workers else None
        slices = (
            (
                _Slice(touched[start : start + _SLICE], kept[start : start + _SLICE]),
                golden.SliceJob(touched[start : start + _SLICE], self.rules, database),
            )
            for start in range(0, len(touched), _SLICE)
        )
        indexes = repo.profile_indexes(self.connection)
        for table_indexes in indexes:
            table_indexes.consider(record_count)
        if database is None:
            built = mapped_in_order(self._build_here, slices, workers=0, doing="")
        else:
            built = mapped_in_order(
                golden.build_slice_in_worker,
                slices,
                workers=workers,
                doing="building golden records",
            )
        for piece, profiles in built:
            profile_ids.extend(self._write_slice(piece, profiles, context, weight_of))
        for table_indexes in indexes:
            table_indexes.after_load()
        retired = self._retired(touched, profile_ids)
        repo.retire_profiles(self.connection, retired, self.now)
        splits: list[dict[str, Any]] = []
        self._count_splits(touched, splits)
        repo.write_ledger(self.connection, splits)

    def _build_here(self, job: golden.SliceJob) -> golden.BuiltSlice:
        """``golden.build_slice`` in this process, on the rows the run reads."""
        return golden.build_slice(
            job, self.people([rid for records in job.clusters for rid in records])
        )

    def _write_slice(
        self,
        piece: _Slice,
        built: golden.BuiltSlice,
        context: _Context,
        weight_of: dict[int, float],
    ) -> list[int]:
        touched, kept = piece.touched, piece.kept
        fixed = {
            "status": "active",
            "merged_into": None,
            "updated_at": self.now,
            "resolve_run_id": self.run_id,
        }
        profiles = built.profiles()
        links_of = [
            _cluster_links(
                context.links_in.get(context.cluster_of[records[0]], []),
                context.evidence,
                context.labels,
            )
            for records in touched
        ]
        new_ids = iter(
            repo.insert_profiles(
                self.connection,
                [
                    {**fixed, **values, "created_at": self.now}
                    for values, k in zip(profiles, kept, strict=True)
                    if k is None
                ],
                encoded=golden.JSON_COLUMNS,
            )
        )
        repo.update_profiles(
            self.connection,
            [
                (k, {**fixed, **_decoded(values)})
                for values, k in zip(profiles, kept, strict=True)
                if k is not None
            ],
        )
        ledger: list[dict[str, Any]] = []
        member_rows: list[tuple[int, int, int, str, float | None]] = []
        profile_ids: list[int] = []
        versions = iter(built.versions)
        for records, keep, links in zip(touched, kept, links_of, strict=True):
            if keep is None:
                keep = next(new_ids)
                self.created += 1
                ledger.append(self._entry("create", keep, None, records, links))
            else:
                joined = [rid for rid in records if rid not in self.previous]
                if joined:  # new records attached to a profile that already existed
                    self.joined += 1
                    ledger.append(self._entry("join", keep, None, joined, links))
            for absorbed in sorted(self._previous_ids(records)):
                if absorbed != keep and absorbed not in context.absorbed:
                    context.absorbed.add(absorbed)
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
                member_rows.append((rid, keep, next(versions), linked_by, weight_of.get(rid)))
        at, kinds, values, counts = built.identities
        identity_rows = [
            (profile_ids[index], kind, value, count)
            for index, kind, value, count in zip(at, kinds, values, counts, strict=True)
        ]
        # Only rows that existed have anything to replace: at a first run, deleting the
        # members and identities of a million new rows by id cost 13 s and found none.
        members_before = [row[0] for row in member_rows if row[0] in self.previous]
        repo.replace_members(self.connection, member_rows, self.now, replacing=members_before)
        repo.replace_identities(self.connection, [k for k in kept if k is not None], identity_rows)
        repo.write_ledger(self.connection, ledger)
        return profile_ids

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


def _decoded(values: dict[str, Any]) -> dict[str, Any]:
    """A profile row with its JSON columns as data again, for an ``UPDATE``."""
    return {
        name: orjson.loads(value) if name in golden.JSON_COLUMNS else value
        for name, value in values.items()
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
