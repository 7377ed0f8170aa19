"""Running identity resolution on DuckDB: the "where".

Records come in as plain mappings (``rid`` plus canonical attributes) and leave as scored
pairs and clusters; nothing here knows the store or the ORM. DuckDB holds the feature
table for the run, so candidate generation and scoring are set-based SQL even at
millions of records, while clustering (which needs per-cluster checks) runs in Python
over the much smaller set of scored pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

from kimlik.resolve import scoring
from kimlik.resolve.cluster import Person, ScoredPair
from kimlik.resolve.features import FEATURE_COLUMNS, match_features
from kimlik.resolve.training import train_model

_INT_COLUMNS = frozenset({"birth_year", "birth_month", "birth_day", "email_named"})
SCHEMA = pa.schema(
    [("rid", pa.int64())]
    + [(c, pa.int32() if c in _INT_COLUMNS else pa.string()) for c in FEATURE_COLUMNS]
)


#: Marks a model as the shipped one, so a store that has grown enough trains its own.
SHIPPED = "kimlik_shipped_model"


def outgrown(model: dict[str, Any] | None, records: int, settings: EngineSettings) -> bool:
    """The stored model is the shipped one and the store now has enough records to learn."""
    return bool(model and model.get(SHIPPED)) and records >= settings.min_training_records


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Knobs of one run; thresholds are match weights (log2 odds), not probabilities."""

    link_weight: float = 3.0
    review_weight: float = -2.0
    max_block: int = 200
    #: below this many records the shipped model is used: EM on a handful says nothing
    min_training_records: int = 1000
    training_max_pairs: float = 1_000_000
    seed: int = 7
    #: custom attributes that identify a person; the first one a record has is compared
    identifiers: tuple[str, ...] = ()


@dataclass(slots=True)
class Scored:
    """Scored candidate pairs, with the comparison levels that explain each one."""

    pairs: list[ScoredPair]
    evidence: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)


def default_model() -> dict[str, Any]:
    """The model shipped with Kimlik (``default_model.json``)."""
    text = resources.files("kimlik.resolve").joinpath("default_model.json").read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    return model


class Engine:
    """One DuckDB database holding one run's records and their features."""

    def __init__(self) -> None:
        self.connection = duckdb.connect(":memory:")
        self.people: dict[int, Person] = {}
        self.count = 0

    def close(self) -> None:
        self.connection.close()

    def load(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Compute the match features of ``records`` (each with an int ``rid``) and load them."""
        self.load_features(
            {**match_features(record), "rid": int(record["rid"])} for record in records
        )

    def load_features(self, features: Iterable[Mapping[str, Any]]) -> None:
        """Load precomputed features (``match_features`` output plus ``rid``)."""
        rows = list(features)
        for row in rows:
            self.people[int(row["rid"])] = Person(
                row.get("first_name_key"), row.get("last_name_key"), row.get("birth_date")
            )
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        self.connection.register("incoming", table)
        self.connection.execute("CREATE OR REPLACE TABLE records AS SELECT * FROM incoming")
        self.connection.unregister("incoming")
        self.count = len(rows)

    def train(self, settings: EngineSettings) -> dict[str, Any]:
        """Learn the model from the loaded records (Splink, unsupervised).

        Too few records to learn from: the shipped model (trained on synthetic customer
        data), with the prior set for this store's size.
        """
        if self.count < settings.min_training_records:
            model = default_model()
            model["probability_two_random_records_match"] = 1.0 / max(self.count, 2)
            model[SHIPPED] = True
            return model
        return train_model(
            self.connection,
            "records",
            records=self.count,
            max_pairs=settings.training_max_pairs,
            seed=settings.seed,
        )

    def candidate_pairs(self, probes: Iterable[int] | None, settings: EngineSettings) -> int:
        """Build the ``pairs`` table: candidates touching ``probes`` (None: all records)."""
        if probes is None:
            self.connection.execute("CREATE OR REPLACE VIEW probes AS SELECT * FROM records")
        else:
            probe_table = pa.table({"rid": pa.array(sorted(set(probes)), pa.int64())})
            self.connection.register("probe_ids", probe_table)
            self.connection.execute(
                "CREATE OR REPLACE TABLE probes AS SELECT r.* FROM records r "
                "JOIN probe_ids USING (rid)"
            )
            self.connection.unregister("probe_ids")
        sql = scoring.candidate_pairs_sql("records", "probes", max_block=settings.max_block)
        self.connection.execute(f"CREATE OR REPLACE TABLE pairs AS {sql}")
        row = self.connection.execute("SELECT count(*) FROM pairs").fetchone()
        return int(row[0]) if row else 0

    def score(self, model: dict[str, Any], *, min_weight: float, floor: int = 1) -> Scored:
        """Score the ``pairs`` table; keep pairs at or above ``min_weight``."""
        columns = scoring.tf_columns(model)
        for statement in scoring.add_frequencies_sql("records", columns, floor=floor):
            self.connection.execute(statement)
        sql = scoring.score_sql(model, "records", "pairs", FEATURE_COLUMNS)
        names = [c.name for c in scoring.comparisons_of(model)]
        gammas = ", ".join(f'"gamma_{name}"' for name in names)
        rows = self.connection.execute(
            f"SELECT rid_l, rid_r, match_weight, shared_identifier, shared_trusted, {gammas} "
            f"FROM ({sql}) WHERE match_weight >= ? OR shared_identifier ORDER BY rid_l, rid_r",
            [min_weight],
        ).fetchall()
        scored = Scored(pairs=[])
        for row in rows:
            left, right, weight = int(row[0]), int(row[1]), float(row[2])
            pair = ScoredPair(left, right, weight, identifier=bool(row[3]), trusted=bool(row[4]))
            scored.pairs.append(pair)
            scored.evidence[(left, right)] = dict(
                zip(names, (int(g) for g in row[5:]), strict=True)
            )
        return scored

    def pair_list(self) -> list[tuple[int, int]]:
        """The candidate pairs, for measuring blocking recall."""
        rows = self.connection.execute("SELECT rid_l, rid_r FROM pairs").fetchall()
        return [(int(a), int(b)) for a, b in rows]
