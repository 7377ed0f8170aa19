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

#: Candidate pairs come from records agreeing on any of these (one key per tuple).
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("email_key",),
    ("phone",),
    ("phone_suffix",),
    ("email_local",),
    ("first_name_canon", "last_name_key"),
    ("first_name_metaphone", "last_name_metaphone"),
    ("last_name_key", "birth_date"),
    ("first_name_key", "birth_date"),
    ("birth_date", "postal_code_key"),
    ("address_key", "first_name_metaphone"),
    ("last_name_metaphone", "postal_code_key"),
    ("first_name_key", "postal_code_key"),
    ("first_name_metaphone", "birth_date"),
    ("street_key", "city_key"),
    ("first_name_canon", "birth_year_hint"),
)
#: Keys that only pair records meeting a condition (``p`` and ``r``: the two records).
KEY_CONDITIONS: dict[tuple[str, ...], str] = {
    # a year read from an address meets a birth year or another address's year; two
    # birth dates already meet through the keys above, and first name + year alone would
    # pair every Zeynep born in 1990 with every other
    ("first_name_canon", "birth_year_hint"): 'p."birth_year" IS NULL OR r."birth_year" IS NULL',
}
#: Personal identifiers: a pair sharing one links unless the clustering finds a conflict.
IDENTIFIER_COLUMNS: tuple[str, ...] = ("email_key", "phone", "external_id")
#: Identifiers a person declared personal (``KIMLIK_RESOLVE_IDENTIFIERS``): sharing one, or
#: one a typo away when the rest of the evidence links the pair too, outweighs a
#: conflicting name or birth date, which is then taken for a typing error.
TRUSTED_COLUMNS: tuple[str, ...] = ("external_id",)
#: Identifiers blocked with their one-edit neighbourhood: a typo must not hide a person.
TYPO_KEYS: tuple[str, ...] = ("email_key", "phone", "external_id")
#: Ways a record spells its person's name in one word, as SQL over the feature columns,
#: and whether a typo in it is looked for: the full name, its nickname-canonical form, the
#: names reversed, first name and the family surname of the address, and the letters of
#: the address itself unless they are only the first name
#: ("richard1954@…" names a crowd). Spellings share one key space, so a sign-up
#: known only as "ecemkarakaya@…" meets Ecem Karakaya of the CRM, "sultan_sahin@…" meets
#: Sultan Şahin and "gencer.mustafa@…" Mustafa Gencer.
NAME_SPELLINGS: tuple[tuple[str, bool], ...] = (
    ('"first_name_key" || "last_name_key"', True),
    ('"first_name_canon" || "last_name_key"', False),
    ('"last_name_key" || "first_name_key"', False),
    ('"first_name_key" || "email_surname"', False),
    ('"email_spelling"', True),
)
#: Shorter spellings (a bare "mary" address) describe a crowd of people, not one.
_MIN_SPELLING = 6
#: Shortest initial + surname worth a candidate ("akaya"; "ayi" is noise).
_MIN_INITIALS = 5
#: A first/last swap cannot be an equi-join on one key: its own rule.
SWAPPED_KEY = ("first_name_key", "last_name_key")
#: A pair whose names are swapped on one side (typos allowed) is compared aligned, so the
#: swap scores exactly like the same names in order, frequency adjustment included,
#: instead of as a rare level that counts the names twice.
_SWAPPED_NAMES = (
    'l."first_name_key" <> r."first_name_key" '
    'AND jaro_winkler_similarity(l."first_name_key", r."last_name_key") >= 0.92 '
    'AND jaro_winkler_similarity(l."last_name_key", r."first_name_key") >= 0.92'
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


def candidate_pairs_sql(records: str, probes: str, variants: str, *, max_block: int) -> str:
    """Pairs (rid_l < rid_r) where a probe record shares a blocking key with any record.

    Keys shared by more than ``max_block`` records are skipped: they describe a crowd
    (a placeholder that slipped through, a call-centre number), not a person. Only the
    probes' own keys are counted, so a few probes cost little in a large store.
    ``variants`` is the ``(rid, v)`` table of ``typo_variants_sql`` over ``records``.
    """
    selects: list[str] = []
    ctes: list[str] = []  # per key: the probes' values that are no crowd
    for number, key in enumerate(BLOCKING_KEYS):
        on = " AND ".join(f'p."{c}" = r."{c}"' for c in key)
        columns = ", ".join(f'"{c}"' for c in key)
        probe_not_null = " AND ".join(f'p."{c}" IS NOT NULL' for c in key)
        probe_keys = f'SELECT DISTINCT {columns} FROM "{probes}" p WHERE {probe_not_null}'
        same = " AND ".join(f'k."{c}" = r."{c}"' for c in key)
        counted = ", ".join(f'r."{c}"' for c in key)
        ctes.append(
            f'keys_{number} AS (SELECT {counted} FROM "{records}" r JOIN ({probe_keys}) k '
            f"ON {same} GROUP BY {counted} HAVING count(*) <= {max_block})"
        )
        # Both sides keep only the probes' keys that are no crowd, before the join: joined
        # first, a key a thousand records share makes a million pairs only to throw them
        # away, and an incremental run must not read the whole store to find its few keys.
        only = f"WHERE {KEY_CONDITIONS[key]}" if key in KEY_CONDITIONS else ""
        selects.append(
            f"SELECT p.rid AS a, r.rid AS b FROM ({_keyed(probes, key, number)}) p "
            f"JOIN ({_keyed(records, key, number)}) r ON {on} AND p.rid <> r.rid {only}"
        )
    # The variants table is the largest (dozens of rows a record): read it once, for the
    # rows that share a value with a probe, and count and join those.
    ctes.append(
        f'typo_probes AS (SELECT v.rid, v.v FROM "{variants}" v JOIN "{probes}" p USING (rid)), '
        f'typo_hits AS MATERIALIZED (SELECT rid, v FROM "{variants}" '
        "SEMI JOIN (SELECT DISTINCT v FROM typo_probes) USING (v)), "
        f"typo_keys AS (SELECT v FROM typo_hits GROUP BY v HAVING count(*) <= {max_block})"
    )
    selects.append(
        "SELECT p.rid AS a, r.rid AS b "
        "FROM (SELECT rid, v FROM typo_probes SEMI JOIN typo_keys USING (v)) p "
        "JOIN (SELECT rid, v FROM typo_hits SEMI JOIN typo_keys USING (v)) r "
        "ON p.v = r.v AND p.rid <> r.rid"
    )
    selects.extend(_initial_pairs(records, probes, ctes, max_block=max_block))
    first, last = SWAPPED_KEY
    selects.append(
        f'SELECT p.rid AS a, r.rid AS b FROM "{probes}" p JOIN "{records}" r '
        f'ON p."{first}" = r."{last}" AND p."{last}" = r."{first}" AND p.rid <> r.rid '
        f'WHERE p."{first}" <> p."{last}"'
    )
    union = "\nUNION ALL\n".join(selects)
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT DISTINCT least(a, b) AS rid_l, greatest(a, b) AS rid_r FROM ({union})"
    )


def _keyed(table: str, key: tuple[str, ...], number: int) -> str:
    """The rows of ``table`` whose ``key`` is one of ``keys_{number}``."""
    columns = ", ".join(f'"{c}"' for c in key)
    return f'SELECT * FROM "{table}" SEMI JOIN keys_{number} USING ({columns})'


def _initial_pairs(records: str, probes: str, ctes: list[str], *, max_block: int) -> list[str]:
    """Pairs where one record's address spells the other's initial and surname.

    "rhaliloglu@…" meets Ramazan Haliloğlu. Records never meet each other on their
    initials alone: every A. Kaya of a large store would pair with every other. As for
    the other keys, both sides keep only the probes' values that are no crowd.
    """

    def initials(alias: str) -> str:
        return f'left({alias}."first_name_key", 1) || {alias}."last_name_key"'

    named = (
        f'SELECT rid, {initials("n")} AS k FROM "{records}" n '
        f"WHERE length({initials('n')}) >= {_MIN_INITIALS}"
    )
    wanted = (
        f'SELECT "email_spelling" FROM "{probes}" UNION SELECT {initials("q")} FROM "{probes}" q'
    )
    ctes.append(
        f"initials_keys AS (SELECT k FROM ({named}) WHERE k IN ({wanted}) "
        f"GROUP BY k HAVING count(*) <= {max_block})"
    )
    return [
        # a probe's address against the records' initials ...
        f'SELECT p.rid AS a, r.rid AS b FROM "{probes}" p '
        f'JOIN ({named}) r ON p."email_spelling" = r.k AND p.rid <> r.rid '
        "WHERE r.k IN (SELECT k FROM initials_keys)",
        # ... and a probe's initials against the records' addresses
        f'SELECT p.rid AS a, r.rid AS b FROM "{probes}" p JOIN "{records}" r '
        f'ON {initials("p")} = r."email_spelling" AND p.rid <> r.rid '
        'WHERE r."email_spelling" IN (SELECT k FROM initials_keys)',
    ]


def typo_variants_sql(table: str) -> str:
    """``(rid, v)``: each typo key's value and every one-character deletion of it, hashed,
    and likewise the record's name spellings (``NAME_SPELLINGS``).

    Two values one edit apart (a substitution, insertion, deletion or swap of neighbours)
    always share a variant (the symmetric-delete trick), so an equi-join finds them. A
    64-bit hash instead of the text keeps ~60 variants a record small (a million records:
    several GB of text) and the join on integers fast; a collision only adds a candidate.
    """
    parts = []
    for number, column in enumerate(TYPO_KEYS):
        values = f'SELECT rid, "{column}" AS s FROM "{table}" WHERE "{column}" IS NOT NULL'
        parts.extend(_hashed(values, f"{number}:", deletions=True))
    for spelling, deletions in NAME_SPELLINGS:
        values = (
            f'SELECT rid, s FROM (SELECT rid, {spelling} AS s FROM "{table}") '
            f"WHERE length(s) >= {_MIN_SPELLING}"
        )
        parts.extend(_hashed(values, "name:", deletions=deletions))
    return "SELECT DISTINCT rid, v FROM (" + " UNION ALL ".join(parts) + ")"


def _hashed(values: str, namespace: str, *, deletions: bool) -> list[str]:
    """The hashed value of each ``(rid, s)`` row of ``values``, and of its deletions."""
    parts = [f"SELECT rid, hash('{namespace}' || s) AS v FROM ({values})"]
    if deletions:
        parts.append(
            f"SELECT rid, hash('{namespace}' || substr(s, 1, i - 1) || substr(s, i + 1)) AS v "
            f"FROM ({values}) JOIN range(1, 255) AS positions(i) ON i <= length(s)"
        )
    return parts


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
    gammas, weights = [], []
    for comparison in compared:
        gamma_cases, weight_cases = [], []
        count = len(comparison.levels)
        for index, level in enumerate(comparison.levels):
            gamma = -1 if level.is_null else count - 1 - index
            is_else = level.condition.strip().upper() == "ELSE"
            when = "ELSE" if is_else else f"WHEN {level.condition} THEN"
            gamma_cases.append(f"{when} {gamma}")
            weight_cases.append(f"{when} {_level_weight(level)}")
        gammas.append(f'CASE {" ".join(gamma_cases)} END AS "gamma_{comparison.name}"')
        weights.append(f"CASE {' '.join(weight_cases)} END")
    total = f"{prior_weight(model)!r} + " + " + ".join(weights)
    shared = " OR ".join(f'coalesce("{c}_l" = "{c}_r", false)' for c in IDENTIFIER_COLUMNS)
    trusted = " OR ".join(
        f'coalesce(damerau_levenshtein("{c}_l", "{c}_r") <= 1, false)' for c in TRUSTED_COLUMNS
    )
    return (
        f"SELECT rid_l, rid_r, {', '.join(gammas)}, ({total}) AS match_weight, "
        f"({shared}) AS shared_identifier, ({trusted}) AS shared_trusted FROM ({joined})"
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
