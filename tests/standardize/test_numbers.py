"""Cases for amounts in both decimal conventions, integers, scores and currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kimlik.standardize.numbers import (
    standardize_currency,
    standardize_decimal,
    standardize_int,
    standardize_score,
)

DECIMALS = [
    ("plain", "1234.56", "1234.56"),
    ("English grouping", "1,234.56", "1234.56"),
    ("Turkish grouping", "1.234,56", "1234.56"),
    ("space grouping", "1 234,56", "1234.56"),
    ("no-break space grouping", "1\u00a0234,56", "1234.56"),
    ("apostrophe grouping", "1'234.50", "1234.50"),
    ("lira sign", "₺1.234,56", "1234.56"),
    ("dollar sign", "$12", "12"),
    ("TL after", "12 TL", "12"),
    ("ISO code before", "USD 1,000", "1000"),
    ("negative", "-5", "-5"),
    ("explicit plus", "+7", "7"),
    ("accounting negative", "(5.00)", "-5.00"),
    ("accounting negative with currency", "(₺5,00)", "-5.00"),
    ("minus before symbol", "-$12", "-12"),
    ("minus after symbol", "$-12", "-12"),
    ("single comma and three digits is thousands", "1,234", "1234"),
    ("single comma and two digits is decimal", "12,5", "12.5"),
    ("long whole part makes comma decimal", "1234,567", "1234.567"),
    ("single dot is decimal", "1.234", "1.234"),
    ("several dots are thousands", "1.234.567", "1234567"),
    ("several commas are thousands", "1,234,567", "1234567"),
    ("leading dot", ".5", "0.5"),
    ("trailing dot", "12.", "12"),
    ("scientific from Excel", "1.23E+05", "123000"),
    ("zero", "0", "0"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in DECIMALS], ids=[c[0] for c in DECIMALS]
)
def test_standardize_decimal(text: str, expected: str) -> None:
    result = standardize_decimal(text)
    assert result.value == Decimal(expected)
    assert result.issues == ()


BAD_DECIMALS = [
    ("words", "abc"),
    ("unknown word after", "12 apples"),
    ("two signs", "--5"),
    ("sign inside parentheses", "(-5)"),
    ("bad grouping", "1,2,3"),
    ("dots in the wrong places", "1.23.4"),
    ("space not in groups of three", "12 34"),
    ("mixed separators in the wrong order", "1.234.56,7,8"),
    ("Arabic-Indic digits", "١٢"),
    ("only a sign", "-"),
    ("only parentheses", "()"),
    ("NaN is not a number here", "NaN"),
    ("infinity", "Infinity"),
    ("too long", "1" * 70),
]


@pytest.mark.parametrize("text", [c[1] for c in BAD_DECIMALS], ids=[c[0] for c in BAD_DECIMALS])
def test_bad_decimals(text: str) -> None:
    result = standardize_decimal(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["number.invalid"]


INTS = [
    ("plain", "3", 3, None),
    ("whole decimal", "3.0", 3, None),
    ("grouped", "1.000.000", 1000000, None),
    ("negative", "-2", -2, None),
    ("fraction", "3.5", None, "number.not_integer"),
    ("words", "three", None, "number.invalid"),
]


@pytest.mark.parametrize(
    ("text", "expected", "code"), [c[1:] for c in INTS], ids=[c[0] for c in INTS]
)
def test_standardize_int(text: str, expected: int | None, code: str | None) -> None:
    result = standardize_int(text)
    assert result.value == expected
    assert [issue.code for issue in result.issues] == ([code] if code else [])


SCORES = [
    ("NPS 9", "9", 0, 10, 9, None),
    ("NPS 0", "0", 0, 10, 0, None),
    ("NPS 11", "11", 0, 10, None, "score.out_of_range"),
    ("negative", "-1", 0, 10, None, "score.out_of_range"),
    ("five-star rating", "5", 1, 5, 5, None),
    ("zero stars", "0", 1, 5, None, "score.out_of_range"),
    ("half a point", "7.5", 0, 10, None, "number.not_integer"),
    ("words", "good", 0, 10, None, "number.invalid"),
]


@pytest.mark.parametrize(
    ("text", "low", "high", "expected", "code"),
    [c[1:] for c in SCORES],
    ids=[c[0] for c in SCORES],
)
def test_standardize_score(
    text: str, low: int, high: int, expected: int | None, code: str | None
) -> None:
    result = standardize_score(text, low, high)
    assert result.value == expected
    assert [issue.code for issue in result.issues] == ([code] if code else [])


CURRENCIES = [
    ("ISO code", "TRY", "TRY"),
    ("lower case", "usd", "USD"),
    ("TL", "TL", "TRY"),
    ("YTL", "YTL", "TRY"),
    ("lira sign", "₺", "TRY"),
    ("Türk Lirası", "Türk Lirası", "TRY"),
    ("dollar sign", "$", "USD"),
    ("Dolar", "Dolar", "USD"),
    ("euro sign", "€", "EUR"),
    ("Euro", "euro", "EUR"),
    ("pound sign", "£", "GBP"),
    ("Swiss franc code", "CHF", "CHF"),
    ("English name", "Yen", "JPY"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CURRENCIES], ids=[c[0] for c in CURRENCIES]
)
def test_standardize_currency(text: str, expected: str) -> None:
    assert standardize_currency(text).value == expected


@pytest.mark.parametrize("text", ["XYZ", "money", "¤"], ids=["XYZ", "money", "generic sign"])
def test_unknown_currency(text: str) -> None:
    result = standardize_currency(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["currency.unknown"]
