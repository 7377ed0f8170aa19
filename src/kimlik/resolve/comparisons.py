"""What the model compares: customer-aware comparisons over the match-feature columns.

Each comparison is a list of levels, strongest first; Splink learns how much each level
says (its m and u probabilities) from the data, and ``scoring`` turns the trained levels
back into SQL. Everything here is dialect-free data except the few DuckDB functions named
in the level conditions (``jaro_winkler_similarity``, ``damerau_levenshtein``,
``levenshtein``, ``hamming``), which Splink provides on Spark as UDFs. Nothing here
imports Splink: the dictionaries are its documented settings format.

Deliberate choices:
- Shared identifiers are term-frequency adjusted: a family email or a landline that five
  records carry says much less than a personal one, which is what keeps households apart.
- Address and postal code are one comparison (``address_key``): they are correlated, and
  counting them twice made Splink over-confident (GUIDE §5).
- A first/last name swap is not a level: ``scoring`` aligns the pair before comparing, so
  a swap scores like the names in order (a level of its own counted both names twice).
"""

from __future__ import annotations

from typing import Any


def _level(sql: str, label: str, *, tf_column: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf_column is not None:
        level.update(tf_adjustment_column=tf_column, tf_adjustment_weight=1.0)
    return level


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
        "label_for_charts": f"{column} missing",
        "is_null_level": True,
    }


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "all other comparisons"}


def one_edit(left: str, right: str) -> str:
    """SQL: ``damerau_levenshtein(left, right) <= 1``, worked out mostly without it.

    The edit distance fills a table of every byte against every byte and was most of the
    scoring time (18M pairs at a million records: 40 of 53 s for email and phone). Equal
    lengths can only be one substitution (Hamming distance 1) or one swap of neighbours
    (Hamming distance 2, then the edit distance decides); lengths one apart can only be one
    insertion (Levenshtein, five times cheaper). DuckDB measures all three in bytes, so
    the result is exactly the edit distance's. Each test is a ``WHEN`` of its own: DuckDB
    evaluates a ``WHEN`` only for the rows earlier ones left, but both sides of an ``OR``
    or ``AND`` computed as a value for every row.
    """
    width = f"strlen({left}) - strlen({right})"
    return (
        f"CASE WHEN {width} <> 0 THEN "
        f"(CASE WHEN abs({width}) = 1 THEN levenshtein({left}, {right}) <= 1 ELSE false END) "
        f"WHEN {left} = {right} THEN true "  # hamming refuses two empty strings
        f"WHEN hamming({left}, {right}) <= 1 THEN true "
        f"WHEN hamming({left}, {right}) = 2 THEN damerau_levenshtein({left}, {right}) <= 1 "
        "ELSE false END"
    )


def one_typo_apart(column: str) -> str:
    """SQL: the two sides of a pair's ``column`` are at most one edit apart."""
    return one_edit(f'"{column}_l"', f'"{column}_r"')


def _jw(column: str, threshold: float) -> str:
    return f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {threshold}'


def first_name() -> dict[str, Any]:
    """Exact, nickname (Bob/Robert), close spelling, sound (a swap is aligned in ``scoring``)."""
    return {
        "output_column_name": "first_name",
        "comparison_levels": [
            _null("first_name_key"),
            _level('"first_name_key_l" = "first_name_key_r"', "exact", tf_column="first_name_key"),
            _level('"first_name_canon_l" = "first_name_canon_r"', "nickname"),
            _level(_jw("first_name_key", 0.92), "jaro-winkler >= 0.92"),
            _level('"first_name_metaphone_l" = "first_name_metaphone_r"', "sounds alike"),
            _level(_jw("first_name_key", 0.8), "jaro-winkler >= 0.8"),
            _else(),
        ],
    }


def last_name() -> dict[str, Any]:
    """Exact (frequency-adjusted), close spelling, sound."""
    return {
        "output_column_name": "last_name",
        "comparison_levels": [
            _null("last_name_key"),
            _level('"last_name_key_l" = "last_name_key_r"', "exact", tf_column="last_name_key"),
            _level(_jw("last_name_key", 0.92), "jaro-winkler >= 0.92"),
            _level('"last_name_metaphone_l" = "last_name_metaphone_r"', "sounds alike"),
            _level(_jw("last_name_key", 0.8), "jaro-winkler >= 0.8"),
            _else(),
        ],
    }


def email() -> dict[str, Any]:
    """Matching key (frequency-adjusted: family addresses count less), a typo, the local part.

    A typo changes a letter; two addresses that differ only in a separator or a digit
    (``zuhal.celik``/``zuhal_celik``) are usually two namesakes, so they are not a typo.
    Nor are two addresses that each spell their own record's name: one letter apart
    (``gokhan.arslan``/``gokhan.aslan``, ``sara_walker``/``sarahwalker``), they differ
    because the names do, which the name comparisons already count.
    """
    # An address that only spells the name agrees with a namesake's: no evidence of its own.
    unnamed = 'coalesce("email_named_l", 0) = 0 AND coalesce("email_named_r", 0) = 0'
    one_named = 'NOT (coalesce("email_named_l", 0) = 1 AND coalesce("email_named_r", 0) = 1)'
    # Cheap tests first: DuckDB stops at the first false one, and the edit distance is the
    # dearest function in the scoring (evaluated first, it cost a third of the scoring).
    typo = (
        f'"email_letters_l" <> "email_letters_r" AND {one_named} AND {one_typo_apart("email_key")}'
    )
    return {
        "output_column_name": "email",
        "comparison_levels": [
            _null("email_key"),
            _level('"email_key_l" = "email_key_r"', "exact", tf_column="email_key"),
            _level(typo, "one typo"),
            _level(f'{unnamed} AND "email_local_l" = "email_local_r"', "same local part"),
            _level(f"{unnamed} AND {_jw('email_local', 0.88)}", "similar local part"),
            _else(),
        ],
    }


def phone() -> dict[str, Any]:
    """E.164 (frequency-adjusted: shared landlines count less), a typo, the last seven digits."""
    return {
        "output_column_name": "phone",
        "comparison_levels": [
            _null("phone"),
            _level('"phone_l" = "phone_r"', "exact", tf_column="phone"),
            _level(one_typo_apart("phone"), "one typo"),
            _level('"phone_suffix_l" = "phone_suffix_r"', "same last 7 digits"),
            _else(),
        ],
    }


def birth_date() -> dict[str, Any]:
    """Exact, day/month swapped, one typo, a year off, same year; else strong evidence."""
    swapped = (
        '"birth_year_l" = "birth_year_r" AND "birth_month_l" = "birth_day_r" '
        'AND "birth_day_l" = "birth_month_r"'
    )
    # one changed or two swapped digits leave two of year, month and day as they were
    year, month, day = (f'"birth_{part}_l" = "birth_{part}_r"' for part in ("year", "month", "day"))
    date_typo = (
        f"({year} AND ({month} OR {day}) OR {month} AND {day}) AND {one_typo_apart('birth_date')}"
    )
    year_off = f'{month} AND {day} AND abs("birth_year_l" - "birth_year_r") = 1'
    return {
        "output_column_name": "birth_date",
        "comparison_levels": [
            _null("birth_date"),
            _level('"birth_date_l" = "birth_date_r"', "exact", tf_column="birth_date"),
            _level(swapped, "day and month swapped"),
            _level(date_typo, "one typo"),
            _level(year_off, "year one off"),
            _level('"birth_year_l" = "birth_year_r"', "same year"),
            _else(),
        ],
    }


def address() -> dict[str, Any]:
    """Street and postal code folded into one comparison, then city.

    A similar street under another (or no) postal code is its own level: a mistyped postal
    code should not make a street match worth no more than sharing a city.
    """
    return {
        "output_column_name": "address",
        "comparison_levels": [
            {
                "sql_condition": (
                    '("address_key_l" IS NULL OR "address_key_r" IS NULL) '
                    'AND ("city_key_l" IS NULL OR "city_key_r" IS NULL)'
                ),
                "label_for_charts": "address missing",
                "is_null_level": True,
            },
            _level('"address_key_l" = "address_key_r"', "exact", tf_column="address_key"),
            _level(
                '"postal_code_key_l" = "postal_code_key_r" AND ' + _jw("street_key", 0.9),
                "similar street, same postal code",
            ),
            _level('"postal_code_key_l" = "postal_code_key_r"', "same postal code"),
            # a mistyped or missing postal code on the same street
            _level(_jw("street_key", 0.9), "similar street, other postal code"),
            _level('"city_key_l" = "city_key_r"', "same city"),
            _else(),
        ],
    }


def external_id() -> dict[str, Any]:
    """A configured identifier (loyalty card, national id): exact, or one typo."""
    return {
        "output_column_name": "external_id",
        "comparison_levels": [
            _null("external_id"),
            _level('"external_id_l" = "external_id_r"', "exact", tf_column="external_id"),
            _level(one_typo_apart("external_id"), "one typo"),
            _else(),
        ],
    }


def comparisons() -> list[dict[str, Any]]:
    """All comparisons, as Splink comparison dictionaries."""
    return [first_name(), last_name(), email(), phone(), birth_date(), address(), external_id()]


def training_blocks() -> list[str]:
    """Blocking rules for EM sessions: each leaves other comparisons free to be learnt."""
    return [
        _block("email_key"),
        _block("phone"),
        _block("first_name_key", "last_name_key"),
        _block("birth_date", "postal_code_key"),
    ]


def _block(*columns: str) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in columns)
