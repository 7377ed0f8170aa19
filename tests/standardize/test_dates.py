"""Cases for dates, timestamps and birth dates."""

from __future__ import annotations

import datetime as dt

import pytest

from kimlik.standardize.dates import (
    date_order_for_region,
    standardize_birth_date,
    standardize_date,
    standardize_datetime,
)
from kimlik.standardize.result import DateOrder

D = dt.date
THIS_YEAR_SHORT = dt.date.today().year % 100

DATES: list[tuple[str, str, DateOrder | None, dt.date]] = [
    ("ISO", "1990-04-13", None, D(1990, 4, 13)),
    ("ISO timestamp keeps the written date", "2024-03-05T23:30:00-05:00", None, D(2024, 3, 5)),
    ("ISO with space and time", "2024-03-05 10:11:12", None, D(2024, 3, 5)),
    ("YYYYMMDD", "19900413", None, D(1990, 4, 13)),
    ("ISO-like without zero padding", "1990-4-3", None, D(1990, 4, 3)),
    ("year first with slashes", "1990/04/13", "DMY", D(1990, 4, 13)),
    ("d.m.Y Turkish", "13.04.1990", "DMY", D(1990, 4, 13)),
    ("d/m/Y", "05/04/1990", "DMY", D(1990, 4, 5)),
    ("m/d/Y", "05/04/1990", "MDY", D(1990, 5, 4)),
    ("d-m-Y", "05-04-1990", "DMY", D(1990, 4, 5)),
    ("d m Y with spaces", "05 04 1990", "DMY", D(1990, 4, 5)),
    ("13/04 unambiguous without order", "13/04/1990", None, D(1990, 4, 13)),
    ("13/04 unambiguous in an MDY file", "13/04/1990", "MDY", D(1990, 4, 13)),
    ("04/13 unambiguous without order", "04/13/1990", None, D(1990, 4, 13)),
    ("same day and month", "05/05/1990", None, D(1990, 5, 5)),
    ("time after numeric date", "13.04.1990 14:30", "DMY", D(1990, 4, 13)),
    ("Turkish month name", "12 Mart 1985", None, D(1985, 3, 12)),
    ("Turkish Şubat", "12 Şubat 1990", None, D(1990, 2, 12)),
    ("Turkish Ağustos upper", "12 AĞUSTOS 2001", None, D(2001, 8, 12)),
    ("Turkish abbreviation", "1 Eyl 2020", None, D(2020, 9, 1)),
    ("Turkish weekday ignored", "12 Mart 1985 Salı", None, D(1985, 3, 12)),
    ("English month first", "March 12, 1985", None, D(1985, 3, 12)),
    ("English ordinal", "March 12th, 1985", None, D(1985, 3, 12)),
    ("English weekday ignored", "Tuesday, March 12, 1985", None, D(1985, 3, 12)),
    ("day-Mon-year", "12-Mar-1985", None, D(1985, 3, 12)),
    ("Sept abbreviation", "1 Sept 2020", None, D(2020, 9, 1)),
    ("year month day named", "1985 Mart 12", None, D(1985, 3, 12)),
    ("named month with time", "March 12, 1985 2:30 PM", None, D(1985, 3, 12)),
]


@pytest.mark.parametrize(
    ("text", "order", "expected"), [c[1:] for c in DATES], ids=[c[0] for c in DATES]
)
def test_standardize_date(text: str, order: DateOrder | None, expected: dt.date) -> None:
    result = standardize_date(text, order)
    assert result.value == expected
    assert result.issues == ()


def test_two_digit_year_pivots_on_this_year() -> None:
    recent = f"01.02.{THIS_YEAR_SHORT:02d}"
    older = f"01.02.{(THIS_YEAR_SHORT + 1) % 100:02d}"
    assert standardize_date(recent, "DMY").value == D(2000 + THIS_YEAR_SHORT, 2, 1)
    old = standardize_date(older, "DMY")
    assert old.value is not None and old.value.year < 2000 + THIS_YEAR_SHORT + 1
    assert [(i.code, i.severity) for i in old.issues] == [("date.two_digit_year", "warning")]


def test_two_digit_year_85() -> None:
    result = standardize_date("12.03.85", "DMY")
    assert result.value == D(1985, 3, 12)
    assert [issue.code for issue in result.issues] == ["date.two_digit_year"]


BAD: list[tuple[str, str, DateOrder | None, str]] = [
    ("ambiguous without order", "05/04/1990", None, "date.ambiguous"),
    ("ambiguous two-digit year", "05/04/90", None, "date.ambiguous"),
    ("04/13 contradicts DMY", "04/13/1990", "DMY", "date.invalid"),
    ("no 30 February", "30.02.1990", "DMY", "date.invalid"),
    ("no 30 February in ISO", "2024-02-30", None, "date.invalid"),
    ("month 13 in YYYYMMDD", "19901301", None, "date.invalid"),
    ("three-digit year", "01.02.199", "DMY", "date.invalid"),
    ("no day", "Mart 1985", None, "date.invalid"),
    ("words", "yesterday", None, "date.invalid"),
    ("unknown month word", "12 Foo 1985", None, "date.invalid"),
    ("year zero", "0000-01-01", None, "date.invalid"),
]


@pytest.mark.parametrize(("text", "order", "code"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_dates(text: str, order: DateOrder | None, code: str) -> None:
    result = standardize_date(text, order)
    assert result.value is None
    assert [issue.code for issue in result.issues] == [code]


UTC = dt.UTC
TIMESTAMPS: list[tuple[str, str, DateOrder | None, dt.datetime]] = [
    ("ISO Z", "2024-03-05T10:11:12Z", None, dt.datetime(2024, 3, 5, 10, 11, 12, tzinfo=UTC)),
    ("ISO offset to UTC", "2024-03-05T10:00:00+03:00", None, dt.datetime(2024, 3, 5, 7, tzinfo=UTC)),
    ("ISO naive is UTC", "2024-03-05 10:00", None, dt.datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("ISO date is midnight UTC", "2024-03-05", None, dt.datetime(2024, 3, 5, tzinfo=UTC)),
    ("fractional seconds", "2024-03-05T10:00:00.123456Z", None,
     dt.datetime(2024, 3, 5, 10, 0, 0, 123456, tzinfo=UTC)),
    ("d.m.Y H:M", "05.03.2024 14:30", "DMY", dt.datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
    ("d.m.Y H:M:S.f", "05.03.2024 14:30:15.25", "DMY",
     dt.datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=UTC)),
    ("d.m.Y H:M:S", "05.03.2024 14:30:15", "DMY",
     dt.datetime(2024, 3, 5, 14, 30, 15, tzinfo=UTC)),
    ("m/d/Y with PM", "03/05/2024 2:30 PM", "MDY", dt.datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
    ("12 AM is midnight", "03/05/2024 12:05 AM", "MDY",
     dt.datetime(2024, 3, 5, 0, 5, tzinfo=UTC)),
    ("offset after a numeric date", "05.03.2024 14:30 +0300", "DMY",
     dt.datetime(2024, 3, 5, 11, 30, tzinfo=UTC)),
    ("named month and time", "12 Mart 2024 09:15", None,
     dt.datetime(2024, 3, 12, 9, 15, tzinfo=UTC)),
    ("date only", "12.03.2024", "DMY", dt.datetime(2024, 3, 12, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "order", "expected"), [c[1:] for c in TIMESTAMPS], ids=[c[0] for c in TIMESTAMPS]
)
def test_standardize_datetime(text: str, order: DateOrder | None, expected: dt.datetime) -> None:
    result = standardize_datetime(text, order)
    assert result.value == expected
    assert result.value is not None and result.value.tzinfo is UTC
    assert result.issues == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [("05.03.2024 25:00", "date.invalid"), ("05.03.2024 13:00 PM", "date.invalid"),
     ("05/03/2024 10:00", "date.ambiguous")],
    ids=["hour 25", "13 PM", "ambiguous date part"],
)  # fmt: skip
def test_bad_timestamps(text: str, code: str) -> None:
    result = standardize_datetime(text, None if code == "date.ambiguous" else "DMY")
    assert result.value is None
    assert [issue.code for issue in result.issues] == [code]


REGIONS: list[tuple[str, str | None, DateOrder | None]] = [
    ("United States", "US", "MDY"),
    ("Philippines", "PH", "MDY"),
    ("lower case", "us", "MDY"),
    ("Japan", "JP", "YMD"),
    ("Hungary", "HU", "YMD"),
    ("Türkiye", "TR", "DMY"),
    ("Germany", "DE", "DMY"),
    ("Canada is day-first here", "CA", "DMY"),
    ("unknown region", "XX", None),
    ("no region", None, None),
]


@pytest.mark.parametrize(
    ("region", "expected"), [c[1:] for c in REGIONS], ids=[c[0] for c in REGIONS]
)
def test_date_order_for_region(region: str | None, expected: DateOrder | None) -> None:
    assert date_order_for_region(region) == expected


TODAY = D(2025, 6, 1)
BIRTH: list[tuple[str, str, str | None, dt.date | None]] = [
    ("ordinary", "13.04.1990", None, D(1990, 4, 13)),
    ("born today", "2025-06-01", None, TODAY),
    ("placeholder 1900-01-01", "1900-01-01", "date.placeholder", None),
    ("placeholder 1901-01-01", "01.01.1901", "date.placeholder", None),
    ("placeholder epoch", "1970-01-01", "date.placeholder", None),
    ("placeholder 0001-01-01", "0001-01-01", "date.placeholder", None),
    ("placeholder 9999-12-31", "9999-12-31", "date.placeholder", None),
    ("future", "2030-01-01", "date.future", None),
    ("tomorrow", "2025-06-02", "date.future", None),
    ("before 1900-01-02", "1899-12-31", "date.implausible", None),
    ("older than 120", "1904-06-01", "date.implausible", None),
    ("120 and a day", "1905-05-31", None, D(1905, 5, 31)),
    ("exactly 120", "1905-06-01", None, D(1905, 6, 1)),
    ("not a date", "abc", "date.invalid", None),
]


@pytest.mark.parametrize(
    ("text", "code", "expected"), [c[1:] for c in BIRTH], ids=[c[0] for c in BIRTH]
)
def test_standardize_birth_date(text: str, code: str | None, expected: dt.date | None) -> None:
    result = standardize_birth_date(text, "DMY", TODAY)
    assert result.value == expected
    assert [issue.code for issue in result.issues] == ([code] if code else [])
