"""Small pure comparisons for scoring a pair of records in process (the online matcher).

The batch matcher compares columns in SQL; these helpers answer the same questions for
one pair at a time, and are the reference the SQL comparisons are tested against.
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz.distance import JaroWinkler

from kimlik.standardize.text import fold_key


def dates_compatible(a: dt.date | None, b: dt.date | None) -> bool | None:
    """Whether two birth dates can be one person's; ``None`` when either is missing.

    True when equal, when day and month are swapped (a DMY file read as MDY), when only
    the year is one off (a birth year worked out from an age, or 1989 typed for 1990), or
    when the ISO texts differ by one typo: one digit (1985-03-14 vs 1986-03-14) or two
    adjacent digits swapped (1985 vs 1958), as the SQL comparison's Damerau-Levenshtein <= 1.
    """
    if a is None or b is None:
        return None
    if a == b:
        return True
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return True
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return True
    text_a, text_b = a.isoformat(), b.isoformat()
    if len(text_a) != len(text_b):
        return False
    differ = [i for i, (x, y) in enumerate(zip(text_a, text_b, strict=True)) if x != y]
    if len(differ) == 1:
        return True
    first = differ[0]
    return (
        len(differ) == 2
        and differ[1] == first + 1
        and (text_a[first], text_a[first + 1]) == (text_b[first + 1], text_b[first])
    )


def jaro_winkler(a: str | None, b: str | None) -> float:
    """Jaro-Winkler similarity in [0, 1]; 0.0 when either side is missing or empty.

    Two empty strings are not evidence of anything, so they score 0, not 1.
    """
    if not a or not b:
        return 0.0
    return float(JaroWinkler.normalized_similarity(a, b))


def names_transposed(
    first_a: str | None, last_a: str | None, first_b: str | None, last_b: str | None
) -> bool:
    """True when record b has record a's first and last names the other way round.

    Compared as ``fold_key`` ("Yılmaz Ayşe" vs "Ayse Yilmaz"). A name whose first and
    last name are the same cannot show a transposition, so it gives False.
    """
    keys = [fold_key(name) if name else "" for name in (first_a, last_a, first_b, last_b)]
    if not all(keys):
        return False
    fa, la, fb, lb = keys
    return fa != la and fa == lb and la == fb
