"""Cases for the in-process pair comparisons."""

from __future__ import annotations

import datetime as dt

import pytest

from kimlik.resolve.similarity import dates_compatible, jaro_winkler, names_transposed

D = dt.date
DATES = [
    ("equal", D(1985, 3, 14), D(1985, 3, 14), True),
    ("day and month swapped", D(1985, 3, 4), D(1985, 4, 3), True),
    ("swap needs the same year", D(1985, 3, 4), D(1986, 4, 3), False),
    ("one-digit typo in the year", D(1985, 3, 14), D(1986, 3, 14), True),
    ("one-digit typo in the day", D(1985, 3, 14), D(1985, 3, 15), True),
    ("one-digit typo in the month", D(1985, 3, 14), D(1985, 8, 14), True),
    ("two digits differ", D(1985, 3, 14), D(1985, 3, 25), False),
    ("different decade and day", D(1985, 3, 14), D(1975, 3, 15), False),
    ("ten years apart is one digit", D(1985, 3, 14), D(1975, 3, 14), True),
    ("a year off across a decade", D(1990, 6, 20), D(1989, 6, 20), True),
    ("two years off across a decade", D(1990, 6, 20), D(1988, 6, 20), False),
    ("a year off needs the same day", D(1990, 6, 20), D(1989, 6, 21), False),
    ("first missing", None, D(1985, 3, 14), None),
    ("second missing", D(1985, 3, 14), None, None),
    ("both missing", None, None, None),
]


@pytest.mark.parametrize(("a", "b", "expected"), [c[1:] for c in DATES], ids=[c[0] for c in DATES])
def test_dates_compatible(a: dt.date | None, b: dt.date | None, expected: bool | None) -> None:
    assert dates_compatible(a, b) is expected
    assert dates_compatible(b, a) is expected


JARO_WINKLER = [
    ("identical", "martha", "martha", 1.0, 1.0),
    ("transposed letters", "martha", "marhta", 0.96, 0.97),
    ("unrelated", "ayse", "robert", 0.0, 0.5),
    ("empty side", "", "martha", 0.0, 0.0),
    ("both empty is no evidence", "", "", 0.0, 0.0),
    ("missing side", None, "martha", 0.0, 0.0),
]


@pytest.mark.parametrize(
    ("a", "b", "low", "high"), [c[1:] for c in JARO_WINKLER], ids=[c[0] for c in JARO_WINKLER]
)
def test_jaro_winkler(a: str | None, b: str | None, low: float, high: float) -> None:
    assert low <= jaro_winkler(a, b) <= high


TRANSPOSED = [
    ("swapped", ("Ayşe", "Yılmaz", "Yılmaz", "Ayşe"), True),
    ("swapped, other spelling", ("Ayşe", "Yılmaz", "YILMAZ", "Ayse"), True),
    ("same order", ("Ayşe", "Yılmaz", "Ayşe", "Yılmaz"), False),
    ("one side differs", ("Ayşe", "Yılmaz", "Yılmaz", "Fatma"), False),
    ("first equals last", ("Can", "Can", "Can", "Can"), False),
    ("missing name", ("Ayşe", None, None, "Ayşe"), False),
]


@pytest.mark.parametrize(
    ("names", "expected"), [c[1:] for c in TRANSPOSED], ids=[c[0] for c in TRANSPOSED]
)
def test_names_transposed(
    names: tuple[str | None, str | None, str | None, str | None], expected: bool
) -> None:
    assert names_transposed(*names) is expected
