"""Dates and timestamps from the spellings exports use, refusing to guess day/month order.

ISO 8601 is tried first (``date.fromisoformat`` is fast and most APIs send it). Then
YYYYMMDD, numeric d/m/y in any of ``/ . - space`` with 4- or 2-digit years, and month
names in English and Turkish ("12 Mart 1985", "March 12, 1985", "12-Mar-1985").

"04/05/1990" is 4 May in Istanbul and April 5 in Chicago. The caller passes the source's
``DateOrder`` (``date_order_for_region`` gives the usual one for a country); without it,
a date whose two small numbers differ is reported as ``date.ambiguous`` rather than
guessed, and a number above 12 settles the order ("13/04/1990", "04/13/1990").

With an order given, the order is trusted, with one exception: a first number above 12
can only be a day, and day-first is how most of the world writes, so "13/04/1990" is
13 April even in an MDY file. The reverse is not granted: "04/13/1990" in a DMY file is
``date.invalid``, because a DMY file with a month-first row is more likely mislabelled
than right.

Timestamps come back aware, in UTC; naive input is taken to be UTC already.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TypeVar

from kimlik.standardize.countries import is_country_code
from kimlik.standardize.result import DateOrder, Issue, Standardized, invalid
from kimlik.standardize.text import fold_key, normalize_text

T = TypeVar("T")
_UTC = dt.UTC
_MDY_REGIONS = frozenset({"US", "PH", "PR", "GU", "AS", "UM", "VI", "FM", "MH", "PW"})
_YMD_REGIONS = frozenset({"CN", "JP", "KR", "TW", "HU", "LT", "MN"})
_MONTHS = {
    **dict.fromkeys(("january", "jan", "ocak", "oca"), 1),
    **dict.fromkeys(("february", "feb", "subat", "sub"), 2),
    **dict.fromkeys(("march", "mar", "mart"), 3),
    **dict.fromkeys(("april", "apr", "nisan", "nis"), 4),
    **dict.fromkeys(("may", "mayis"), 5),
    **dict.fromkeys(("june", "jun", "haziran", "haz"), 6),
    **dict.fromkeys(("july", "jul", "temmuz", "tem"), 7),
    **dict.fromkeys(("august", "aug", "agustos", "agu"), 8),
    **dict.fromkeys(("september", "sep", "sept", "eylul", "eyl"), 9),
    **dict.fromkeys(("october", "oct", "ekim", "eki"), 10),
    **dict.fromkeys(("november", "nov", "kasim", "kas"), 11),
    **dict.fromkeys(("december", "dec", "aralik", "ara"), 12),
}
_WEEKDAYS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "pazartesi", "sali", "carsamba", "persembe", "cuma", "cumartesi", "pazar",
        "pzt", "cmt", "paz",
    }
)  # fmt: skip
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,4})([./\- ])(\d{1,2})\2(\d{1,4})\.?", re.ASCII)
_TIME = re.compile(
    r"(?:[ T]+|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:\s*([AaPp])\.?[Mm]\.?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.ASCII,
)
_TOKEN_SPLIT = re.compile(r"[\s,./\-]+")
_ORDINAL = re.compile(r"(\d{1,4})(?:st|nd|rd|th|'?(?:inci|ıncı|nci|ncı|uncu|üncü))?", re.I)
_PLACEHOLDER_BIRTH_DATES = frozenset(
    dt.date(*ymd) for ymd in ((1900, 1, 1), (1901, 1, 1), (1970, 1, 1), (1, 1, 1), (9999, 12, 31))
)
_EARLIEST_BIRTH = dt.date(1900, 1, 2)

_DateParts = tuple[int, int, int, bool]  # year, month, day, two-digit year
_TimeParts = tuple[int, int, int, int, dt.tzinfo | None]


def date_order_for_region(region: str | None) -> DateOrder | None:
    """The usual numeric date order in a country (ISO alpha-2); ``None`` when unknown."""
    if not region:
        return None
    code = region.strip().upper()
    if code in _MDY_REGIONS:
        return "MDY"
    if code in _YMD_REGIONS:
        return "YMD"
    return "DMY" if is_country_code(code) else None


def standardize_date(text: str | None, order: DateOrder | None) -> Standardized[dt.date]:
    """A calendar date. A time of day, if present, is accepted and ignored.

    Errors: ``date.invalid``, ``date.ambiguous``. Warning: ``date.two_digit_year``.
    """
    return _standardize_date(text, order)


@lru_cache(maxsize=65536)
def _standardize_date(text: str | None, order: DateOrder | None) -> Standardized[dt.date]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return Standardized(None)
    if len(cleaned) == 10 and _ISO_DATE.fullmatch(cleaned):
        try:
            return Standardized(dt.date.fromisoformat(cleaned))
        except ValueError:
            pass  # "2024-02-30": the general parser explains what is wrong
    elif len(cleaned) > 10 and cleaned[4:5] == "-" and cleaned[:4].isdigit():
        try:
            return Standardized(dt.datetime.fromisoformat(cleaned).date())
        except ValueError:
            pass
    numeric = _NUMERIC.fullmatch(cleaned)  # the common "13.04.1990", without a time
    if numeric:
        parts = _numeric_parts(numeric[1], numeric[3], numeric[4], order)
    else:
        time_match = _TIME.search(cleaned)
        date_text = cleaned[: time_match.start()] if time_match else cleaned
        parts = _parse_date_parts(date_text, order)
    if isinstance(parts, Issue):
        return Standardized(None, (parts,))
    return _to_date(parts)


def standardize_datetime(text: str | None, order: DateOrder | None) -> Standardized[dt.datetime]:
    """An aware UTC timestamp. Naive input is taken as UTC; a bare date is midnight UTC.

    Errors: ``date.invalid``, ``date.ambiguous``. Warning: ``date.two_digit_year``.
    """
    return _standardize_datetime(text, order)


# Timestamps are nearly all distinct, and a large cache of unique values costs more in
# garbage collection than it saves: the ISO path is not cached, the general one a little.
def _standardize_datetime(text: str | None, order: DateOrder | None) -> Standardized[dt.datetime]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return Standardized(None)
    if len(cleaned) >= 10 and cleaned[4:5] == "-" and cleaned[:4].isdigit():
        try:
            return Standardized(_as_utc(dt.datetime.fromisoformat(cleaned)))
        except ValueError:
            pass
        except OverflowError:
            return _invalid("The timestamp is out of range once moved to UTC.")
    return _general_datetime(cleaned, order)


@lru_cache(maxsize=4096)
def _general_datetime(cleaned: str, order: DateOrder | None) -> Standardized[dt.datetime]:
    time_match = _TIME.search(cleaned)
    date_text = cleaned[: time_match.start()] if time_match else cleaned
    parts = _parse_date_parts(date_text, order)
    if isinstance(parts, Issue):
        return Standardized(None, (parts,))
    day = _to_date(parts)
    if day.value is None:
        return Standardized(None, day.issues)
    clock = _parse_time(time_match) if time_match else (0, 0, 0, 0, None)
    if isinstance(clock, Issue):
        return Standardized(None, (clock,))
    hour, minute, second, micro, tz = clock
    try:
        value = day.value
        stamp = dt.datetime(value.year, value.month, value.day, hour, minute, second, micro)
        return Standardized(_as_utc(stamp.replace(tzinfo=tz)), day.issues)
    except OverflowError:
        return _invalid("The timestamp is out of range once moved to UTC.")


def standardize_birth_date(
    text: str | None, order: DateOrder | None, today: dt.date
) -> Standardized[dt.date]:
    """A date of birth: ``standardize_date`` plus plausibility against ``today``.

    Errors: ``date.placeholder`` (1900-01-01, 1970-01-01 ...), ``date.future``,
    ``date.implausible`` (before 1900-01-02 or older than 120).
    """
    result = standardize_date(text, order)
    born = result.value
    if born is None:
        return result
    if born in _PLACEHOLDER_BIRTH_DATES:
        return _invalid(f"{born.isoformat()} is a placeholder, not a birth date.", "placeholder")
    if born > today:
        return _invalid("The birth date is in the future.", "future")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if born < _EARLIEST_BIRTH or age > 120:
        return _invalid("The birth date makes the person older than 120.", "implausible")
    return result


# --- parsing ------------------------------------------------------------------------


def _parse_date_parts(text: str, order: DateOrder | None) -> _DateParts | Issue:
    compact = _COMPACT.fullmatch(text)
    if compact:
        return int(compact[1]), int(compact[2]), int(compact[3]), False
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        return _numeric_parts(numeric[1], numeric[3], numeric[4], order)
    return _named_month_parts(text)


def _numeric_parts(a: str, b: str, c: str, order: DateOrder | None) -> _DateParts | Issue:
    if len(a) == 4:
        return int(a), int(b), int(c), False
    if len(a) == 3 or len(c) == 3:
        return _issue("The year must have 2 or 4 digits.")
    if order == "YMD" and len(c) <= 2:
        year, two_digit = _year(a)
        return year, int(b), int(c), two_digit
    first, second = int(a), int(b)
    year, two_digit = _year(c)
    if order == "DMY":
        return year, second, first, two_digit
    if order == "MDY":
        if first > 12 >= second:  # "13/04/1990": only a day can come first
            return year, second, first, two_digit
        return year, first, second, two_digit
    if first > 12 >= second:
        return year, second, first, two_digit
    if second > 12 >= first:
        return year, first, second, two_digit
    if first == second or first > 12:
        return year, second, first, two_digit  # the same either way, or invalid either way
    return Issue(
        "date.ambiguous",
        "Day and month could be either way round; give the source's date order.",
    )


def _named_month_parts(text: str) -> _DateParts | Issue:
    tokens = [token for token in _TOKEN_SPLIT.split(text) if token]
    if tokens and fold_key(tokens[0]) in _WEEKDAYS:
        tokens = tokens[1:]
    if tokens and fold_key(tokens[-1]) in _WEEKDAYS:
        tokens = tokens[:-1]
    if len(tokens) != 3:
        return _issue("Not a recognised date.")
    months = [_MONTHS.get(fold_key(token)) for token in tokens]
    numbers = [_number(token) for token in tokens]
    if months[0] and numbers[1] and numbers[2]:  # March 12, 1985
        month, day, year_text = months[0], numbers[1], numbers[2]
    elif months[1] and numbers[0] and numbers[2]:  # 12 March 1985 / 1985 March 12
        month, day, year_text = months[1], numbers[0], numbers[2]
        if len(day) == 4 and len(year_text) <= 2:
            day, year_text = year_text, day
    else:
        return _issue("Not a recognised date.")
    if len(day) > 2 or len(year_text) not in (2, 4):
        return _issue("Not a recognised date.")
    year, two_digit = _year(year_text)
    return year, month, int(day), two_digit


def _number(token: str) -> str | None:
    match = _ORDINAL.fullmatch(token)
    return match[1] if match and match[1].isascii() else None


def _year(text: str) -> tuple[int, bool]:
    if len(text) > 2:
        return int(text), False
    short = int(text)
    pivot = dt.date.today().year % 100
    return (2000 + short if short <= pivot else 1900 + short), True


def _to_date(parts: _DateParts) -> Standardized[dt.date]:
    year, month, day, two_digit = parts
    if not 1 <= month <= 12:
        return _invalid(f"There is no month {month}.")
    if not 1 <= year <= 9999:
        return _invalid(f"The year {year} is out of range.")
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return _invalid(f"There is no day {day} in {year}-{month:02d}.")
    if two_digit:
        warning = Issue(
            "date.two_digit_year", f"Two-digit year read as {year}.", severity="warning"
        )
        return Standardized(value, (warning,))
    return Standardized(value)


def _parse_time(match: re.Match[str]) -> _TimeParts | Issue:
    hour, minute = int(match[1]), int(match[2])
    second = int(match[3]) if match[3] else 0
    micro = int(match[4][:6].ljust(6, "0")) if match[4] else 0
    meridiem = (match[5] or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return _issue("The hour does not fit AM/PM.")
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return _issue("Not a valid time of day.")
    zone = match[6]
    if zone is None:
        return hour, minute, second, micro, None
    if zone in ("Z", "UTC", "GMT"):
        return hour, minute, second, micro, _UTC
    digits = zone[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    if offset >= dt.timedelta(hours=24):
        return _issue("The UTC offset is out of range.")
    return hour, minute, second, micro, dt.timezone(-offset if zone[0] == "-" else offset)


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)


def _issue(message: str) -> Issue:
    return Issue("date.invalid", message)


def _invalid(message: str, kind: str = "invalid") -> Standardized[T]:
    return invalid(f"date.{kind}", message)
