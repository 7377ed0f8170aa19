"""Blocking recall of Kimlik's matcher on a store: the true pairs it ever gets to score.

Why separately from ``kimlik resolve``: the command reports candidate pairs, not which
ones, and a missed link is either the model's fault or the blocking's. This calls the
same matcher ``kimlik resolve --full`` uses (``Engine.load`` + ``candidate_pairs`` with
default settings) on the store's person records and counts, in the engine's DuckDB, the
distinct candidate pairs whose two records belong to one person in ``truth.csv``. Records
the store rejected are in the truth but never in a pair: they count as missed, as in
``metrics.blocking_recall``. It also counts the true pairs *reachable*, connected by a
chain of true candidate pairs (``reachable_pairs``): clusters are transitive, so that is
the most any clustering of these candidates can link. Of the missed pairs it also counts
those whose records share no value that is evidence (``EVIDENCE``): a sign-up known as
"bulent2002@…" and a support contact "Bülent Erdem" with a phone are one person in the
truth, but only a first name says so.

    python bench/resolve/kimlik_blocking.py --database sqlite:///k.db --truth truth.csv \\
        --stats blocking.json

Run by ``run.py`` as a subprocess (not timed): on a large store it holds every record's
features in memory, which should not inflate the runner's own process.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Values that are evidence two records are one person. A first name, a city or a birth
#: year from an address alone are not: every Zeynep of Istanbul shares them.
EVIDENCE = ("email_key", "email_local", "phone", "phone_suffix", "last_name_key",
            "birth_date", "street_key", "postal_code_key", "external_id")  # fmt: skip

#: True pairs no candidate holds whose two records agree on none of ``EVIDENCE`` (nor on a
#: surname one spells in its address and the other has as last name): nothing a matcher
#: could block on short of pairing everyone with the same first name, and nothing a model
#: could link them by if it did.
MISSED_SHARING_NOTHING = f"""
    WITH true_pairs AS (
        SELECT l.rid AS a, r.rid AS b FROM bench_truth l JOIN bench_truth r
        ON l.person = r.person AND l.rid < r.rid
    ), missed AS (
        SELECT * FROM true_pairs t WHERE NOT EXISTS (
            SELECT 1 FROM pairs p
            WHERE least(p.rid_l, p.rid_r) = t.a AND greatest(p.rid_l, p.rid_r) = t.b
        )
    )
    SELECT count(*) FROM missed m
    JOIN records x ON x.rid = m.a JOIN records y ON y.rid = m.b
    WHERE NOT ({" OR ".join(f'coalesce(x."{c}" = y."{c}", false)' for c in EVIDENCE)}
        OR coalesce(x."email_surname" = y."last_name_key", false)
        OR coalesce(x."last_name_key" = y."email_surname", false))
"""


def reachable_pairs(edges: Iterable[tuple[int, int]]) -> int:
    """True pairs whose two records a chain of true candidate pairs connects.

    Links are transitive: a sign-up that shares only a first name with its owner's support
    contact still joins it through the CRM record it shares an email with, and the
    contact's phone. So this, not the candidate pairs alone, bounds the pairwise recall
    any clustering of these candidates can reach. ``edges``: the true candidate pairs.
    """
    parent: dict[int, int] = {}

    def find(record: int) -> int:
        root = parent.setdefault(record, record)
        while root != parent[root]:
            root = parent[root]
        while parent[record] != root:
            parent[record], record = root, parent[record]
        return root

    for a, b in edges:
        parent[find(a)] = find(b)
    sizes = Counter(find(record) for record in list(parent))
    return sum(n * (n - 1) // 2 for n in sizes.values())


def blocking_recall(
    database_url: str, truth_path: Path, identifiers: Sequence[str] = ()
) -> dict[str, Any]:
    """Candidate pairs of Kimlik's matcher against the truth; see the module docstring.

    ``identifiers``: custom attributes declared personal (``KIMLIK_RESOLVE_IDENTIFIERS``),
    turned into the ``external_id`` feature exactly as ``kimlik resolve`` does.
    """
    from kimlik.identity.repository import load_people
    from kimlik.resolve.engine import Engine, EngineSettings
    from kimlik.resolve.features import external_id
    from kimlik.store.engine import open_engine

    started = time.perf_counter()
    with open(truth_path, encoding="utf-8", newline="") as handle:
        truth = {
            (row["source"], row["record_id"]): row["person_id"] for row in csv.DictReader(handle)
        }
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())

    store = open_engine(database_url)
    with store.connect() as connection:
        people = load_people(connection)
    store.dispose()
    for person in people:
        person["external_id"] = external_id(person.pop("custom", None), identifiers)
    labelled = [
        (int(p["rid"]), truth[(p["source"], p["record_id"])])
        for p in people
        if (p["source"], p["record_id"]) in truth
    ]
    matcher = Engine()
    try:
        matcher.load(people)
        del people
        settings = EngineSettings(identifiers=tuple(identifiers))
        candidates = matcher.candidate_pairs(None, settings)
        rids, persons = zip(*labelled, strict=True) if labelled else ((), ())
        matcher.connection.register(
            "bench_truth",
            pa.table({"rid": pa.array(rids, pa.int64()), "person": pa.array(persons, pa.string())}),
        )
        edges = matcher.connection.execute(
            """
            SELECT p.a, p.b FROM (
                SELECT DISTINCT least(rid_l, rid_r) AS a, greatest(rid_l, rid_r) AS b
                FROM pairs WHERE rid_l <> rid_r
            ) p
            JOIN bench_truth l ON l.rid = p.a
            JOIN bench_truth r ON r.rid = p.b
            WHERE l.person = r.person
            """
        ).fetchall()
        bare = matcher.connection.execute(MISSED_SHARING_NOTHING).fetchone()
    finally:
        matcher.close()
    found = len(edges)
    reachable = reachable_pairs(edges)
    sharing_nothing = int(bare[0]) if bare else 0
    with_evidence = true_pairs - sharing_nothing
    return {
        "candidate_pairs": candidates,
        "true_pairs": true_pairs,
        "found": found,
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
        "reachable": reachable,
        "reachable_recall": reachable / true_pairs if true_pairs else 1.0,
        "missed_sharing_nothing": sharing_nothing,
        "blocking_recall_sharing_a_value": found / with_evidence if with_evidence else 1.0,
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="the store's URL")
    parser.add_argument("--truth", type=Path, required=True, help="truth.csv")
    parser.add_argument("--stats", type=Path, required=True, help="write figures here (JSON)")
    parser.add_argument(
        "--identifiers", nargs="*", default=[], help="custom attributes declared personal"
    )
    args = parser.parse_args(argv)
    stats = blocking_recall(args.database, args.truth, args.identifiers)
    args.stats.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
