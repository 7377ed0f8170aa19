"""Picklist values (gender, education, industry ...) mapped to one canonical spelling.

A vocabulary maps raw spellings to canonical values; lookups go through ``fold_key``, so
"Kadın", "KADIN" and "kadin" are one spelling. Canonical values always map to
themselves, which makes standardizing twice a no-op. Mapping files add their own
vocabularies (``values: {industry: {"Bilişim": "Technology"}}``); those are indexed
on first use and must not be mutated afterwards: build a new mapping instead. Build a
merged vocabulary once per file, not once per row: an equal copy of the last vocabulary
is recognised, but comparing costs a few microseconds on every call.

A value with no letters or digits ("-", "?") is treated as blank, not as a spelling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from kimlik.standardize.result import Standardized, invalid
from kimlik.standardize.text import fold_key, normalize_text

_EMPTY: Standardized[str] = Standardized(None)


def _vocabulary(groups: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Spelling → canonical from canonical → spellings, refusing a spelling used twice."""
    vocabulary: dict[str, str] = {}
    owners: dict[str, str] = {}
    for canonical, spellings in groups.items():
        for spelling in spellings:
            owner = owners.setdefault(fold_key(spelling), canonical)
            if owner != canonical:
                raise ValueError(f"{spelling!r} is listed under {owner!r} and {canonical!r}")
            vocabulary[spelling] = canonical
    return vocabulary


# fmt: off
GENDER: dict[str, str] = _vocabulary(
    {
        "female": ("F", "K", "W", "Female", "Woman", "Kadın", "Bayan", "Kız", "Dişi"),
        "male": ("M", "E", "Male", "Man", "Erkek", "Bay"),
        "other": (
            "O", "X", "Other", "Diğer", "Non-binary", "Nonbinary", "NB", "Non binary",
            "Genderqueer", "Belirtilmemiş cinsiyet",
        ),
    }
)

MARITAL_STATUS: dict[str, str] = _vocabulary(
    {
        "single": ("Single", "Unmarried", "Never married", "S", "Bekar", "Bekâr"),
        "married": ("Married", "M", "Evli"),
        "divorced": ("Divorced", "D", "Boşanmış", "Boşanmış/Ayrı"),
        "widowed": ("Widowed", "Widow", "Widower", "W", "Dul"),
        "partnered": (
            "Partnered", "Domestic partnership", "Civil partnership", "Civil union",
            "In a relationship", "Partner", "Birlikte yaşıyor", "İlişkisi var",
        ),
    }
)

EDUCATION: dict[str, str] = _vocabulary(
    {
        "primary": ("Primary", "Primary school", "Elementary", "Elementary school", "İlkokul"),
        "secondary": ("Secondary", "Middle school", "Junior high", "Ortaokul", "İlköğretim"),
        "high_school": ("High school", "High-school", "Lise", "Meslek lisesi", "GED"),
        "associate": ("Associate", "Associate degree", "Ön lisans", "Önlisans", "Yüksekokul"),
        "bachelor": (
            "Bachelor", "Bachelor's", "Bachelors", "Bachelor's degree", "BA", "BSc", "BS",
            "Undergraduate", "University", "College", "Lisans", "Üniversite", "Fakülte",
        ),
        "master": (
            "Master", "Master's", "Masters", "Master's degree", "MA", "MSc", "MS", "MBA",
            "Graduate", "Yüksek lisans", "Yükseklisans",
        ),
        "doctorate": ("Doctorate", "PhD", "Ph.D.", "Doctoral", "Doktora", "Doçent", "Profesör"),
    }
)

INDUSTRY: dict[str, str] = _vocabulary(
    {
        "Technology": (
            "Tech", "IT", "Information Technology", "Software", "SaaS", "Internet",
            "Bilişim", "Teknoloji", "Yazılım", "Bilgi Teknolojileri",
        ),
        "Retail": ("Retail", "E-commerce", "Ecommerce", "Perakende", "E-ticaret", "Mağazacılık"),
        "Finance": (
            "Finance", "Financial Services", "Banking", "Bank", "Insurance", "Fintech",
            "Finans", "Banka", "Bankacılık", "Sigorta", "Sigortacılık",
        ),
        "Healthcare": (
            "Health", "Health Care", "Medical", "Pharma", "Pharmaceuticals", "Hospital",
            "Sağlık", "İlaç", "Hastane",
        ),
        "Manufacturing": ("Manufacturing", "Industrial", "Üretim", "İmalat", "Sanayi"),
        "Education": ("Education", "EdTech", "Eğitim", "Okul", "Üniversite"),
        "Hospitality": (
            "Hospitality", "Tourism", "Travel", "Hotels", "Turizm", "Otelcilik", "Konaklama",
            "Seyahat",
        ),
        "Construction": ("Construction", "İnşaat", "Yapı"),
        "Logistics": (
            "Logistics", "Transportation", "Shipping", "Supply Chain", "Lojistik", "Taşımacılık",
            "Nakliye", "Kargo",
        ),
        "Media": (
            "Media", "Entertainment", "Publishing", "Advertising", "Medya", "Reklam",
            "Yayıncılık",
        ),
        "Energy": ("Energy", "Utilities", "Oil & Gas", "Enerji"),
        "Agriculture": ("Agriculture", "Farming", "Agribusiness", "Tarım", "Hayvancılık"),
        "Telecommunications": (
            "Telecom", "Telecommunications", "Telco", "Telekom", "Telekomünikasyon",
        ),
        "Real Estate": ("Real Estate", "Property", "Gayrimenkul", "Emlak"),
        "Government": ("Government", "Public Sector", "Public Administration", "Kamu", "Devlet"),
        "Non-profit": (
            "Non-profit", "Nonprofit", "NGO", "Charity", "Sivil toplum", "STK", "Dernek", "Vakıf",
        ),
        "Professional Services": (
            "Professional Services", "Consulting", "Legal", "Accounting", "Danışmanlık",
            "Hukuk", "Muhasebe",
        ),
        "Automotive": ("Automotive", "Auto", "Otomotiv"),
        "Food & Beverage": (
            "Food & Beverage", "Food and Beverage", "F&B", "Food", "Restaurant", "Restaurants",
            "Gıda", "Yiyecek İçecek", "Yiyecek ve İçecek", "Restoran",
        ),
    }
)

CONSENT_STATUS: dict[str, str] = _vocabulary(
    {
        "granted": (
            "Granted", "Yes", "Y", "True", "1", "Opt-in", "Opted in", "Subscribed", "Accepted",
            "Agreed", "Onay", "Onaylandı", "Onaylı", "İzin verildi", "İzinli", "Evet", "Var",
        ),
        "denied": (
            "Denied", "No", "N", "False", "0", "Opt-out", "Opted out", "Declined", "Rejected",
            "Ret", "Red", "Reddedildi", "İzin verilmedi", "İzinsiz", "Hayır", "Yok",
        ),
        "withdrawn": (
            "Withdrawn", "Unsubscribed", "Revoked", "Geri çekildi", "Geri alındı", "İptal",
            "İptal edildi", "Abonelikten çıktı",
        ),
    }
)

# fmt: on

_CACHE_SIZE = 256
_custom_indexes: OrderedDict[int, tuple[Mapping[str, str], dict[str, Standardized[str]]]] = (
    OrderedDict()
)
_custom_lock = threading.Lock()


def fold_value(
    text: str | None,
    vocabulary: Mapping[str, str],
    *,
    closed: bool = False,
    attribute: str = "value",
) -> Standardized[str]:
    """The canonical value for ``text`` in ``vocabulary`` (keys: spellings, values: canonical).

    A miss returns the cleaned text for an open vocabulary, and the error
    ``<attribute>.unknown_value`` for a closed one.
    """
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY
    key = fold_key(cleaned)
    if not key:
        return _EMPTY
    hit = _index(vocabulary).get(key)
    if hit is not None:
        return hit
    if closed:
        return invalid(f"{attribute}.unknown_value", f"Not one of the known {attribute} values.")
    return Standardized(cleaned)


_Index = dict[str, Standardized[str]]
_last_custom: tuple[Mapping[str, str], _Index] | None = None


def _index(vocabulary: Mapping[str, str]) -> _Index:
    """Folded spelling → canonical result, built once per vocabulary.

    Built-in vocabularies are indexed at import. Others are cached by identity; a new
    mapping equal to the last one used (a caller merging the same vocabularies for every
    row) reuses its index instead of folding every spelling again.
    """
    global _last_custom
    builtin = _BUILTIN_INDEXES.get(id(vocabulary))
    if builtin is not None and builtin[0] is vocabulary:
        return builtin[1]
    last = _last_custom
    if last is not None and (last[0] is vocabulary or last[0] == vocabulary):
        return last[1]
    with _custom_lock:
        cached = _custom_indexes.get(id(vocabulary))
        if cached is not None and cached[0] is vocabulary:
            _custom_indexes.move_to_end(id(vocabulary))
            _last_custom = cached
            return cached[1]
    index = _build_index(vocabulary)
    with _custom_lock:
        # Holding the mapping keeps its id from being reused by another object.
        entry = _custom_indexes[id(vocabulary)] = (vocabulary, index)
        if len(_custom_indexes) > _CACHE_SIZE:
            _custom_indexes.popitem(last=False)
        _last_custom = entry
    return index


def _build_index(vocabulary: Mapping[str, str]) -> _Index:
    index: _Index = {}
    for spelling, canonical in vocabulary.items():
        key = fold_key(spelling)
        if key and key not in index:
            index[key] = Standardized(canonical)
    for canonical in set(vocabulary.values()):  # canonical values always map to themselves
        key = fold_key(canonical)
        if key:
            index[key] = Standardized(canonical)
    return index


_BUILTIN_INDEXES: dict[int, tuple[Mapping[str, str], _Index]] = {
    id(vocabulary): (vocabulary, _build_index(vocabulary))
    for vocabulary in (GENDER, MARITAL_STATUS, EDUCATION, INDUSTRY, CONSENT_STATUS)
}
