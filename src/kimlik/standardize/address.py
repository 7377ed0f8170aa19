"""Street lines in a matching form: one spelling for "St." / "Street", "Cad." / "Caddesi".

The stored street keeps what the person typed; ``normalize_street`` builds a throw-away
key for comparing two street lines, so it is lossy in the same way as
``kimlik.standardize.text.fold_key``: no case, accents or punctuation, the Turkish i's
unified. Words stay apart (token overlap needs them) and abbreviations are expanded, in
English and Turkish, so that "12 Main St., Apt 4", "12 main street apartment 4" and
"12 Main Street #4" all give ``"12 main street apt 4"``, and "Atatürk Cad. No:5 D:3"
gives ``"ataturk caddesi no 5 daire 3"``.

Rules worth knowing:

* every unit word (Apt, Apartment, Unit, Ste, Suite, #, Turkish Apt/Apartmanı) becomes
  ``apt``; a repeated marker ("Apt #4") is written once;
* numbers and letters are split ("4B" → "4 b", "No5" → "no 5"), except ordinals
  ("1st", "42nd"), so "4B", "4-B" and "4 B" agree;
* "St" and "Dr" are street types only where a street type stands: at the end, or before
  a number, a unit word or a direction. Before a name they are titles: "St. John's Rd" →
  "saint johns road", "Dr. Sadık Ahmet Cad." keeps "dr";
* "D" and "K" mean daire and kat only before a number ("D:3", "K:2"), so "Blok D" stays.

Words are rewritten right to left, each looking at its already rewritten neighbour, and
every replacement is a fixed point, which makes the function idempotent.
"""

from __future__ import annotations

import re

from kimlik.standardize.text import fold_key, normalize_text

# Abbreviations that mean one thing wherever they stand.
_ALWAYS = {
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "ln": "lane",
    "apt": "apt",
    "apartment": "apt",
    "apartmani": "apt",
    "unit": "apt",
    "ste": "apt",
    "suite": "apt",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
    "cd": "caddesi",
    "cad": "caddesi",
    "cadde": "caddesi",
    "sk": "sokak",
    "sok": "sokak",
    "sokagi": "sokak",
    "mah": "mahallesi",
    "mh": "mahallesi",
    "mahalle": "mahallesi",
    "mahallesi": "mahallesi",
    "blv": "bulvari",
    "bulv": "bulvari",
    "bulvar": "bulvari",
    "numara": "no",
    "no": "no",
}
# Street types that are also titles ("St. John", "Dr. Sadık Ahmet"): (as type, as title).
_TYPE_OR_TITLE = {"st": ("street", "saint"), "dr": ("drive", "dr")}
# Single letters that are Turkish unit words only before a number ("D:3", "K:2").
_BEFORE_NUMBER = {"d": "daire", "k": "kat"}
# Words after which "St"/"Dr" must be a street type. The direction words are there because
# "Main St N" means north; "apt", "no", "daire" and "kat" start the unit part.
_ENDS_STREET = frozenset(
    {"apt", "no", "daire", "kat", "north", "south", "east", "west"}
    | {"northeast", "northwest", "southeast", "southwest"}
)
_MARKERS = frozenset({"apt", "no", "daire", "kat"})
_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_SEPARATORS = re.compile(r"[\W_]+")
# Digit runs with an optional English ordinal suffix, digit runs, and everything else.
_PIECES = re.compile(r"\d+(?:st|nd|rd|th)(?!\D)|\d+|\D+")


def normalize_street(text: str | None) -> str | None:
    """The matching form of a street line, or ``None`` when nothing is left of it.

    ``normalize_street("12 Main St., Apt 4") == normalize_street("12 Main Street #4")``.
    """
    cleaned = normalize_text(text)
    if cleaned is None:
        return None
    words = _words(cleaned.replace("#", " apt ").translate(_APOSTROPHES))
    out: list[str] = []
    for word in reversed(words):
        following = out[-1] if out else None
        rewritten = _rewrite(word, following)
        if rewritten in _MARKERS and rewritten == following:
            continue  # "Apt #4", "No: No 5": the marker once
        out.append(rewritten)
    return " ".join(reversed(out)) or None


def street_tokens(text: str | None) -> frozenset[str]:
    """The words of ``normalize_street(text)``, for token-overlap comparisons."""
    normalized = normalize_street(text)
    return frozenset(normalized.split(" ")) if normalized else frozenset()


def _words(text: str) -> list[str]:
    """Folded words, with digit runs split from letters ("4B" → "4", "b")."""
    words: list[str] = []
    for part in _SEPARATORS.split(text):
        folded = fold_key(part) if part else ""
        if folded:
            words.extend(_PIECES.findall(folded))
    return words


def _rewrite(word: str, following: str | None) -> str:
    """The expanded form of ``word``, given the already rewritten word after it."""
    expanded = _ALWAYS.get(word)
    if expanded is not None:
        return expanded
    if word in _TYPE_OR_TITLE:
        as_type, as_title = _TYPE_OR_TITLE[word]
        return as_type if _ends_street(following) else as_title
    if word in _BEFORE_NUMBER and following is not None and following[0].isdigit():
        return _BEFORE_NUMBER[word]
    return word


def _ends_street(following: str | None) -> bool:
    return following is None or following[0].isdigit() or following in _ENDS_STREET
