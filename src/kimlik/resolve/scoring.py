"""SQL that finds candidate pairs and scores them with a trained model: the "how".

Pure functions from the model JSON and the blocking keys to SQL text; ``engine`` runs it.
The same SQL serves the full run (every record is "new") and the incremental run (only
new and changed records look for partners), which is what makes the two paths agree.

Scoring is Fellegi–Sunter as Splink defines it: the prior odds times, per comparison, the
Bayes factor m/u of the level the pair falls in; exact levels with a term-frequency column
use the value's own frequency instead of the average u, so a shared family email or a
"Smith" counts for less than a rare value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kimlik.resolve.comparisons import one_typo_apart

#: Personal identifiers: a pair sharing one links unless the clustering finds a conflict.
IDENTIFIER_COLUMNS: tuple[str, ...] = ("email_key", "phone", "external_id")
#: Identifiers a person declared personal (``KIMLIK_RESOLVE_IDENTIFIERS``): sharing one, or
#: one a typo away when the rest of the evidence links the pair too, outweighs a
#: conflicting name or birth date, which is then taken for a typing error.
TRUSTED_COLUMNS: tuple[str, ...] = ("external_id",)
#: A pair whose names are swapped on one side (typos allowed) is compared aligned, so the
#: swap scores exactly like the same names in order, frequency adjustment included,
#: instead of as a rare level that counts the names twice.
#: (A ``WHEN`` condition: DuckDB stops at its first false term there, but computes every
#: term of an ``AND`` given as a value, two similarities for every pair.)
_SWAPPED_NAMES = (
    'CASE WHEN l."first_name_key" <> r."first_name_key" '
    'AND jaro_winkler_similarity(l."first_name_key", r."last_name_key") >= 0.92 '
    'AND jaro_winkler_similarity(l."last_name_key", r."first_name_key") >= 0.92 '
    "THEN true ELSE false END"
)
_NAME_SWAP = {
    "first_name_key": "last_name_key",
    "last_name_key": "first_name_key",
    "first_name_canon": "last_name_key",
    "first_name_metaphone": "last_name_metaphone",
    "last_name_metaphone": "first_name_metaphone",
    "tf_first_name_key": "tf_last_name_key",
    "tf_last_name_key": "tf_first_name_key",
}
#: Probabilities are clamped so that an unseen level weighs a lot, not infinitely.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Level:
    """One comparison level, ready to score: its condition and log2 Bayes factor."""

    condition: str
    label: str
    weight: float
    is_null: bool
    tf_column: str | None
    tf_weight: float
    u: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """A named comparison and its levels, strongest first."""

    name: str
    levels: tuple[Level, ...]


def comparisons_of(model: dict[str, Any]) -> list[Comparison]:
    """The model's comparisons with each level's weight (0 for null or untrained levels)."""
    result = []
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            is_null = bool(level.get("is_null_level"))
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = 0.0
            if not is_null and m is not None and u is not None:
                weight = math.log2(max(m, _EPSILON) / max(u, _EPSILON))
            levels.append(
                Level(
                    condition=str(level["sql_condition"]),
                    label=str(level.get("label_for_charts", "")),
                    weight=weight,
                    is_null=is_null,
                    tf_column=level.get("tf_adjustment_column"),
                    tf_weight=float(level.get("tf_adjustment_weight") or 0.0),
                    u=max(float(u), _EPSILON) if u is not None else 1.0,
                )
            )
        result.append(Comparison(str(comparison["output_column_name"]), tuple(levels)))
    return result


def prior_weight(model: dict[str, Any]) -> float:
    """log2 of the prior odds that two random records are one person."""
    p = float(model.get("probability_two_random_records_match") or 1e-4)
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def tf_columns(model: dict[str, Any]) -> list[str]:
    """Columns whose value frequencies the scorer needs."""
    return sorted({lv.tf_column for c in comparisons_of(model) for lv in c.levels if lv.tf_column})


def add_frequencies_sql(
    target: str, source: str, columns: Sequence[str], *, floor: int = 1
) -> list[str]:
    """Statements adding ``tf_<column>`` to ``target``: how often its value occurs in ``source``.

    ``target`` is the few records being scored, ``source`` every record: frequencies are
    counted only for the values the target holds, so an incremental run does not count
    the whole store. They are counted over at least ``floor`` records: in a store of four
    people, a phone all four share is not "common", the store is just small.
    """
    statements = []
    for column in columns:
        statements.append(f'ALTER TABLE "{target}" ADD COLUMN IF NOT EXISTS "tf_{column}" DOUBLE')
        statements.append(
            f'UPDATE "{target}" SET "tf_{column}" = f.n * 1.0 / greatest(('
            f'SELECT count("{column}") FROM "{source}"), {int(floor)}) FROM ('
            f'SELECT "{column}" AS v, count(*) AS n FROM "{source}" '
            f'WHERE "{column}" IN (SELECT "{column}" FROM "{target}") GROUP BY "{column}") f '
            f'WHERE "{target}"."{column}" = f.v'
        )
    return statements


def score_sql(
    model: dict[str, Any], records: str, pairs: str, feature_columns: Sequence[str]
) -> str:
    """Each pair with its match weight, probability and the level of every comparison."""
    compared = list(comparisons_of(model))
    tf = tf_columns(model)
    columns = [*feature_columns, *(f"tf_{c}" for c in tf)]
    raw = ", ".join(
        f'l."{column}" AS "{column}_l", r."{column}" AS "raw_{column}_r"' for column in columns
    )
    raw_pairs = (
        f"SELECT p.rid_l, p.rid_r, {raw}, ({_SWAPPED_NAMES}) AS swapped "
        f'FROM "{pairs}" p JOIN "{records}" l ON l.rid = p.rid_l '
        f'JOIN "{records}" r ON r.rid = p.rid_r'
    )
    aligned = []
    for column in columns:
        partner = _NAME_SWAP.get(column)
        if partner in columns:
            aligned.append(
                f'CASE WHEN swapped THEN "raw_{partner}_r" ELSE "raw_{column}_r" END '
                f'AS "{column}_r"'
            )
        else:
            aligned.append(f'"raw_{column}_r" AS "{column}_r"')
    lefts = ", ".join(f'"{column}_l"' for column in columns)
    joined = f"SELECT rid_l, rid_r, {lefts}, {', '.join(aligned)} FROM ({raw_pairs})"
    # Each level's condition is evaluated once, into its gamma; the weights are then read
    # off the gammas by integer comparison. (Conditions in two CASE lists, one for the
    # gamma and one for the weight, computed every string similarity twice.)
    gammas, weights = [], []
    for comparison in compared:
        gamma_cases, weight_cases = [], []
        count = len(comparison.levels)
        for index, level in enumerate(comparison.levels):
            gamma = -1 if level.is_null else count - 1 - index
            is_else = level.condition.strip().upper() == "ELSE"
            when = "ELSE" if is_else else f"WHEN {level.condition} THEN"
            gamma_cases.append(f"{when} {gamma}")
            weight_cases.append(f"WHEN {gamma} THEN {_level_weight(level)}")
        gammas.append(f'CASE {" ".join(gamma_cases)} END AS "gamma_{comparison.name}"')
        weights.append(f'CASE "gamma_{comparison.name}" {" ".join(weight_cases)} END')
    total = f"{prior_weight(model)!r} + " + " + ".join(weights)
    shared = " OR ".join(f'coalesce("{c}_l" = "{c}_r", false)' for c in IDENTIFIER_COLUMNS)
    trusted = " OR ".join(f"coalesce({one_typo_apart(c)}, false)" for c in TRUSTED_COLUMNS)
    frequencies = ", ".join(f'"tf_{c}_l", "tf_{c}_r"' for c in tf)
    levels = (
        f"SELECT rid_l, rid_r, {', '.join(gammas)}, {frequencies}{', ' if tf else ''}"
        f"({shared}) AS shared_identifier, ({trusted}) AS shared_trusted FROM ({joined})"
    )
    names = ", ".join(f'"gamma_{comparison.name}"' for comparison in compared)
    return (
        f"SELECT rid_l, rid_r, {names}, ({total}) AS match_weight, "
        f"shared_identifier, shared_trusted FROM ({levels})"
    )


def _level_weight(level: Level) -> str:
    if level.tf_column is None or level.tf_weight == 0:
        return repr(level.weight)
    tf = f'greatest("tf_{level.tf_column}_l", "tf_{level.tf_column}_r")'
    adjust = f"{level.tf_weight!r} * log2({level.u!r} / greatest({tf}, {_EPSILON!r}))"
    return f"({level.weight!r} + coalesce({adjust}, 0.0))"


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> level label, to explain a pair to people."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in comparisons_of(model):
        count = len(comparison.levels)
        labels[comparison.name] = {
            (-1 if lv.is_null else count - 1 - i): lv.label
            for i, lv in enumerate(comparison.levels)
        }
    return labels


def probability(match_weight: float) -> float:
    """Match weight (log2 odds) to probability."""
    if match_weight > 60:
        return 1.0
    odds: float = 2.0**match_weight
    return odds / (1.0 + odds)
