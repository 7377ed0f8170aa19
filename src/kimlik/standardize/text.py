"""Text clean-up shared by every standardizer, and the folded key used for lookups.

Two different jobs live here. ``normalize_text`` cleans a value that will be *kept*
(names, cities, free text), so it changes as little as possible: Unicode NFC, no
invisible characters, single spaces. ``fold_key`` builds a throw-away *key* for
comparing spellings ("E-posta", "e_posta", "EPOSTA" all mean the same header; "Şehir"
and "sehir" the same word), so it is deliberately lossy: no case, no accents, no
punctuation, and the four Turkish i's (İ I ı i) collapse to one ``i``, because a file
exported with the wrong locale turns one into another.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Format characters (Cf) that carry meaning and must survive: zero-width joiner and
# non-joiner are part of Persian, Indic and emoji spellings.
_KEEP_FORMAT = frozenset("\u200c\u200d")
# Letters that do not decompose under NFKD but have an obvious ASCII key.
_FOLD_EXTRA = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"}
)
_ASCII_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_text(text: str | None) -> str | None:
    """Clean a value for keeping: NFC, no control/invisible characters, single spaces.

    Line breaks and tabs count as whitespace. Returns ``None`` for ``None`` and for
    text that is empty once cleaned.
    """
    if text is None:
        return None
    if text.isascii():
        if not text.isprintable():
            text = "".join(ch if ch.isprintable() or ch.isspace() else "" for ch in text)
        cleaned = " ".join(text.split())
        return cleaned or None
    # Invisible characters go first: removing one between two combining marks after NFC
    # would leave the marks out of canonical order.
    if not text.isprintable():
        text = "".join(ch for ch in text if _visible_or_space(ch))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    cleaned = " ".join(text.split())
    return cleaned or None


def _visible_or_space(ch: str) -> bool:
    if ch.isprintable() or ch.isspace():
        return True
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in _KEEP_FORMAT
    # Cc (controls), Cs (lone surrogates) and Cn (unassigned) go; Co (private use) stays.
    return category == "Co"


def fold_key(text: str) -> str:
    """A lookup key: no case, accents, punctuation or spaces; Turkish i's unified.

    ``fold_key("E-posta") == fold_key("EPOSTA") == "eposta"``,
    ``fold_key("Doğum Tarihi") == "dogumtarihi"``, ``fold_key("İl") == "il"``.
    """
    return _fold_key(text)


@lru_cache(maxsize=65536)
def _fold_key(text: str) -> str:
    if text.isascii():
        return _ASCII_NOT_ALNUM.sub("", text.lower())
    # NFKD splits "İ" into "I" + combining dot and "ş" into "s" + cedilla; the marks
    # are not alphanumeric, so the filter below removes them with the punctuation.
    folded = unicodedata.normalize("NFKD", text).casefold().translate(_FOLD_EXTRA)
    return "".join(ch for ch in folded if ch.isalnum())
