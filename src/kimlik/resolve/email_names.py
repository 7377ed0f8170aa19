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


def family_name(local: str | None) -> str | None:
    """The surname in a household address (``millerfamily2`` → ``miller``), if any."""
    if not local:
        return None
    for pattern in (_FAMILY_SUFFIX, _FAMILY_PREFIX, _THE_PLURAL):
        match = pattern.match(local)
        if match and len(match[1]) >= _MIN_SURNAME:
            return match[1]
    return None


def surname_from_email(local: str | None, first: str | None) -> str | None:
    """The surname an email's local part spells next to ``first`` (both folded keys).

    ``jean.wilson`` / ``jeanwilson`` / ``wilson_jean`` / ``j.wilson`` with ``jean`` →
    ``wilson``. A household address gives its surname whatever the first name.
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
            if (mine == first or (len(mine) == 1 and first.startswith(mine))) and _surname(other):
                return other
        return None
    if len(tokens) == 1 and core.startswith(first) and _surname(core[len(first) :]):
        return core[len(first) :]
    if len(tokens) == 1 and core.endswith(first) and _surname(core[: -len(first)]):
        return core[: -len(first)]
    return None


def _surname(text: str) -> bool:
    return len(text) >= _MIN_SURNAME and bool(_LETTERS.match(text))


def spells_name(letters: str, first: str | None, last: str | None) -> bool:
    """Whether an address's letters are only the name: ``hasankaya``, ``kayahasan``, ``hkaya``."""
    first, last = first or "", last or ""
    spellings = {first, last, first + last, last + first}
    if first and last:
        spellings |= {first[0] + last, last + first[0], first + last[0]}
    spellings.discard("")
    return letters in spellings
