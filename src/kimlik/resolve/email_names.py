"""Reading a missing name out of an email address.

Sign-up forms ask for an email and a first name; the surname is often only in the
address: ``jean`` + ``jeanwilson@…``, ``tugba`` + ``sahin.tugba@…``, ``mahmut`` +
``m.kaya2@…``. Family addresses name the household: ``millerfamily@…``,
``kayaailesi2@…`` (Turkish *ailesi*, "family"), ``thehalls@…``. Without the surname such
a record shares only a first name with its other copies, which no matcher may link on;
with it, the record competes on the full name like any other.

The inferred name is a match feature only: it never becomes a golden value. It is read
only where the address agrees with the name the record does have, so ``sandra`` +
``johnson.home2@…`` gives ``johnson``, while ``gabriel`` + ``gabriel1954@…`` gives
nothing (no surname in it) and ``ahmet`` + ``kayaailesi@…`` gives ``kaya``.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

#: Words that make an address a household's, in English and Turkish.
_FAMILY = r"(?:family|fam|household|home|ailesi|aile)"
_FAMILY_SUFFIX = re.compile(rf"^(?:the)?([a-z]{{2,}}?)[._-]?{_FAMILY}[._-]?\d*$")
_FAMILY_PREFIX = re.compile(rf"^{_FAMILY}[._-]([a-z]{{2,}})\d*$")
_THE_PLURAL = re.compile(r"^the([a-z]{2,})s\d*$")
_SEPARATORS = re.compile(r"[._-]+")
_TRAILING_DIGITS = re.compile(r"\d+$")
_LETTERS = re.compile(r"^[a-z]+$")
#: Shorter remainders are initials or noise ("jo" + "hn"), not surnames.
_MIN_SURNAME = 3
#: A first name this long may carry one typo and still be recognised in an address.
_MIN_FUZZY_NAME = 4
#: A plausible birth year standing alone among the digits of an address.
_YEAR = re.compile(r"(?<!\d)(19[3-9]\d|20[01]\d)(?!\d)")


def family_name(local: str | None) -> str | None:
    """The surname in a household address (``millerfamily2`` → ``miller``), if any."""
    if not local:
        return None
    for pattern in (_FAMILY_SUFFIX, _FAMILY_PREFIX, _THE_PLURAL):
        match = pattern.match(local)
        if match and len(match[1]) >= _MIN_SURNAME:
            return match[1]
    return None


def surname_from_email(
    local: str | None, first: str | None, canon: str | None = None
) -> str | None:
    """The surname an email's local part spells next to ``first`` (both folded keys).

    ``jean.wilson`` / ``jeanwilson`` / ``wilson_jean`` / ``j.wilson`` with ``jean`` →
    ``wilson``. The first name in the address may be the record's with one typo
    (``esra.aydin`` for ``esraa``) or its nickname family (``gregory.clark`` for ``greg``,
    given ``canon``, the nickname-canonical first name). A household address gives its
    surname whatever the first name.
    """
    if not local:
        return None
    family = family_name(local)
    if family is not None or not first:
        return family
    core = _TRAILING_DIGITS.sub("", local)
    tokens = [t for t in _SEPARATORS.split(core) if t]
    if len(tokens) == 2:
        a, b = tokens
        for mine, other in ((a, b), (b, a)):
            initial = len(mine) == 1 and first.startswith(mine)
            if (initial or _names_first(mine, first, canon)) and _surname(other):
                return other
        return None
    if len(tokens) != 1:
        return None
    # Run together, a typo would make the cut ambiguous ("hasanokur" for "hasann"): the
    # first name must be there as it is, or as its canonical (the longer one tried first:
    # "gregoryclark" is "gregory" + "clark", not "greg" + "oryclark").
    for name in sorted({n for n in (first, canon) if n}, key=len, reverse=True):
        if core.startswith(name) and _surname(core[len(name) :]):
            return core[len(name) :]
        if core.endswith(name) and _surname(core[: -len(name)]):
            return core[: -len(name)]
    return None


def email_year(local: str | None) -> int | None:
    """A birth year an address carries (``zeliha1968``, ``j.smith_1985``), if any."""
    if not local:
        return None
    match = _YEAR.search(local)
    return int(match[1]) if match else None


def _names_first(token: str, first: str, canon: str | None) -> bool:
    """Whether a separated ``token`` is the first name: itself, its canonical, or one typo
    away (``esra`` for ``esraa``; not below four letters, where one typo is another name)."""
    if token == first or (canon is not None and token == canon):
        return True
    return len(first) >= _MIN_FUZZY_NAME and OSA.distance(token, first, score_cutoff=1) <= 1


def _surname(text: str) -> bool:
    return len(text) >= _MIN_SURNAME and bool(_LETTERS.match(text))


def spells_name(
    letters: str, first: str | None, last: str | None, canon: str | None = None
) -> bool:
    """Whether an address's letters are only the name: ``hasankaya``, ``kayahasan``,
    ``hkaya``, or for Rick (``canon`` "richard") ``richard1954``."""
    last = last or ""
    spellings = {last}
    for name in {first or "", canon or ""}:
        spellings |= {name, name + last, last + name}
        if name and last:
            spellings |= {name[0] + last, last + name[0], name + last[0]}
    spellings.discard("")
    return letters in spellings
