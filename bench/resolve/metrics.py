"""Linkage quality: pairwise precision/recall/F1, blocking recall, cluster-level counts.

Records are keys (``(source, record_id)`` tuples); a clustering maps each key to a
cluster label (a profile id, a person id). Pairwise scores come from the contingency
table of predicted x true clusters, never from the list of pairs: a cluster of n records
holds C(n, 2) pairs, and

    true positives  = sum over (predicted, true) cells of C(n_cell, 2)
    predicted pairs = sum over predicted clusters of C(n, 2)
    true pairs      = sum over true clusters of C(n, 2)

so a million records cost a dictionary pass, not a trillion pairs.

Only the truth's keys are scored. A truth key missing from ``predicted`` counts as a
cluster of its own (the resolver did not link it); predicted keys without truth (records
nobody labelled) are ignored. With nothing to find, recall is 1.0; with nothing
predicted, precision is 1.0 (no wrong link was made); F1 is 0.0 when both are 0.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Key = tuple[str, str]

_UNLINKED = object()


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise linkage quality."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True, slots=True)
class ClusterScores:
    """Profile-level quality: did each true person come out as exactly one profile?"""

    persons: int  # true clusters
    exact: int  # true persons whose records form exactly one predicted cluster, alone
    exact_share: float  # cluster recall: exact / persons
    #: cluster precision: predicted clusters that are exactly one true person, whole
    precision: float
    split: int  # true persons spread over more than one predicted cluster
    predicted: int  # predicted clusters (over the truth's keys)
    over_merged: int  # predicted clusters holding records of more than one true person


def pairs_in(n: int) -> int:
    """C(n, 2): the record pairs inside a cluster of ``n``."""
    return n * (n - 1) // 2


def _aligned(
    predicted: Mapping[K, Hashable], truth: Mapping[K, Hashable]
) -> list[tuple[Hashable, Hashable]]:
    """(predicted label, true label) per truth key; an unlinked key gets a label of its own."""
    return [
        (predicted[key] if key in predicted else (_UNLINKED, key), label)
        for key, label in truth.items()
    ]


def pairwise_scores(predicted: Mapping[K, Hashable], truth: Mapping[K, Hashable]) -> Scores:
    """Pairwise precision, recall and F1 of a clustering against the truth."""
    aligned = _aligned(predicted, truth)
    cells = Counter(aligned)
    tp = sum(pairs_in(n) for n in cells.values())
    predicted_pairs = sum(pairs_in(n) for n in Counter(p for p, _ in aligned).values())
    true_pairs = sum(pairs_in(n) for n in Counter(t for _, t in aligned).values())
    fp, fn = predicted_pairs - tp, true_pairs - tp
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)


def blocking_recall(candidate_pairs: Iterable[tuple[K, K]], truth: Mapping[K, Hashable]) -> float:
    """Share of true matching pairs that appear among the candidate pairs.

    Pairs are unordered and may repeat; pairs of a key with itself and pairs touching a
    key without truth are ignored. 1.0 when there are no true pairs to find.
    """
    true_pairs = sum(pairs_in(n) for n in Counter(truth.values()).values())
    if not true_pairs:
        return 1.0
    found: set[frozenset[K]] = set()
    for a, b in candidate_pairs:
        if a != b and a in truth and b in truth and truth[a] == truth[b]:
            found.add(frozenset((a, b)))
    return len(found) / true_pairs


def cluster_scores(predicted: Mapping[K, Hashable], truth: Mapping[K, Hashable]) -> ClusterScores:
    """How many true persons came out whole and alone; how many profiles mix people."""
    aligned = _aligned(predicted, truth)
    true_sizes = Counter(t for _, t in aligned)
    predicted_sizes = Counter(p for p, _ in aligned)
    cells = Counter(aligned)
    persons_in: Counter[Hashable] = Counter(p for p, _ in cells)  # true persons per cluster
    clusters_of: Counter[Hashable] = Counter(t for _, t in cells)  # clusters per true person
    exact = sum(1 for (p, t), n in cells.items() if n == true_sizes[t] and n == predicted_sizes[p])
    persons = len(true_sizes)
    return ClusterScores(
        persons=persons,
        exact=exact,
        exact_share=exact / persons if persons else 1.0,
        precision=exact / len(predicted_sizes) if predicted_sizes else 1.0,
        split=sum(1 for n in clusters_of.values() if n > 1),
        predicted=len(predicted_sizes),
        over_merged=sum(1 for n in persons_in.values() if n > 1),
    )


def read_clusters(path: Path, label: str) -> dict[Key, str]:
    """``(source, record_id) -> label`` from a CSV with ``source``, ``record_id`` and ``label``.

    Reads both ``truth.csv`` (label ``person_id``) and ``kimlik export members``
    (label ``profile_id``).
    """
    with open(path, encoding="utf-8", newline="") as handle:
        return {(row["source"], row["record_id"]): row[label] for row in csv.DictReader(handle)}
