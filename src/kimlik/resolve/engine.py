"""Running identity resolution on DuckDB: the "where".

Records come in as plain mappings (``rid`` plus canonical attributes) and leave as scored
pairs and clusters; nothing here knows the store or the ORM. DuckDB holds the feature
table for the run, so candidate generation and scoring are set-based SQL even at
millions of records, while clustering (which needs per-cluster checks) runs in Python
over the much smaller set of scored pairs.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from kimlik.resolve import blocking, scoring
from kimlik.resolve.cluster import Person, ScoredPair
from kimlik.resolve.comparisons import comparisons
from kimlik.resolve.features import FEATURE_COLUMNS, FEATURES_VERSION, match_features
from kimlik.resolve.training import train_model

_INT_COLUMNS = frozenset(
    {"birth_year", "birth_month", "birth_day", "birth_year_hint", "email_named"}
)
SCHEMA = pa.schema(
    [("rid", pa.int64())]
    + [(c, pa.int32() if c in _INT_COLUMNS else pa.string()) for c in FEATURE_COLUMNS]
)


#: Marks a model as the shipped one, so a store that has grown enough trains its own.
SHIPPED = "kimlik_shipped_model"


def shipped_model(records: int) -> dict[str, Any]:
    """The shipped model, with the prior set for a store of ``records`` person records."""
    model = default_model()
    model["probability_two_random_records_match"] = 1.0 / max(records, 2)
    model[SHIPPED] = True
    return model


def outgrown(model: dict[str, Any] | None, records: int, settings: EngineSettings) -> bool:
    """The stored model is the shipped one and the store now has enough records to learn."""
    return bool(model and model.get(SHIPPED)) and records >= settings.min_training_records


def superseded(model: dict[str, Any] | None) -> bool:
    """The stored model compares other levels than this version's comparisons.

    Scoring reads its SQL off the model, so an old model still scores consistently; but a
    comparison an upgrade added or changed would not take effect until the next training.
    """
    return model is not None and _levels(model["comparisons"]) != _levels(comparisons())


def _levels(compared: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    return [
        (str(c["output_column_name"]), [str(lv["sql_condition"]) for lv in c["comparison_levels"]])
        for c in compared
    ]


def _versioned(token: str) -> str:
    """A store token with the features version that built the index: an index from other
    features is stale whatever the store says."""
    return f"features-{FEATURES_VERSION}/{token}"


def _sql_type(column: str) -> str:
    return "BIGINT" if column == "rid" else "INTEGER" if column in _INT_COLUMNS else "VARCHAR"


_CREATE_RECORDS = (
    "CREATE TABLE IF NOT EXISTS records ("
    + ", ".join(f'"{field.name}" {_sql_type(field.name)}' for field in SCHEMA)
    + ")"
)


def _table(features: Iterable[Mapping[str, Any]]) -> pa.RecordBatch:
    """Features given as mappings (``match_features`` + ``rid``), as one Arrow batch."""
    rids, rows = [], []
    for row in features:
        rids.append(int(row["rid"]))
        rows.append(tuple(row.get(column) for column in FEATURE_COLUMNS))
    return feature_batch(rids, rows)


def feature_batch(rids: Sequence[int], rows: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    """Records' features as one Arrow batch: ``rows`` hold each record's values in
    ``FEATURE_COLUMNS`` order. Transposed in C, a row costs a fraction of a dict's."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in FEATURE_COLUMNS]
    arrays = [pa.array(list(rids), pa.int64())]
    arrays += [
        pa.array(values, SCHEMA.field(name).type)
        for name, values in zip(FEATURE_COLUMNS, columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Knobs of one run; thresholds are match weights (log2 odds), not probabilities."""

    link_weight: float = 3.0
    review_weight: float = -2.0
    max_block: int = 60
    #: below this many records the shipped model is used: EM on a handful says nothing
    min_training_records: int = 1000
    training_max_pairs: float = 1_000_000
    #: larger stores train on a random sample of this many records
    training_sample: int = 250_000
    seed: int = 7
    #: custom attributes that identify a person; the first one a record has is compared
    identifiers: tuple[str, ...] = ()
    #: the match index file kept between runs (None: rebuilt in memory every run)
    index_path: str | None = None


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
    """One DuckDB database holding every person record's features: the match index.

    In memory it lives for one run. On disk (``path``) it outlives the run, so the next
    incremental run updates only the changed records' features instead of loading the
    whole store again: the part of a run that would otherwise grow with the store.
    ``mark``/``marked`` record which store state it reflects, so a stale file is rebuilt.
    """

    def __init__(self, path: str | None = None, *, memory_limit: str = "3GB") -> None:
        self.connection = duckdb.connect(path or ":memory:")
        # DuckDB takes 80% of the machine by default; capped, it spills joins to disk, and
        # the run's peak stays what the store size needs, not what the machine has.
        self.connection.execute(f"SET memory_limit = '{memory_limit}'")
        spill = Path(tempfile.gettempdir()) / "kimlik-duckdb"
        self.connection.execute(f"SET temp_directory = '{spill}'")
        self.connection.execute("SET preserve_insertion_order = false")
        self.connection.execute(_CREATE_RECORDS)
        self.connection.execute("CREATE TABLE IF NOT EXISTS index_state (token VARCHAR)")
        self.connection.execute("CREATE TABLE IF NOT EXISTS variants (rid BIGINT, v UBIGINT)")
        kind = self.connection.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'variants' AND column_name = 'v'"
        ).fetchone()
        if kind != ("UBIGINT",):  # an index file from before variants were hashed: rebuilt
            self.connection.execute("CREATE OR REPLACE TABLE variants (rid BIGINT, v UBIGINT)")
            self.connection.execute("DELETE FROM index_state")

    def close(self) -> None:
        self.connection.close()

    @property
    def count(self) -> int:
        row = self.connection.execute("SELECT count(*) FROM records").fetchone()
        return int(row[0]) if row else 0

    @property
    def people(self) -> dict[int, Person]:
        """What the clustering needs of every record."""
        return self.persons(None)

    def persons(self, rids: Iterable[int] | None) -> dict[int, Person]:
        """What the clustering needs of ``rids`` (None: every record)."""
        query = (
            "SELECT rid, first_name_key, last_name_key, birth_date, "
            "email_key IS NOT NULL OR phone IS NOT NULL FROM records"
        )
        if rids is None:
            rows = self.connection.execute(query).fetchall()
        else:
            self._register_ids("wanted", rids)
            rows = self.connection.execute(f"{query} JOIN wanted USING (rid)").fetchall()
            self.connection.unregister("wanted")
        return {
            int(rid): Person(first, last, born, bool(contact))
            for rid, first, last, born, contact in rows
        }

    def load(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Compute the match features of ``records`` (each with an int ``rid``) and load them."""
        self.load_features(
            {**match_features(record), "rid": int(record["rid"])} for record in records
        )

    def load_features(self, features: Iterable[Mapping[str, Any]]) -> None:
        """Replace every record with these precomputed features (``match_features`` + ``rid``)."""
        self.load_batches([_table(features)])

    def load_batches(self, batches: Iterable[pa.RecordBatch | pa.Table]) -> None:
        """Replace every record with these (``feature_batch``) and rebuild the variants."""
        parts = [
            pa.Table.from_batches([b]) if isinstance(b, pa.RecordBatch) else b for b in batches
        ]
        table = pa.concat_tables(parts) if parts else SCHEMA.empty_table()
        self.connection.register("incoming", table)
        self.connection.execute("CREATE OR REPLACE TABLE records AS SELECT * FROM incoming")
        self.connection.unregister("incoming")
        self.connection.execute(
            f"CREATE OR REPLACE TABLE variants AS {blocking.typo_variants_sql('records')}"
        )

    def upsert_features(self, features: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace some records' features, leaving the others as they are."""
        self.connection.register("incoming", _table(features))
        # Only records already indexed have rows to replace. New ones (most of a typical
        # run) skip the delete, which reads the whole variants table: dozens of rows a
        # record, in no useful order.
        replaced = self.connection.execute(
            "SELECT count(*) FROM incoming SEMI JOIN records USING (rid)"
        ).fetchone()
        if replaced and replaced[0]:
            for table in ("records", "variants"):
                self.connection.execute(
                    f"DELETE FROM {table} WHERE rid IN (SELECT rid FROM incoming)"
                )
        self.connection.execute("INSERT INTO records SELECT * FROM incoming")
        self.connection.execute(f"INSERT INTO variants {blocking.typo_variants_sql('incoming')}")
        self.connection.unregister("incoming")

    def mark(self, token: str | None) -> None:
        """Record which store state the index reflects (``None``: unknown, being changed)."""
        self.connection.execute("DELETE FROM index_state")
        if token is not None:
            self.connection.execute("INSERT INTO index_state VALUES (?)", [_versioned(token)])

    def marked(self) -> str | None:
        """The store state the index reflects, if known and built by these features."""
        row = self.connection.execute("SELECT token FROM index_state").fetchone()
        prefix = _versioned("")
        return str(row[0])[len(prefix) :] if row and str(row[0]).startswith(prefix) else None

    def _register_ids(self, name: str, rids: Iterable[int]) -> None:
        ids = pa.table({"rid": pa.array(sorted(set(rids)), pa.int64())})
        self.connection.register(name, ids)

    def train(self, settings: EngineSettings) -> dict[str, Any]:
        """Learn the model from the loaded records (Splink, unsupervised).

        Too few records to learn from: the shipped model (trained on synthetic customer
        data), with the prior set for this store's size.
        """
        if self.count < settings.min_training_records:
            return shipped_model(self.count)
        table, records = "records", self.count
        if records > settings.training_sample:
            # A random sample of records keeps the prior (matches per pair) and the m and
            # u probabilities, while the EM blocks shrink quadratically: at a million
            # records, training on all of them cost most of the run's time and memory.
            # The sample is drawn by a hash of the record id and stored in id order, so
            # the same records give the same model: DuckDB's own sampling (and Splink's
            # inside training) follows the table's physical order, which a parallel load
            # does not keep.
            table, records = "training_sample", settings.training_sample
            self.connection.execute("SET preserve_insertion_order = true")
            self.connection.execute(
                "CREATE OR REPLACE TEMP TABLE training_sample AS SELECT * FROM ("
                f"SELECT * FROM records ORDER BY hash(rid, {int(settings.seed)}), rid "
                f"LIMIT {records}) ORDER BY rid"
            )
            self.connection.execute("SET preserve_insertion_order = false")
        return train_model(
            self.connection,
            table,
            records=records,
            max_pairs=settings.training_max_pairs,
            seed=settings.seed,
        )

    def candidate_pairs(self, probes: Iterable[int] | None, settings: EngineSettings) -> int:
        """Build the ``pairs`` table: candidates touching ``probes`` (None: all records)."""
        table = None
        if probes is not None:
            table = "probes"
            self._register_ids("probe_ids", probes)
            self.connection.execute(
                "CREATE OR REPLACE TEMP TABLE probes AS SELECT r.* FROM records r "
                "JOIN probe_ids USING (rid)"
            )
            self.connection.unregister("probe_ids")
        sql = blocking.candidate_pairs_sql(
            "records", table, "variants", max_block=settings.max_block
        )
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE pairs AS {sql}")
        row = self.connection.execute("SELECT count(*) FROM pairs").fetchone()
        return int(row[0]) if row else 0

    def score(self, model: dict[str, Any], *, min_weight: float, floor: int = 1) -> Scored:
        """Score the ``pairs`` table; keep pairs at or above ``min_weight`` or sharing an id."""
        self.connection.execute(
            "CREATE OR REPLACE TEMP TABLE involved AS SELECT * FROM records WHERE rid IN "
            "(SELECT rid_l FROM pairs UNION SELECT rid_r FROM pairs)"
        )
        columns = scoring.tf_columns(model)
        for statement in scoring.add_frequencies_sql("involved", "records", columns, floor=floor):
            self.connection.execute(statement)
        sql = scoring.score_sql(model, "involved", "pairs", FEATURE_COLUMNS)
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

    def pair_rids(self) -> set[int]:
        """Every record in a candidate pair."""
        rows = self.connection.execute(
            "SELECT rid_l FROM pairs UNION SELECT rid_r FROM pairs"
        ).fetchall()
        return {int(r) for (r,) in rows}
