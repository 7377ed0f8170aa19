"""Amounts, counts, scores and currency codes as exports write them, in both conventions.

Turkish and most European exports write "1.234,56"; English ones "1,234.56". With both
separators present the last one is the decimal point. With only one kind:

* several of the same ("1.234.567", "1,234,567") are thousands separators;
* a single comma followed by exactly three digits ("1,234") is a thousands separator,
  any other single comma ("12,5") a decimal comma;
* a single dot is always a decimal point ("1.234" is 1.234, not 1234). This is the one
  guess in the module: a Turkish "1.234" (one thousand ...) reads wrong; currency words
  do not change it, since a file mixing both styles would then read inconsistently.

Spaces and apostrophes between groups of three digits ("1 234,56", "1'234.56") are
thousands separators. Currency symbols and codes around the number are ignored here
(``standardize_currency`` reads them), and "(5.00)" is the accountants' minus five.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import pycountry

from kimlik.standardize.result import Issue, Standardized, invalid
from kimlik.standardize.text import fold_key, normalize_text

_SYMBOLS = {"₺": "TRY", "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₹": "INR"}
_CURRENCY_ALIASES = {
    "TRY": ("TL", "YTL", "Türk Lirası", "Turkish Lira", "Lira"),
    "USD": ("US Dollar", "Dollar", "Dollars", "Dolar", "Amerikan Doları", "USD$"),
    "EUR": ("Euro", "Euros", "Avro"),
    "GBP": ("Pound", "Pounds", "Pound Sterling", "Sterling", "Sterlin", "İngiliz Sterlini"),
}
_PLAIN = re.compile(r"\d+", re.ASCII)
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][-+]?\d{1,2}", re.ASCII)
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[ ']\d{3})+(?:[.,]\d+)?", re.ASCII)
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+", re.ASCII)
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+", re.ASCII)
_DECIMAL_PART = re.compile(r"\d*", re.ASCII)
_EMPTY_DECIMAL: Standardized[Decimal] = Standardized(None)
_EMPTY_INT: Standardized[int] = Standardized(None)
_EMPTY_STR: Standardized[str] = Standardized(None)
_NOT_A_NUMBER = "Not a number."


def standardize_decimal(text: str | None) -> Standardized[Decimal]:
    """A decimal number from either convention, with currency marks ignored.

    Error ``number.invalid``.
    """
    return _standardize_decimal(text)


@lru_cache(maxsize=65536)
def _standardize_decimal(text: str | None) -> Standardized[Decimal]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY_DECIMAL
    if len(cleaned) > 64:
        return invalid("number.invalid", "Too long to be a number.")
    before, number, after, negative = _peel(cleaned)
    if not (_is_currency_mark(before) and _is_currency_mark(after)):
        return invalid("number.invalid", _NOT_A_NUMBER)
    plain = _plain_digits(number)
    if plain is None:
        return invalid("number.invalid", _NOT_A_NUMBER)
    value = Decimal(plain)
    return Standardized(-value if negative else value)


def _peel(text: str) -> tuple[str, str, str, bool]:
    """Split "-₺1.234,56 TL" into the marks before and after, the digits, and the sign.

    One sign or one pair of accounting parentheses is allowed, outside the currency
    mark ("-$12", "(₺5,00)") or inside it ("$-12", "₺(5,00)").
    """
    text, negative, signed = _unsign(text)
    start = 0
    while start < len(text) and not (text[start].isdigit() or text[start] in "+-(.,"):
        start += 1
    end = len(text)
    while end > start and not (text[end - 1].isdigit() or text[end - 1] == ")"):
        end -= 1
    number = text[start:end].strip()
    if not signed:
        number, negative, _ = _unsign(number)
    return text[:start], number, text[end:], negative


def _unsign(text: str) -> tuple[str, bool, bool]:
    if len(text) > 1 and text[0] == "(" and text[-1] == ")":
        return text[1:-1].strip(), True, True
    if text[:1] in ("+", "-"):
        return text[1:].lstrip(), text[0] == "-", True
    return text, False, False


def _is_currency_mark(text: str) -> bool:
    text = text.strip().rstrip(".")
    return not text or text in _SYMBOLS or fold_key(text) in _currency_index()


def _plain_digits(number: str) -> str | None:
    """``number`` as Python's decimal syntax ("1234.56"), or ``None`` when malformed."""
    if _PLAIN.fullmatch(number) or _SCIENTIFIC.fullmatch(number):
        return number
    if " " in number or "'" in number:
        if not _SPACE_GROUPED.fullmatch(number):
            return None
        number = number.replace(" ", "").replace("'", "")
        if "," in number:  # after space groups, a single separator is the decimal one
            return number.replace(",", ".")
        return number
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = number.rpartition(decimal_mark)
        grouped = _DOT_GROUPED if group_mark == "." else _COMMA_GROUPED
        if not grouped.fullmatch(whole) or not fraction.isdigit():
            return None
        return whole.replace(group_mark, "") + "." + fraction
    if commas == 1:
        whole, _, fraction = number.partition(",")
        if not whole.isdigit() or not fraction.isdigit():
            return None
        if len(fraction) == 3 and len(whole) <= 3:
            return whole + fraction  # "1,234": thousands
        return whole + "." + fraction
    if commas:
        return number.replace(",", "") if _COMMA_GROUPED.fullmatch(number) else None
    if dots == 1:
        whole, _, fraction = number.partition(".")
        ok = _DECIMAL_PART.fullmatch(whole) and fraction.isdigit() and fraction.isascii()
        return (whole or "0") + "." + fraction if ok else None
    if dots:
        return number.replace(".", "") if _DOT_GROUPED.fullmatch(number) else None
    return None


def standardize_int(text: str | None) -> Standardized[int]:
    """A whole number ("3", "3.0", "1.000.000").

    Errors: ``number.invalid``, ``number.not_integer``.
    """
    return _standardize_int(text)


@lru_cache(maxsize=65536)
def _standardize_int(text: str | None) -> Standardized[int]:
    number = _standardize_decimal(text)
    if number.value is None:
        return _EMPTY_INT if not number.issues else Standardized(None, number.issues)
    if number.value != number.value.to_integral_value():
        return invalid("number.not_integer", "Not a whole number.")
    return Standardized(int(number.value))


def standardize_score(text: str | None, low: int = 0, high: int = 10) -> Standardized[int]:
    """A whole-number score within ``low``..``high`` (an NPS answer, a 1-5 rating).

    Errors: ``number.invalid``, ``number.not_integer``, ``score.out_of_range``.
    """
    return _standardize_score(text, low, high)


@lru_cache(maxsize=4096)
def _standardize_score(text: str | None, low: int, high: int) -> Standardized[int]:
    score = _standardize_int(text)
    if score.value is not None and not low <= score.value <= high:
        return invalid("score.out_of_range", f"The score must be from {low} to {high}.")
    return score


def standardize_currency(text: str | None) -> Standardized[str]:
    """An ISO 4217 code from a code, a symbol (₺ $ € £) or a name ("TL", "Euro").

    Error ``currency.unknown``.
    """
    return _standardize_currency(text)


@lru_cache(maxsize=4096)
def _standardize_currency(text: str | None) -> Standardized[str]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY_STR
    code = _SYMBOLS.get(cleaned) or _currency_index().get(fold_key(cleaned))
    if code is None:
        return Standardized(None, (Issue("currency.unknown", "Not a known currency."),))
    return Standardized(code)


@lru_cache(maxsize=1)
def _currency_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, spellings in _CURRENCY_ALIASES.items():
        for spelling in spellings:
            index.setdefault(fold_key(spelling), code)
    currencies = list(pycountry.currencies)
    for currency in currencies:
        index.setdefault(fold_key(currency.alpha_3), currency.alpha_3)
    for currency in currencies:
        index.setdefault(fold_key(currency.name), currency.alpha_3)
    return index
