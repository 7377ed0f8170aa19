"""Blocking recall of Kimlik's matcher on a store: the true pairs it ever gets to score.

Why separately from ``kimlik resolve``: the command reports candidate pairs, not which
ones, and a missed link is either the model's fault or the blocking's. This calls the
same matcher ``kimlik resolve --full`` uses (``Engine.load`` + ``candidate_pairs`` with
default settings) on the store's person records and counts, in the engine's DuckDB, the
distinct candidate pairs whose two records belong to one person in ``truth.csv``. Records
the store rejected are in the truth but never in a pair: they count as missed, as in
``metrics.blocking_recall``.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa


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
        row = matcher.connection.execute(
            """
            SELECT count(*) FROM (
                SELECT DISTINCT least(rid_l, rid_r) AS a, greatest(rid_l, rid_r) AS b
                FROM pairs WHERE rid_l <> rid_r
            ) p
            JOIN bench_truth l ON l.rid = p.a
            JOIN bench_truth r ON r.rid = p.b
            WHERE l.person = r.person
            """
        ).fetchone()
    finally:
        matcher.close()
    found = int(row[0]) if row else 0
    return {
        "candidate_pairs": candidates,
        "true_pairs": true_pairs,
        "found": found,
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
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
