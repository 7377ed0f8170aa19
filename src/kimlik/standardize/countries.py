"""Countries to ISO 3166-1 alpha-2, from codes, names and the aliases people type.

The index is built once, on first use, from pycountry: alpha-2, alpha-3 and numeric
codes, English names (short, official, common, and "Korea, Republic of" turned round),
the Turkish names from pycountry's own gettext catalogue, and the aliases below. Every
key goes through ``fold_key``, so "Türkiye", "TURKIYE" and "turkiye" are one entry.

"KKTC" (the Turkish Republic of Northern Cyprus) is deliberately unknown: ISO has no
code for it, and both CY and TR would be a political guess.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import pycountry

from kimlik.standardize.result import Standardized, invalid
from kimlik.standardize.text import fold_key, normalize_text

_ALIASES = {
    "US": (
        "USA", "U.S.A.", "U.S.", "United States of America", "America", "ABD", "Amerika",
        "Amerika Birleşik Devletleri", "Birleşik Devletler",
    ),
    "GB": (
        "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
        "Northern Ireland", "İngiltere", "Büyük Britanya", "İskoçya", "Galler",
    ),
    "NL": ("Holland", "The Netherlands", "Hollanda"),
    "TR": ("Turkey", "Türkiye", "Turkiye", "Türkei", "Republic of Turkey"),
    "DE": ("Almanya", "Deutschland"),
    "RU": ("Russia", "Rusya"),
    "KR": ("South Korea", "Korea", "Güney Kore", "Kore"),
    "KP": ("North Korea", "Kuzey Kore"),
    "IR": ("Iran", "İran"),
    "SY": ("Syria", "Suriye"),
    "CZ": ("Czech Republic", "Çek Cumhuriyeti", "Çekya"),
    "MK": ("Macedonia", "Makedonya"),
    "CI": ("Ivory Coast", "Fildişi Sahili"),
    "VA": ("Vatican", "Vatican City"),
    "PS": ("Palestine", "Filistin"),
    "AE": ("UAE", "U.A.E.", "BAE", "Birleşik Arap Emirlikleri"),
    "BA": ("Bosnia", "Bosna Hersek", "Bosna"),
    "CY": ("Kıbrıs", "Güney Kıbrıs"),
    "AZ": ("Azerbaycan",),
    "MD": ("Moldova",),
    "LA": ("Laos",),
    "VN": ("Vietnam", "Viet Nam"),
}  # fmt: skip
_NOT_COUNTRIES = frozenset({"kktc", "kuzeykibristurkcumhuriyeti", "trnc"})
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_EMPTY: Standardized[str] = Standardized(None)


def standardize_country(text: str | None) -> Standardized[str]:
    """ISO 3166-1 alpha-2 for a code, an English or Turkish name, or a common alias.

    Error ``country.unknown``.
    """
    return _standardize_country(text)


@lru_cache(maxsize=65536)
def _standardize_country(text: str | None) -> Standardized[str]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY
    key = fold_key(cleaned)
    code = _index().get(key) if key not in _NOT_COUNTRIES else None
    if code is None:
        return invalid("country.unknown", "Not a known country name or code.")
    return Standardized(code)


def is_country_code(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code, upper case ("TR", not "tr")."""
    return code in _codes()


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Folded spelling → alpha-2. Earlier sources win: aliases, codes, English, Turkish."""
    index: dict[str, str] = {}

    def add(spelling: str, code: str) -> None:
        key = fold_key(spelling)
        if key:
            index.setdefault(key, code)

    for code, spellings in _ALIASES.items():
        for spelling in spellings:
            add(spelling, code)
    countries = list(pycountry.countries)
    for country in countries:
        add(country.alpha_2, country.alpha_2)
        add(country.alpha_3, country.alpha_2)
        index.setdefault(country.numeric, country.alpha_2)
    for country in countries:
        for name in _names(country):
            add(name, country.alpha_2)
    for country in countries:
        for name in _names(country):
            for derived in _reordered(name):
                add(derived, country.alpha_2)
    turkish = _turkish()
    for country in countries:
        for name in _names(country):
            translated = turkish.gettext(name)
            add(translated, country.alpha_2)
            add(_PARENTHESIS.sub("", translated), country.alpha_2)
    return index


def _names(country: object) -> list[str]:
    """The English short, official and common names that pycountry knows."""
    names = (getattr(country, field, None) for field in ("name", "official_name", "common_name"))
    return [name for name in names if isinstance(name, str)]


def _reordered(name: str) -> list[str]:
    """ "Korea, Republic of" → "Republic of Korea", "Korea"; parentheses dropped."""
    bare = _PARENTHESIS.sub("", name)
    out = [bare]
    head, comma, tail = bare.partition(", ")
    if comma:
        out.append(f"{tail} {head}")
        if tail.endswith((" of", " of the")):
            out.append(head)
    return out


def _turkish() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["tr"])
    except OSError:  # a pycountry build without locales: English names still work
        return gettext.NullTranslations()
