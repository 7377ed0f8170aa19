"""Plain Splink on the records Kimlik stored: the baseline ``run.py`` measures Kimlik against.

Why plain Splink: Kimlik trains its model with Splink, so the honest question is what
Kimlik adds over a competent Splink user following Splink's own documented examples.
Each configuration below is one of those examples, with its columns renamed to ours:

* ``febrl3``: ``docs/demos/examples/duckdb/febrl3`` (dedupe_only). The example only
  predicts (at match probability 0.2) and never clusters; we cluster at that same 0.2.
* ``febrl4``: ``febrl4`` (link_only between the two sources), the "detailed" model;
  predict at 0.2, cluster at 0.99 as the example does.
* ``synthetic``: ``deduplicate_50k_synthetic`` (dedupe_only); predict with no threshold,
  cluster at 0.95 as the example does.

Adaptations, the same for every run (see ``bench/README.md``):

* The input is Kimlik's *standardized* values (names, ISO birth dates, cleaned streets),
  exported from the store after ``kimlik import``: Splink gets the cleaning for free.
* ``febrl3`` and ``febrl4`` leave FEBRL's ``soc_sec_id`` out of comparisons and rules:
  Kimlik keeps it as a custom attribute and matches on it only when it is declared an
  identifier. ``febrl3-ssn`` and ``febrl4-ssn`` are the examples with it, as documented,
  and ``run.py`` then declares it to Kimlik too (``KIMLIK_RESOLVE_IDENTIFIERS``).
  ``street_number`` and ``address_1`` are cut from Kimlik's one ``street`` value (its
  leading number, and the rest); FEBRL's ``state`` is our ``region``.
* Synthetic: ``surname``/``dob``/``postcode_fake`` are ``last_name``/``birth_date``/
  ``postal_code``; ``birth_place`` becomes ``city``; ``occupation`` has no counterpart.
  Customer data has e-mails and phones, the example's data has neither: they are added as
  comparisons (``EmailComparison``, exact phone with term frequencies) and blocking rules,
  or Splink could never link a newsletter sign-up that has only a first name and an e-mail.

    python bench/resolve/splink_baseline.py --config febrl3 --input records.csv \\
        --clusters clusters.csv --stats stats.json
    python bench/resolve/splink_baseline.py --config febrl3 --input records.csv \\
        --blocking-recall truth.csv --stats blocking.json

The first form is the measured run; the second (not timed) counts the true pairs that
the prediction blocking rules generate, in DuckDB, without scoring them.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

#: Columns of the records file (``run.py`` writes it from the store).
COLUMNS = ("unique_id", "source", "record_id", "first_name", "last_name", "email", "phone",
           "birth_date", "street", "city", "region", "postal_code", "soc_sec_id")  # fmt: skip


@dataclass
class Config:
    """One Splink example, adapted: settings, training steps and thresholds."""

    name: str
    example: str
    link_type: str
    blocking_rules: list[Any]
    comparisons: list[Any]
    deterministic_rules: list[Any]
    deterministic_recall: float
    u_max_pairs: float
    u_seed: int | None
    em_rules: list[Any]
    predict_threshold: float | None
    cluster_threshold: float
    derived: list[str] = field(default_factory=list)  # extra SQL columns the settings use


def febrl3() -> Config:
    import splink.comparison_library as cl
    from splink import block_on

    return Config(
        name="febrl3",
        example="docs/demos/examples/duckdb/febrl3 (dedupe_only)",
        link_type="dedupe_only",
        blocking_rules=[
            block_on("first_name"),
            block_on("last_name"),
            block_on("birth_date"),
            block_on("postal_code"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postal_code").configure(term_frequency_adjustments=True),
        ],
        deterministic_rules=[
            block_on("first_name", "last_name", "birth_date"),
            "l.first_name = r.last_name and l.last_name = r.first_name "
            "and l.birth_date = r.birth_date",
        ],
        deterministic_recall=0.9,
        u_max_pairs=1e6,
        u_seed=2,
        em_rules=[block_on("birth_date"), block_on("postal_code")],
        predict_threshold=0.2,
        cluster_threshold=0.2,  # the example does not cluster: its prediction threshold
        derived=_STREET_PARTS,
    )


def febrl4() -> Config:
    import splink.comparison_library as cl
    from splink import block_on

    return Config(
        name="febrl4",
        example="docs/demos/examples/duckdb/febrl4 (link_only, detailed model)",
        link_type="link_only",
        blocking_rules=[
            block_on("first_name", "last_name"),
            "l.first_name = r.last_name and l.last_name = r.first_name",
            block_on("birth_date"),
            block_on("region", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postal_code"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "birth_date", input_is_string=True, invalid_dates_as_null=True
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postal_code", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        deterministic_rules=[block_on("first_name", "last_name", "birth_date")],
        deterministic_recall=0.8,
        u_max_pairs=1e6,
        u_seed=None,
        em_rules=[block_on("birth_date"), block_on("postal_code")],
        predict_threshold=0.2,
        cluster_threshold=0.99,
        derived=_STREET_PARTS,
    )


def synthetic() -> Config:
    import splink.comparison_library as cl
    from splink import block_on

    return Config(
        name="synthetic",
        example="docs/demos/examples/duckdb/deduplicate_50k_synthetic (dedupe_only)",
        link_type="dedupe_only",
        blocking_rules=[
            block_on("substr(first_name,1,3)", "substr(last_name,1,4)"),
            block_on("last_name", "birth_date"),
            block_on("first_name", "birth_date"),
            block_on("postal_code", "first_name"),
            block_on("postal_code", "last_name"),
            block_on("birth_date", "city"),
            block_on("substr(postal_code,1,3)", "birth_date"),
            block_on("substr(postal_code,1,3)", "first_name"),
            block_on("substr(postal_code,1,3)", "last_name"),
            block_on("substr(first_name,1,2)", "substr(last_name,1,2)", "substr(birth_date,1,4)"),
            block_on("email"),  # added: customer data has e-mails and phones
            block_on("phone"),
        ],
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name",
                "last_name",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.PostcodeComparison("postal_code"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),  # added
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),  # added
        ],
        deterministic_rules=[
            block_on("first_name", "last_name", "birth_date"),
            block_on("substr(first_name,1,2)", "last_name", "substr(postal_code,1,2)"),
            block_on("birth_date", "postal_code"),
        ],
        deterministic_recall=0.6,
        u_max_pairs=1e7,
        u_seed=None,
        em_rules=[block_on("first_name", "last_name"), block_on("birth_date")],
        predict_threshold=None,
        cluster_threshold=0.95,
        derived=["first_name || ' ' || last_name AS first_name_surname_concat"],
    )


def with_soc_sec_id(base: Config, name: str, thresholds: list[int]) -> Config:
    """A FEBRL example as documented: ``soc_sec_id`` blocks, compares and sets the prior."""
    import splink.comparison_library as cl
    from splink import block_on

    rule = block_on("soc_sec_id")
    comparison = cl.DamerauLevenshteinAtThresholds("soc_sec_id", thresholds)
    return replace(
        base,
        name=name,
        example=base.example + ", with soc_sec_id",
        blocking_rules=[rule, *base.blocking_rules],
        comparisons=[*base.comparisons[:3], comparison, *base.comparisons[3:]],
        deterministic_rules=[rule, *base.deterministic_rules],
    )


#: FEBRL's street_number and address_1, cut from Kimlik's single cleaned street.
_STREET_PARTS = [
    r"nullif(regexp_extract(street, '^\s*(\d+)', 1), '') AS street_number",
    r"nullif(trim(regexp_replace(street, '^\s*\d+\s*', '')), '') AS address_1",
]

CONFIGS: dict[str, Callable[[], Config]] = {
    "febrl3": febrl3,
    "febrl4": febrl4,
    "febrl3-ssn": lambda: with_soc_sec_id(febrl3(), "febrl3-ssn", [2]),
    "febrl4-ssn": lambda: with_soc_sec_id(febrl4(), "febrl4-ssn", [1, 2]),
    "synthetic": synthetic,
}


def load(connection: duckdb.DuckDBPyConnection, path: Path, config: Config) -> None:
    """The records file as table ``records`` (every value text, as stored; ids integers)."""
    extra = "".join(f", {expression}" for expression in config.derived)
    connection.execute(
        f"""
        CREATE TABLE records AS
        SELECT * REPLACE (CAST(unique_id AS BIGINT) AS unique_id){extra}
        FROM read_csv(?, header = true, all_varchar = true)
        """,
        [str(path)],
    )


def inputs(connection: duckdb.DuckDBPyConnection, config: Config) -> list[str]:
    """Input table names: one for a dedupe, one per source for link_only."""
    if config.link_type != "link_only":
        return ["records"]
    sources = [
        row[0]
        for row in connection.execute("SELECT DISTINCT source FROM records ORDER BY 1").fetchall()
    ]
    names = []
    for index, source in enumerate(sources):
        name = f"records_{index}"
        connection.execute(
            f"CREATE TABLE {name} AS SELECT * FROM records WHERE source = ?", [source]
        )
        names.append(name)
    return names


def run(config: Config, input_path: Path, clusters_path: Path) -> dict[str, Any]:
    """Train as the example does, predict, cluster; write ``source,record_id,cluster_id``."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 3)
        clock = now

    connection = duckdb.connect(":memory:")
    load(connection, input_path, config)
    tables = inputs(connection, config)
    lap("load")
    settings = SettingsCreator(
        link_type=config.link_type,  # type: ignore[arg-type]
        blocking_rules_to_generate_predictions=config.blocking_rules,
        comparisons=config.comparisons,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    api = DuckDBAPI(connection=connection)
    frames = [api.register(table) for table in tables]
    linker = Linker(frames if len(frames) > 1 else frames[0], settings)
    linker.training.estimate_probability_two_random_records_match(
        config.deterministic_rules, recall=config.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=config.u_max_pairs, seed=config.u_seed
    )
    for rule in config.em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    lap("train")
    predictions = linker.inference.predict(threshold_match_probability=config.predict_threshold)
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=config.cluster_threshold
    )
    lap("cluster")
    connection.execute(
        f"""
        COPY (
            SELECT r.source, r.record_id, c.cluster_id
            FROM {clusters.physical_name} c JOIN records r USING (unique_id)
        ) TO '{_sql_path(clusters_path)}' (HEADER, DELIMITER ',')
        """
    )
    lap("write")
    counted = connection.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()
    return {
        "config": config.name,
        "example": config.example,
        "link_type": config.link_type,
        "predict_threshold": config.predict_threshold,
        "cluster_threshold": config.cluster_threshold,
        "predicted_pairs": int(counted[0]) if counted else None,
        "prior": linker._settings_obj._probability_two_random_records_match,
        "phases_seconds": phases,
    }


def blocking_recall(config: Config, input_path: Path, truth_path: Path) -> dict[str, Any]:
    """Share of true pairs the prediction blocking rules generate (the example's rules).

    The rules' SQL comes from Splink; the pairs are only counted, never scored. Same
    definition as ``metrics.blocking_recall``: distinct unordered pairs of records of one
    person over all true pairs in ``truth.csv`` (records the store rejected count as
    missed); for link_only only pairs across sources are generated, as Splink does.
    """
    from splink.internals.blocking_rule_creator_utils import to_blocking_rule_creator

    connection = duckdb.connect(":memory:")
    load(connection, input_path, config)
    connection.execute(
        """
        CREATE TABLE truth AS
        SELECT r.unique_id, t.person_id
        FROM read_csv(?, header = true, all_varchar = true) t
        JOIN records r USING (source, record_id)
        """,
        [str(truth_path)],
    )
    connection.execute(
        "CREATE TABLE people AS SELECT r.*, t.person_id AS _person FROM records r "
        "JOIN truth t USING (unique_id)"
    )
    across = "AND l.source <> r.source" if config.link_type == "link_only" else ""
    selects = []
    for rule in config.blocking_rules:
        sql = to_blocking_rule_creator(rule).get_blocking_rule("duckdb").blocking_rule_sql
        selects.append(
            f"SELECT l.unique_id AS a, r.unique_id AS b FROM people l JOIN people r "
            f"ON ({sql}) AND l._person = r._person AND l.unique_id < r.unique_id {across}"
        )
    found_row = connection.execute(f"SELECT count(*) FROM ({' UNION '.join(selects)})").fetchone()
    true_row = connection.execute(
        "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n "
        "FROM read_csv(?, header = true, all_varchar = true) GROUP BY person_id)",
        [str(truth_path)],
    ).fetchone()
    found = int(found_row[0]) if found_row else 0
    true_pairs = int(true_row[0]) if true_row else 0
    return {
        "true_pairs": true_pairs,
        "found": found,
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
    }


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), required=True)
    parser.add_argument("--input", type=Path, required=True, help="records CSV from run.py")
    parser.add_argument("--clusters", type=Path, help="write source,record_id,cluster_id here")
    parser.add_argument("--blocking-recall", type=Path, metavar="TRUTH", help="truth.csv")
    parser.add_argument("--stats", type=Path, required=True, help="write figures here (JSON)")
    args = parser.parse_args(argv)
    if (args.clusters is None) == (args.blocking_recall is None):
        parser.error("give exactly one of --clusters and --blocking-recall")
    logging.getLogger("splink").setLevel(logging.WARNING)
    warnings.simplefilter("ignore")  # Splink warns about untrained levels on small data
    config = CONFIGS[args.config]()
    if args.clusters is not None:
        stats = run(config, args.input, args.clusters)
    else:
        stats = blocking_recall(config, args.input, args.blocking_recall)
    args.stats.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
