"""One clean person record turned into the columns the matcher compares.

The input is a clean record (canonical attributes, already standardized); every key is
optional and may be ``None``. Placeholders (``kimlik.resolve.placeholders``) become
``None``: a value that says nothing about the person must not count as evidence.

=======================  ==============================================================
column                   meaning
=======================  ==============================================================
first_name_key           ``fold_key`` of the first name: no case, accents, punctuation
                         or spaces; the Turkish i's unified ("İsmail" = "Ismail")
first_name_canon         the nickname-canonical first name ("Bob" → "robert"); the
                         key itself when the name is not in the nickname table
first_name_metaphone     metaphone code of first_name_key
last_name_key            ``fold_key`` of the last name; when missing, the surname the
                         email spells (``email_names``: "jean" + "jeanwilson@…" → "wilson")
last_name_metaphone      metaphone code of last_name_key
email_key                the email matching key (``email_matching_key``)
email_local              the part of email_key before the @
email_domain             the part of email_key after the @
email_letters            the letters of email_local ("j.doe_84" → "jdoe"): two addresses
                         one edit apart that differ only in separators or digits are
                         two people's name-based addresses, not a typo
email_named              1 when the local part only spells the record's own name
                         ("hasan.kaya76", "m.kaya"), else 0: two such addresses agreeing
                         repeat the name evidence, they do not add to it
email_spelling           email_letters, unless they are only the first name
                         ("richard1954" for Rick): a spelling of the name, for blocking
email_surname            the surname the address spells when it is not last_name_key
                         ("caliskan.aile" for Gül Yıldırım): a family or maiden name,
                         for blocking only
phone                    E.164 number
phone_suffix             its last 7 digits, which survive a wrong country or area code
birth_date               ISO text "YYYY-MM-DD"
birth_year               year, int
birth_month              month, int; with birth_day for day/month swap checks
birth_day                day, int
birth_year_hint          birth_year, or else a year the address carries
                         ("zeliha1968@…"), for blocking only
street_key               ``normalize_street`` of the street line
postal_code_key          postal code, upper case, no spaces or hyphens
address_key              "street_key | postal_code_key", one column for both, because
                         they are strongly correlated and Splink over-counts correlated
                         evidence (GUIDE §5); a missing side is empty ("| 34000"
                         keeps its place), ``None`` when both are missing
city_key                 ``fold_key`` of the city
country                  ISO alpha-2 country, upper case
external_id              "name:value" of the first configured identifier attribute the
                         record has (``external_id``, set by the caller), folded
=======================  ==============================================================

Nicknames come from the ``nicknames`` package, whose table is symmetric in places (Bob
lists Robert as *its* nickname, Bill lists Robert). The canonical is therefore chosen by
rank, not by direction: among the name and the names that list it as a nickname, the one
with the most nicknames (alphabetical on ties), followed until it is its own canonical.
The rank strictly improves at each step, so the walk ends. "bob" → "robert",
"bill" → "william", "liz" → "elizabeth". The three edges tying Bill to Robert are dropped,
and Turkish given names the table reads as English nicknames (Ali → Alison, Mert →
Myrtle) are taken out of it. One canonical cannot capture every family (Tony is listed
under Antoinette and Anthony); ``are_nickname_variants`` answers the pairwise question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

import jellyfish
from nicknames import NickNamer

from kimlik.resolve.email_names import email_year, spells_name, surname_from_email
from kimlik.resolve.placeholders import (
    is_placeholder_date,
    is_placeholder_email,
    is_placeholder_name,
    is_placeholder_phone,
)
from kimlik.standardize.address import normalize_street
from kimlik.standardize.email import email_matching_key
from kimlik.standardize.text import fold_key

FEATURE_COLUMNS: tuple[str, ...] = (
    "first_name_key",
    "first_name_canon",
    "first_name_metaphone",
    "last_name_key",
    "last_name_metaphone",
    "email_key",
    "email_local",
    "email_domain",
    "email_letters",
    "email_named",
    "email_spelling",
    "email_surname",
    "phone",
    "phone_suffix",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_year_hint",
    "street_key",
    "postal_code_key",
    "address_key",
    "city_key",
    "country",
    "external_id",
)

#: Bumped whenever a column's meaning changes: stored features of another version are
#: computed again, and a match index built from them is rebuilt.
FEATURES_VERSION = 2
#: The key stored features carry their version under (``identity.repository``).
VERSION_KEY = "features_version"

# (canonical, nickname) edges of the table that are wrong often enough to mislead.
_WRONG_EDGES = (("bill", "robert"), ("robert", "bill"), ("robert", "billy"))
# Common Turkish given names that the English table reads as nicknames of other names.
_NOT_NICKNAMES = frozenset({"ali", "mert", "ada", "naz", "selma"})
_PHONE_SUFFIX_DIGITS = 7


def match_features(record: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison columns of one clean person record, keyed as ``FEATURE_COLUMNS``."""
    first, canon, first_metaphone = _first_name_parts(record.get("first_name"))
    last, last_metaphone = _last_name_parts(record.get("last_name"))
    email_key = _email_key(record.get("email"), record.get("email_key"))
    local, _, domain = email_key.rpartition("@") if email_key else (None, None, None)
    email_surname = surname_from_email(local, first, canon)
    if last is None and email_surname is not None:
        last, last_metaphone = email_surname, _metaphone(email_surname)
    letters = "".join(ch for ch in local or "" if ch.isalpha()) or None
    # "richard1954" for Rick: the first name alone, as a nickname family knows it
    only_first = bool(
        letters and first and (letters in (first, canon) or are_nickname_variants(letters, first))
    )
    named = bool(letters) and (only_first or spells_name(letters or "", first, last, canon))
    phone = _phone(record.get("phone"))
    birth = _birth_date(record.get("birth_date"))
    street = normalize_street(_text(record.get("street")))
    postal = _postal_key(record.get("postal_code"))
    return {
        "first_name_key": first,
        "first_name_canon": canon,
        "first_name_metaphone": first_metaphone,
        "last_name_key": last,
        "last_name_metaphone": last_metaphone,
        "email_key": email_key,
        "email_local": local or None,
        "email_domain": domain or None,
        "email_letters": letters,
        "email_named": None if letters is None else int(named),
        "email_spelling": letters if letters and not only_first else None,
        "email_surname": email_surname if email_surname != last else None,
        "phone": phone,
        "phone_suffix": _phone_suffix(phone),
        "birth_date": birth.isoformat() if birth else None,
        "birth_year": birth.year if birth else None,
        "birth_month": birth.month if birth else None,
        "birth_day": birth.day if birth else None,
        "birth_year_hint": birth.year if birth else email_year(local),
        "street_key": street,
        "postal_code_key": postal,
        "address_key": " | ".join((street or "", postal or "")) if street or postal else None,
        "city_key": _city_key(record.get("city")),
        "country": _country(record.get("country")),
        "external_id": _external_id(record.get("external_id")),
    }


# Names, cities, postal codes and countries repeat across a store: each distinct value is
# worked out once (a third of the time features took on a million records).
_MEMO = 1 << 17


@lru_cache(maxsize=_MEMO)
def _first_name_parts(name: Any) -> tuple[str | None, str | None, str | None]:
    """(key, nickname canonical, metaphone) of a first name."""
    first = _name_key(name)
    if first is None:
        return None, None, None
    return first, nickname_canonical(first) or first, _metaphone(first)


@lru_cache(maxsize=_MEMO)
def _last_name_parts(name: Any) -> tuple[str | None, str | None]:
    """(key, metaphone) of a last name."""
    last = _name_key(name)
    return last, _metaphone(last)


@lru_cache(maxsize=_MEMO)
def _city_key(city: Any) -> str | None:
    text = _text(city)
    return (fold_key(text) or None) if text else None


@lru_cache(maxsize=_MEMO)
def _country(country: Any) -> str | None:
    text = _text(country)
    return text.upper() if text else None


def _phone(value: Any) -> str | None:
    phone = _text(value)
    return None if phone is not None and is_placeholder_phone(phone) else phone


def nickname_canonical(name: str | None) -> str | None:
    """The canonical first name for ``name`` ("Bob" → "robert"), or ``None`` if unknown."""
    key = fold_key(name) if name else ""
    return _canonical(key) if key else None


def are_nickname_variants(a: str | None, b: str | None) -> bool:
    """True when two first names can be one person's: the same, a nickname, or siblings.

    "Bob"/"Robert" (nickname), "Bob"/"Bobby" (both nicknames of Robert), "Bill"/"William".
    """
    key_a = fold_key(a) if a else ""
    key_b = fold_key(b) if b else ""
    if not key_a or not key_b:
        return False
    return key_a == key_b or _variants(key_a, key_b)


@lru_cache(maxsize=_MEMO)
def _variants(key_a: str, key_b: str) -> bool:
    namer = _namer()
    # Each side with the names it is a nickname of: overlap means one is the other's
    # nickname, or both are nicknames of a third name.
    if not (namer.canonicals_of(key_a) | {key_a}).isdisjoint(namer.canonicals_of(key_b) | {key_b}):
        return True
    found_a, found_b = _canonical(key_a), _canonical(key_b)
    return found_a is not None and found_a == found_b


@cache
def _namer() -> NickNamer:
    """The nickname table, built on first use (a few ms) rather than at import."""
    lookup: dict[str, set[str]] = NickNamer.default_lookup()
    for canonical, nickname in _WRONG_EDGES:
        lookup.get(canonical, set()).discard(nickname)
    cleaned = {
        key: {nick for nick in nicks if nick not in _NOT_NICKNAMES}
        for key, nicks in lookup.items()
        if key not in _NOT_NICKNAMES
    }
    return NickNamer(nickname_lookup={key: nicks for key, nicks in cleaned.items() if nicks})


@lru_cache(maxsize=_MEMO)
def _canonical(key: str) -> str | None:
    namer = _namer()
    if not namer.canonicals_of(key) and not namer.nicknames_of(key):
        return None
    current = key
    while True:
        candidates = namer.canonicals_of(current) | {current}
        best: str = min(candidates, key=lambda name: (-len(namer.nicknames_of(name)), name))
        if best == current:
            return current
        current = best


def _name_key(name: Any) -> str | None:
    text = _text(name)
    if text is None or is_placeholder_name(text):
        return None
    return fold_key(text) or None


def _email_key(email: Any, key: Any) -> str | None:
    address, matching = _text(email), _text(key)
    if matching is None and address is not None:
        matching = email_matching_key(address)
    if matching is None or "@" not in matching:
        return None
    if is_placeholder_email(matching) or (address is not None and is_placeholder_email(address)):
        return None
    return matching


def _birth_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.date) or is_placeholder_date(value):
        return None
    return value


@lru_cache(maxsize=_MEMO)
def _postal_key(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return "".join(ch for ch in text.upper() if ch not in " -") or None


def _phone_suffix(phone: str | None) -> str | None:
    digits = "".join(ch for ch in phone if ch.isdigit()) if phone else ""
    return digits[-_PHONE_SUFFIX_DIGITS:] if len(digits) >= _PHONE_SUFFIX_DIGITS else None


def external_id(custom: Mapping[str, Any] | None, names: Sequence[str]) -> str | None:
    """``name:VALUE`` (folded) of the first of ``names`` that ``custom`` holds a value for."""
    for name in names:
        value = _external_id(f"{name}:{_text((custom or {}).get(name)) or ''}")
        if value is not None:
            return value
    return None


def _external_id(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    name, _, identifier = text.partition(":")
    folded = "".join(ch for ch in identifier.upper() if ch.isalnum())
    return f"{name}:{folded}" if folded else None


def _metaphone(key: str | None) -> str | None:
    return (jellyfish.metaphone(key) or None) if key else None


def _text(value: Any) -> str | None:
    """A stripped, non-empty string, or ``None`` (numbers are read as their text)."""
    if value is None or isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else str(value).strip()
    return text or None
