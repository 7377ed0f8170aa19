"""Person names: titles removed, shouting and whispering fixed, everything else left alone.

A name typed in mixed case ("McDonald", "van der Berg", "DeShawn") is the person's own
spelling and is kept. Only ALL-UPPER and all-lower input is re-cased, because that is a
system's doing, not the person's.

Re-casing Turkish names is where generic title-casing goes wrong: Turkish has a dotted
and a dotless i in both cases (i/İ, ı/I). The rules used here:

* upper input: a word with Ğ, Ş or İ is lowered with Turkish rules (I→ı, İ→i), so
  "IŞIK" → "Işık" and "İLKER" → "İlker"; when the value contains İ anywhere, the
  producer upper-cased with Turkish rules, so every I in it is a dotless one
  ("MEHMET ALİ KIRIMLI" → "Mehmet Ali Kırımlı"). Otherwise I→i ("WILLIAM" → "William").
  "ISMAIL" alone therefore becomes "Ismail": without a Turkish letter nothing says the
  I was dotted, and guessing would break every English name.
* lower input: when the value contains ğ, ş or ı, an initial i becomes İ
  ("ayşe ilknur" → "Ayşe İlknur"); otherwise I ("ismail" → "Ismail", undecidable).
* Mc is always capitalised after ("mcdonald" → "McDonald"); Mac only for a short list of
  surnames, since Mackenzie, Macey and Machado are not Mac-Kenzie. O', D', L' capitalise
  the next letter; hyphenated parts are cased separately ("jean-luc" → "Jean-Luc").
* Particles inside a multi-word name stay lower ("van der berg" → "van der Berg").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import Constants

from kimlik.standardize.result import Issue, Standardized
from kimlik.standardize.text import fold_key, normalize_text

_TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "mister",
        "bay", "bayan", "sayin", "sn", "av", "doc", "uzm",
    }
)  # fmt: skip
_TITLE_STARTS = frozenset(title[:2] for title in _TITLES) | {"op", "sa", "do"}
_SUFFIX_STARTS = frozenset({"bey", "han"})
# Titles that are also surnames: alone, they are the name (a last name "Bay" or "Sayın").
_TITLE_SURNAMES = frozenset({"bay", "bayan", "sayin"})
_ADDRESS_SUFFIXES = frozenset({"bey", "hanim", "beyefendi", "hanimefendi"})
_LEADING_WORD = re.compile(r"([^\W\d_]+)(\.?)(?:\s+|$|(?<=\.)(?=[^\W\d_]))")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das",
     "le", "la", "ten", "ter", "zu", "bin", "ibn"}
)  # fmt: skip
_MAC_SURNAMES = frozenset(
    {"macdonald", "macleod", "macgregor", "macarthur", "maclean", "macmillan", "macneil",
     "macpherson", "macdougall", "macintyre", "mackinnon", "macaulay", "macintosh", "mackay",
     "maclachlan", "macrae", "macfarlane", "macqueen"}
)  # fmt: skip
_SEGMENTS = re.compile(r"([-'’])")
_TURKISH_UPPER = frozenset("ĞŞİ")
_TURKISH_LOWER = frozenset("ğşı")
_EMPTY_NAME: Standardized[str] = Standardized(None)
_EMPTY_PAIR: Standardized[tuple[str | None, str | None]] = Standardized(None)


def standardize_name(text: str | None) -> Standardized[str]:
    """One first or last name: titles removed, ALL-CAPS or all-lower re-cased.

    Error ``name.invalid`` for digits, an email address, no letters, or only a title.
    """
    return _standardize_name(text, None)


@lru_cache(maxsize=65536)
def _standardize_name(text: str | None, context: str | None) -> Standardized[str]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY_NAME
    name = _strip_titles(cleaned)
    if not name:
        return _invalid("The name is only a title.")
    if not name.replace(" ", "").isalpha():  # the common case skips the three checks
        if "@" in name:
            return _invalid("The name looks like an email address.")
        if any(ch.isdigit() for ch in name):
            return _invalid("The name contains digits.")
        if not any(ch.isalpha() for ch in name):
            return _invalid("The name has no letters.")
    return Standardized(_recase(name, context or name))


def _strip_titles(name: str) -> str:
    """Remove leading honorifics ("Prof. Dr.", "Sayın") and a trailing "Bey"/"Hanım"."""
    rest = name
    # Cheap screens first: almost no name starts like a title or ends in Bey/Hanım.
    leading = name[:2].lower() in _TITLE_STARTS
    while leading:
        match = _LEADING_WORD.match(rest)
        if match is None:
            break
        word = fold_key(match.group(1))
        after = rest[match.end() :]
        if word == "op":  # "Op. Dr." (operating doctor); "Op" alone is not a title
            follow = _LEADING_WORD.match(after)
            if follow is None or fold_key(follow.group(1)) != "dr":
                break
        elif word not in _TITLES:
            break
        rest = after
    if not rest:
        only = fold_key(name)
        return name if only in _TITLE_SURNAMES and " " not in name else ""
    while " " in rest:
        head, _, last = rest.rpartition(" ")
        if last[:3].lower() not in _SUFFIX_STARTS or fold_key(last) not in _ADDRESS_SUFFIXES:
            return rest
        rest = head
    return rest


def _recase(name: str, context: str) -> str:
    """Title-case ALL-UPPER or all-lower ``name``; leave mixed case as typed.

    ``context`` is the whole value the name came from (the full name when splitting),
    which decides whether its I's are Turkish.
    """
    cased = _recase_step(name, context)
    # Exotic letters can title-case into text that is again all upper or all lower
    # ("ŉ" → "ʼN"); step on until nothing changes, so that standardizing twice is a no-op.
    for _ in range(4):
        if not (cased.isupper() or cased.islower()):
            break
        again = _recase_step(cased, cased)
        if again == cased:
            break
        cased = again
    return cased


def _recase_step(name: str, context: str) -> str:
    if name.isupper():
        upper = True
        all_turkish = "İ" in context
    elif name.islower():
        upper = False
        all_turkish = not _TURKISH_LOWER.isdisjoint(context)
    else:
        return name
    words = name.split(" ")
    last = len(words) - 1
    out = []
    for index, word in enumerate(words):
        if index < last and word.lower() in _PARTICLES:
            out.append(word.lower())
            continue
        turkish = all_turkish or (upper and not _TURKISH_UPPER.isdisjoint(word))
        out.append(_case_word(word, upper, turkish))
    cased = " ".join(out)
    return cased if unicodedata.is_normalized("NFC", cased) else unicodedata.normalize("NFC", cased)


def _case_word(word: str, upper: bool, turkish: bool) -> str:
    if "-" not in word and "'" not in word and "’" not in word:
        return _title(word, upper, turkish)
    parts = _SEGMENTS.split(word)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 or not part:
            out.append(part)  # a separator, or empty between two separators
            continue
        after_apostrophe = index >= 2 and parts[index - 1] in "'’"
        if after_apostrophe and len(parts[index - 2]) != 1:
            out.append(_lower(part, upper, turkish))  # "Dell'acqua", "Ayşe'nin"
        else:
            out.append(_title(part, upper, turkish))
    return "".join(out)


def _title(part: str, upper: bool, turkish: bool) -> str:
    lowered = _lower(part, upper, turkish)
    if lowered.startswith("mc") and len(lowered) > 2:
        return "Mc" + _title(lowered[2:], False, turkish)
    if lowered in _MAC_SURNAMES:
        return "Mac" + _title(lowered[3:], False, turkish)
    first = lowered[0]
    if turkish and first in "iı":
        head = "İ" if first == "i" else "I"
    else:
        head = first.title()
    return head + lowered[1:]


def _lower(part: str, upper: bool, turkish: bool) -> str:
    if not upper:
        return part
    if turkish:
        return part.replace("I", "ı").replace("İ", "i").lower()
    return part.lower()


def _invalid(message: str) -> Standardized[str]:
    return Standardized(None, (Issue("name.invalid", message),))


# --- full names ---------------------------------------------------------------------


def split_full_name(text: str | None) -> Standardized[tuple[str | None, str | None]]:
    """Split a single "Name" / "Ad Soyad" column into (first, last).

    The last word (with particles such as "van der") is the last name; everything before
    it, middle names included, is the first name: "Ayşe Nur Yılmaz" → ("Ayşe Nur",
    "Yılmaz"). "Yılmaz, Ayşe" reads last-name-first. One word gives (word, None).
    Each part is cased as ``standardize_name`` would, with the whole value as context.
    """
    return _split_full_name(text)


@lru_cache(maxsize=65536)
def _split_full_name(text: str | None) -> Standardized[tuple[str | None, str | None]]:
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY_PAIR
    name = _strip_titles(cleaned)
    if not name:
        return Standardized(None, (Issue("name.invalid", "The name is only a title."),))
    first, last = _split(name)
    parts: list[str | None] = []
    issues: list[Issue] = []
    for part in (first, last):
        if part is None:
            parts.append(None)
            continue
        result = _standardize_name(part, name)
        parts.append(result.value)
        issues.extend(result.issues)
    if issues:
        return Standardized(None, tuple(issues))
    return Standardized((parts[0], parts[1]))


def _split(name: str) -> tuple[str | None, str | None]:
    words = name.split(" ")
    if len(words) == 1:
        return name, None
    if not _needs_parser(words):
        return " ".join(words[:-1]), words[-1]
    parsed = HumanName(name, constants=_constants())
    first = " ".join(part for part in (parsed.first, parsed.middle) if part) or None
    last = " ".join(part for part in (parsed.last, parsed.suffix) if part) or None
    if first is None and last is None:
        return name, None
    if last is None and first is not None and "," not in name:
        head, _, tail = first.rpartition(" ")
        return (head or tail, tail if head else None)
    return first, last


def _needs_parser(words: list[str]) -> bool:
    """True when nameparser has something to add: commas, quotes, particles, suffixes."""
    special = _parser_words()
    for word in words:
        if any(ch in ",\"'’()" for ch in word):
            return True
        if word.lower().replace(".", "") in special:
            return True
    return False


@lru_cache(maxsize=1)
def _constants() -> Constants:
    # nameparser's default titles include words that are Turkish given names ("Sultan",
    # "Hakim", "Imam"); titles are removed before parsing, so it gets only ours.
    return Constants(titles=sorted(_TITLES | {"sayın", "doç", "op"}), first_name_titles=())


@lru_cache(maxsize=1)
def _parser_words() -> frozenset[str]:
    constants = _constants()
    words: set[str] = set()
    for group in (
        constants.prefixes,
        constants.suffix_acronyms,
        constants.suffix_not_acronyms,
        constants.suffix_acronyms_ambiguous,
        constants.conjunctions,
        constants.titles,
        constants.bound_first_names,
    ):
        words.update(group)
    return frozenset(words)
