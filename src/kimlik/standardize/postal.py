"""Postal codes: cleaned, checked against the country's pattern, written the local way.

Spreadsheets store postal codes as numbers, which loses leading zeros (Adana 01000 →
1000, Boston 02108 → 2108) and sometimes adds ".0". For countries whose codes are all
digits and may start with zero, a code one digit short gets its zero back, with a
``postal_code.zero_restored`` warning so that the guess stays visible.

Countries not in the table keep any 2-10 letters, digits, spaces or hyphens as typed
(upper-cased): the code is still useful for matching even if we cannot check it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from kimlik.standardize.result import Issue, Standardized, invalid
from kimlik.standardize.text import normalize_text

_Format = Callable[[re.Match[str]], str]


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _whole(match: re.Match[str]) -> str:
    return match[0]


def _joined(separator: str) -> _Format:
    def join(match: re.Match[str]) -> str:
        return separator.join(group for group in match.groups() if group)

    return join


# country → (pattern over the code with spaces and hyphens removed, formatter)
_RULES: dict[str, tuple[re.Pattern[str], _Format]] = {
    "TR": (_re(r"(?:0[1-9]|[1-7]\d|8[01])\d{3}"), _whole),
    "US": (_re(r"(\d{5})(\d{4})?"), _joined("-")),
    "GB": (
        _re(r"(GIR)(0AA)|([A-Z]{1,2}\d[A-Z\d]?)(\d[ABD-HJLNP-UW-Z]{2})"),
        _joined(" "),
    ),
    "DE": (_re(r"\d{5}"), _whole),
    "FR": (_re(r"\d{5}"), _whole),
    "IT": (_re(r"\d{5}"), _whole),
    "ES": (_re(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}"), _whole),
    "NL": (_re(r"([1-9]\d{3})((?!SA|SD|SS)[A-Z]{2})"), _joined(" ")),
    "CA": (
        _re(r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(\d[ABCEGHJ-NPRSTV-Z]\d)"),
        _joined(" "),
    ),
    "SE": (_re(r"([1-9]\d{2})(\d{2})"), _joined(" ")),
    "PL": (_re(r"(\d{2})(\d{3})"), _joined("-")),
    "PT": (_re(r"([1-9]\d{3})(\d{3})"), _joined("-")),
    "JP": (_re(r"(\d{3})(\d{4})"), _joined("-")),
    "BR": (_re(r"(\d{5})(\d{3})"), _joined("-")),
    "IN": (_re(r"[1-9]\d{5}"), _whole),
    "RU": (_re(r"\d{6}"), _whole),
    **{
        code: (_re(r"[1-9]\d{3}"), _whole)
        for code in ("AT", "BE", "CH", "DK", "NO", "HU", "AU", "CY", "BG", "GE")
    },
    "AZ": (_re(r"(?:AZ)?(\d{4})"), lambda match: "AZ " + match[1]),
}
# Countries whose codes are digits that may legitimately start with 0.
_ZERO_PADDED = {"US": 5, "TR": 5, "DE": 5, "FR": 5, "IT": 5, "ES": 5}
_SPREADSHEET_FLOAT = _re(r"(\d+)\.0+")
_FREE_FORM = _re(r"[A-Z0-9][A-Z0-9 \-]{0,8}[A-Z0-9]")
_ZERO_RESTORED = Issue(
    "postal_code.zero_restored",
    "A leading zero lost by a spreadsheet was put back.",
    "warning",
)
_EMPTY: Standardized[str] = Standardized(None)


def standardize_postal_code(text: str | None, country: str | None) -> Standardized[str]:
    """Upper-case, trim, and check/format for ``country`` (ISO alpha-2) when it is known.

    Error ``postal_code.invalid``; warning ``postal_code.zero_restored``.
    """
    return _standardize_postal_code(text, country.strip().upper() or None if country else None)


@lru_cache(maxsize=65536)
def _standardize_postal_code(text: str | None, country: str | None) -> Standardized[str]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY
    cleaned = cleaned.upper()
    spreadsheet = _SPREADSHEET_FLOAT.fullmatch(cleaned)
    if spreadsheet:
        cleaned = spreadsheet[1]
    rule = _RULES.get(country) if country else None
    if rule is None:
        if _FREE_FORM.fullmatch(cleaned):
            return Standardized(cleaned)
        return _invalid()
    pattern, formatter = rule
    compact = cleaned.replace(" ", "").replace("-", "")
    match = pattern.fullmatch(compact)
    if match:
        return Standardized(formatter(match))
    width = _ZERO_PADDED.get(country) if country else None
    if width and compact.isascii() and compact.isdigit():
        # "1000" for 01000, and for US ZIP+4 "2108-1234" / "21081234" for 02108-1234.
        if len(compact) in (width - 1, width + 3):
            match = pattern.fullmatch("0" + compact)
            if match:
                return Standardized(formatter(match), (_ZERO_RESTORED,))
    return _invalid(country)


def _invalid(country: str | None = None) -> Standardized[str]:
    where = f" for {country}" if country else ""
    return invalid("postal_code.invalid", f"Not a valid postal code{where}.")
