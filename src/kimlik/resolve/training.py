"""Training the Fellegi–Sunter model without labels: the one place Splink runs.

Splink learns, from the records themselves, how often each comparison level occurs among
true matches (m, by expectation maximisation inside blocks) and among random pairs (u,
by sampling). The result is plain JSON (Splink's own model format), stored with the run
that used it; ``scoring`` turns it into SQL, so prediction and incremental runs do not
need Splink, and the same model can be scored on DuckDB or Spark.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from kimlik.resolve.comparisons import comparisons, training_blocks

#: Deterministic rules used to estimate the prior (two random records being one person).
_PRIOR_RULES: list[Any] = [
    'l."email_key" = r."email_key"',
    'l."phone" = r."phone"',
    'l."first_name_key" = r."first_name_key" AND l."last_name_key" = r."last_name_key" '
    'AND l."birth_date" = r."birth_date"',
]
#: Below this many records the sample for u-probabilities is the whole cross product.
_SMALL = 2_000


def train_model(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    *,
    records: int,
    max_pairs: float = 1_000_000,
    seed: int = 7,
) -> dict[str, Any]:
    """Train on ``table`` (one row per record: ``rid`` plus the feature columns)."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rid",
        comparisons=comparisons(),  # type: ignore[arg-type]
        blocking_rules_to_generate_predictions=[],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
        probability_two_random_records_match=min(0.5, max(1e-4, 1.0 / max(records, 1))),
    )
    api = DuckDBAPI(connection=connection)
    pairs = min(max_pairs, max(records * (records - 1) / 2, 1.0))
    with _quiet():
        frame = api.register(table)
        linker = Linker(frame, settings, log_level=logging.WARNING)
        try:
            linker.training.estimate_probability_two_random_records_match(
                list(_PRIOR_RULES), recall=0.7
            )
        except ValueError:
            # Tiny data: the exact rules already find "more matches than recall allows";
            # keep the settings' prior (about one match per record) rather than fail.
            pass
        linker.training.estimate_u_using_random_sampling(
            max_pairs=pairs, seed=seed, min_count_per_level=None if records < _SMALL else 100
        )
        for rule in _usable_blocks(connection, table):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, record_sample_proportion=1.0
            )
        model: dict[str, Any] = linker.misc.save_model_to_json()
        # Splink's working tables would otherwise stay in the match index file: hundreds
        # of MB of training pairs that no later run reads.
        linker.table_management.delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
    return model


#: EM inside a block needs enough pairs to say anything; fewer and the block is skipped.
_MIN_EM_PAIRS = 50


def _usable_blocks(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The training blocks that produce enough pairs in this data (none is guaranteed)."""
    usable = []
    for rule in training_blocks():
        sql = f'SELECT count(*) FROM "{table}" l JOIN "{table}" r ON {rule} AND l.rid < r.rid'
        row = connection.execute(sql).fetchone()
        if row is not None and row[0] >= _MIN_EM_PAIRS:
            usable.append(rule)
    return usable


@contextmanager
def _quiet() -> Iterator[None]:
    """Splink talks a lot at INFO and warns about untrained levels on small data."""
    names = ["splink", *(n for n in logging.root.manager.loggerDict if n.startswith("splink."))]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
