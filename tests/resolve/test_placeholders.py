"""Cases for values that must never count as matching evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from kimlik.resolve.placeholders import (
    is_placeholder_date,
    is_placeholder_email,
    is_placeholder_name,
    is_placeholder_phone,
)

EMAILS = [
    ("noemail local", "noemail@gmail.com", True),
    ("no-email local", "no-email@firma.com.tr", True),
    ("none local", "none@hotmail.com", True),
    ("na local", "na@gmail.com", True),
    ("n/a local", "n/a@gmail.com", True),
    ("test local on a real domain", "test@gmail.com", True),
    ("test with digits", "test123@gmail.com", True),
    ("example local", "example@gmail.com", True),
    ("unknown local", "unknown@firma.com", True),
    ("null local", "null@firma.com", True),
    ("xxx local", "xxx@gmail.com", True),
    ("one repeated letter", "aaaa@gmail.com", True),
    ("asdf local", "asdf@gmail.com", True),
    ("plus tag ignored", "noemail+shop@gmail.com", True),
    ("upper case", "NOEMAIL@GMAIL.COM", True),
    ("example.com domain", "john.smith@example.com", True),
    ("example.co.uk domain", "john.smith@example.co.uk", True),
    ("test.* domain", "jane@test.com", True),
    (".invalid domain", "jane@shop.invalid", True),
    ("localhost domain", "jane@localhost", True),
    ("standardizer's placeholder domain", "ayse@noemail.com", True),
    ("standardizer's same-word rule", "asd@asd.com", True),
    ("real address", "ayse.yilmaz@gmail.com", False),
    ("role address info@ is real", "info@firma.com.tr", False),
    ("role address sales@ is real", "sales@firma.com.tr", False),
    ("test inside a real name", "testa.ali@gmail.com", False),
    ("two letters repeated are a name", "aa@firma.com", False),
    ("domain merely contains example", "jane@myexample.com", False),
    ("no @ is not a placeholder", "noemail", False),
    ("blank is missing, not a placeholder", "  ", False),
    ("none is missing, not a placeholder", None, False),
]


@pytest.mark.parametrize(("email", "expected"), [c[1:] for c in EMAILS], ids=[c[0] for c in EMAILS])
def test_is_placeholder_email(email: str | None, expected: bool) -> None:
    assert is_placeholder_email(email) is expected


PHONES = [
    ("Turkish zeros", "+900000000000", True),
    ("Turkish fives", "+905555555555", True),
    ("all zeros, no country code", "0000000000", True),
    ("seven ones", "1111111", True),
    ("ascending run", "1234567890", True),
    ("ascending run after +1", "+11234567890", True),
    ("ascending run after +90", "+901234567890", True),
    ("descending run", "9876543210", True),
    ("partial ascending run", "+90345678", True),
    ("wrapping run is a real UK mobile", "+447890123456", False),
    ("real Turkish mobile", "+905321234567", False),
    ("real US number", "+12125550142", False),
    ("real UK mobile", "+447911123456", False),
    ("Berlin number ending in a run", "+4930123456", False),
    ("too short to judge", "+9011111", False),
    ("none", None, False),
]


@pytest.mark.parametrize(("phone", "expected"), [c[1:] for c in PHONES], ids=[c[0] for c in PHONES])
def test_is_placeholder_phone(phone: str | None, expected: bool) -> None:
    assert is_placeholder_phone(phone) is expected


DATES = [
    ("1900-01-01", dt.date(1900, 1, 1), True),
    ("1901-01-01", dt.date(1901, 1, 1), True),
    ("1800-01-01", dt.date(1800, 1, 1), True),
    ("1111-11-11", dt.date(1111, 11, 11), True),
    ("0001-01-01", dt.date(1, 1, 1), True),
    ("Unix epoch", dt.date(1970, 1, 1), True),
    ("Unix epoch as a datetime", dt.datetime(1970, 1, 1, 0, 0), True),
    ("real birthday", dt.date(1985, 3, 14), False),
    ("day after the epoch", dt.date(1970, 1, 2), False),
    ("new year 1980", dt.date(1980, 1, 1), False),
    ("none", None, False),
]


@pytest.mark.parametrize(("day", "expected"), [c[1:] for c in DATES], ids=[c[0] for c in DATES])
def test_is_placeholder_date(day: dt.date | None, expected: bool) -> None:
    assert is_placeholder_date(day) is expected


NAMES = [
    ("test", "Test", True),
    ("TEST upper", "TEST", True),
    ("unknown", "Unknown", True),
    ("n/a", "N/A", True),
    ("na", "na", True),
    ("none", "None", True),
    ("xxx", "XXX", True),
    ("one repeated letter", "aaaa", True),
    ("asdf", "asdf", True),
    ("customer", "Customer", True),
    ("Turkish müşteri", "Müşteri", True),
    ("Turkish MÜŞTERİ upper", "MÜŞTERİ", True),
    ("Turkish bilinmiyor", "Bilinmiyor", True),
    ("Turkish isimsiz", "İsimsiz", True),
    ("a dash", "-", True),
    ("only punctuation", "?.", True),
    ("real English name", "Robert", False),
    ("real Turkish name", "Ayşe", False),
    ("Turkish name with İ", "İsmail", False),
    ("initial", "J", False),
    ("two same letters", "Oo", False),
    ("blank is missing", "  ", False),
    ("none is missing", None, False),
]


@pytest.mark.parametrize(("name", "expected"), [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_is_placeholder_name(name: str | None, expected: bool) -> None:
    assert is_placeholder_name(name) is expected
