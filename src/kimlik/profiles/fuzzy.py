"""Similar names: the profiles a misspelled name means, found by sound key, kept by score.

When a name's prefix search runs out of results, the typed words are read every way a
person may have meant them: first name then last name (at most ``MAX_SPLITS`` splits),
the words swapped ("Yilmaz Ayse"), or all of them a last name. Each reading seeks the
index on the stored keys (``ix_profiles_name_keys``, see ``name_keys``): the last name's key,
or a near key (one consonant dropped or two swapped: "Yimlaz", "Yilmanz"), and, when a
first name was typed, first-name keys starting with the same letter as the typed one's
or as its nickname family's ("Bob" also seeks R for Robert). Each seek reads at most
``MAX_CANDIDATES`` rows, so a common key costs the same as a rare one.

Candidates are then scored on the folded names with Jaro-Winkler (rapidfuzz), which
forgives what the keys let through and drops unrelated people who share a key ("Koyu"
for "Kaya"): the last name must reach ``THRESHOLD``, as typed or as both are spelled
(``name_keys.spelling``: "Aisha" meets "Ayşe" as aisa, aise); so must the first name,
unless it is a nickname of the typed one ("Bob" for Robert).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import JaroWinkler
from sqlalchemy import ColumnElement, and_, or_

from kimlik.profiles.name_keys import (
    first_name_key,
    last_name_key,
    name_words,
    spelling,
    word_key,
)
from kimlik.resolve.features import are_nickname_variants, nickname_canonical
from kimlik.store.tables import profiles

#: Word splits tried (first name words | last name words), as the prefix search.
MAX_SPLITS = 3
#: Rows read per similar-name search, whatever the key's popularity.
MAX_CANDIDATES = 500
#: Least Jaro-Winkler similarity of a typed name part and the stored one.
THRESHOLD = 0.8
#: Score of a first name that is a nickname of the typed one.
NICKNAME = 0.95
#: Shortest typed key whose near keys are sought (shorter ones are too common).
NEAR_FROM = 3


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read the typed words: a first name (maybe empty) and a last name."""

    first: str
    last: str


def readings(name: str) -> list[Reading]:
    """Every (first name, last name) reading of folded words, the swapped ones last."""
    words = name.split()
    found = [
        Reading(" ".join(words[:k]), " ".join(words[k:]))
        for k in range(min(len(words), MAX_SPLITS))
    ]
    found += [
        Reading(" ".join(words[k:]), " ".join(words[:k]))
        for k in range(1, min(len(words), MAX_SPLITS))
    ]
    return [reading for reading in found if name_words(reading.last)]


def seeks(name: str) -> list[ColumnElement[bool]]:
    """One seek of the keys' index per reading, those naming a first name first (each is
    read with its own ``MAX_CANDIDATES``, so a common last name alone cannot crowd out a
    reading that names the person)."""
    p = profiles.c
    found: list[ColumnElement[bool]] = []
    for reading in sorted(readings(name), key=lambda reading: not reading.first):
        lasts = sorted(near_keys(last_name_key(reading.last) or ""))
        condition: ColumnElement[bool] = p.last_name_key.in_(lasts)
        letters = _first_letters(reading.first)
        if letters:
            ranges = [
                and_(p.first_name_key >= letter, p.first_name_key < chr(ord(letter) + 1))
                for letter in sorted(letters)
            ]
            condition = and_(condition, or_(*ranges))
        found.append(condition)
    return found


def near_keys(key: str) -> set[str]:
    """``key``, and for a long enough key, those one consonant shorter or with two
    consonants swapped (the first letter stays: people get it right)."""
    found = {key} if key else set()
    if len(key) < NEAR_FROM:
        return found
    for at in range(1, len(key)):
        found.add(key[:at] + key[at + 1 :])
        if at + 1 < len(key):
            found.add(key[:at] + key[at + 1] + key[at] + key[at + 2 :])
    return found


def _first_letters(first: str) -> set[str]:
    """First letters of the typed first name's key and of its nickname family's."""
    key = first_name_key(first)
    if not key:
        return set()
    canonical = nickname_canonical(name_words(first)[0])
    return {key[0], *(word_key(canonical)[:1] if canonical else "")}


def rank(rows: Iterable[dict[str, Any]], name: str, room: int) -> list[dict[str, Any]]:
    """The ``room`` best ``rows`` similar enough to the typed ``name``, best first (then
    by id), each with its ``score``. Each distinct pair of names is scored once (a
    common surname brings hundreds of rows and a few dozen names)."""
    options = readings(name)
    memo: dict[tuple[Any, Any], float] = {}
    scored = []
    for row in rows:
        names = (row.get("first_name"), row.get("last_name"))
        if names not in memo:
            memo[names] = max((similarity(reading, *names) for reading in options), default=0)
        if memo[names] > 0:
            scored.append((-memo[names], int(row["id"]), row))
    scored.sort(key=lambda item: item[:2])
    return [{**row, "score": round(-score, 3)} for score, _, row in scored[:room]]


def similarity(reading: Reading, first_name: str | None, last_name: str | None) -> float:
    """How alike a reading and a profile's names are (0 when a part falls short)."""
    last = _best(reading.last, name_words(last_name), from_end=True)
    if last < THRESHOLD:
        return 0.0
    if not reading.first:
        return last
    stored = name_words(first_name)
    first = _best(reading.first, stored, from_end=False)
    typed = name_words(reading.first)[0]
    if stored and first < NICKNAME and are_nickname_variants(typed, stored[0]):
        first = NICKNAME
    return 0.0 if first < THRESHOLD else (last + first) / 2


def _best(typed: str, words: tuple[str, ...], *, from_end: bool) -> float:
    """Best Jaro-Winkler of the typed part against the stored name's leading (first
    names) or trailing (last names) words, so "Ayse" meets "Ayşe Nur" as "ayse"; as
    typed or as both are spelled (``spelling``: "aisha" meets "ayşe" as aisa, aise)."""
    typed_words = name_words(typed)
    if not typed_words or not words:
        return 0.0
    text, spelled = " ".join(typed_words), " ".join(map(spelling, typed_words))
    return max(
        max(JaroWinkler.similarity(text, plain), JaroWinkler.similarity(spelled, alike))
        for plain, alike in _parts(words, from_end)
    )


@lru_cache(maxsize=65536)
def _parts(words: tuple[str, ...], from_end: bool) -> list[tuple[str, str]]:
    """The leading or trailing words of a stored name, as stored and as spelled."""
    parts = [words[-k:] if from_end else words[:k] for k in range(1, len(words) + 1)]
    return [(" ".join(part), " ".join(map(spelling, part))) for part in parts]
