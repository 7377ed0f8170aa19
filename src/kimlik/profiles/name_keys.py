"""Names as a search compares them: folded (``fold``) and as sound keys.

``word_key`` reads a name the way a person mistypes it: vowels are where slips happen
("Yilmas", "Oztruk" for Öztürk: a letter moved across a vowel), so only the first letter
keeps its vowel; letters that sound alike become one (c/k/q, s/z/x, ph/v/w/f, th/d/t, sh/s,
y/i); doubled letters and a non-initial ``h`` go ("Jon"/"John", "Mehmet"/"Memet",
"Mehmed"). Names are folded first (``fold``: ş→s, ç→c, ğ→g, ı→i, é→e ...), so a Turkish
name typed on an English keyboard has the same key.

=====================  ============  ==============================================
typed / stored         key           why
=====================  ============  ==============================================
Yilmas / Yılmaz        ilms          z/s alike; y reads as i
Oztruk / Öztürk        ostrk         only consonants after the first letter
Smyth, Smit / Smith    smt           y/i, th/t
Katherine / Catherine  ktrn          c/k
Aisha / Ayşe           as            sh/s, vowels
=====================  ============  ==============================================

jellyfish's metaphone was the closest ready-made key, but it splits "Smit" from "Smith"
(SMT, SM0), "Aisha" from "Ayşe" (AX, AS) and "Chelik" from "Çelik"; NYSIIS and the
match rating codex keep vowels or the ``h``, and miss more (tests/test_fuzzy_search.py).

A name of several words keys one word: the first of a first name ("Ayşe Nur": ayşe) and
the last of a last name ("Van Dijk": dijk), the word a person types most surely.
Swapped consonants ("Yimlaz") and an extra one change the key; the search also seeks
the keys one edit away (``fuzzy.near_keys``). A missing consonant ("Yilaz", "Doan" for
Doğan) stays a miss, unless the typed text is a prefix of the name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Longest key kept (the column's length).
KEY_LENGTH = 32

#: Letters folded to their base letter; lower() does the rest. The stores cannot fold
#: (SQLite's lower() knows ASCII only), so SQL narrows and ``fold`` decides.
FOLDS = {
    "c": "çÇ", "g": "ğĞ", "i": "ıİîÎíÍìÌïÏ", "o": "öÖôÔóÓòÒõÕ", "s": "şŞ",
    "u": "üÜûÛúÚùÙ", "a": "âÂáÁàÀäÄãÃåÅ", "e": "éÉèÈêÊëË", "n": "ñÑ",
}  # fmt: skip
_FOLD_TABLE = str.maketrans({ch: base for base, chars in FOLDS.items() for ch in chars})

_WORD = re.compile(r"[a-z]+")
# Pairs first, longest first, then single letters.
_PAIRS = (("sch", "s"), ("ph", "f"), ("sh", "s"), ("ch", "k"), ("th", "t"), ("ck", "k"))
_LETTERS = str.maketrans(
    {"c": "k", "q": "k", "z": "s", "x": "s", "w": "f", "v": "f", "d": "t", "y": "i"}
)
_VOWELS = frozenset("aeiou")


def fold(text: str) -> str:
    """Case and the accents of ``FOLDS`` removed, spaces single: the form names are
    compared in (``fold("  Ayşe  YILMAZ") == "ayse yilmaz"``)."""
    normalized = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).lower()
    return " ".join(normalized.split())


@lru_cache(maxsize=65536)
def name_words(name: str | None) -> tuple[str, ...]:
    """The folded, ASCII words of a name (other marks dropped, punctuation splits);
    remembered, as a search scores the same few thousand names over and over."""
    if not name:
        return ()
    decomposed = unicodedata.normalize("NFKD", fold(name))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(_WORD.findall(ascii_only))


def name_columns(first: object, last: object) -> dict[str, str | None]:
    """A profile's stored forms of its golden names: folded (``first_name_fold``,
    ``last_name_fold``: what a prefix search compares) and keyed (``first_name_key``,
    ``last_name_key``: what a similar-name search seeks)."""
    first_name = first if isinstance(first, str) else None
    last_name = last if isinstance(last, str) else None
    return {
        "first_name_fold": (fold(first_name) or None) if first_name else None,
        "last_name_fold": (fold(last_name) or None) if last_name else None,
        "first_name_key": first_name_key(first_name),
        "last_name_key": last_name_key(last_name),
    }


def first_name_key(name: str | None) -> str | None:
    """The key of a first name's first word; ``None`` when it has no letter."""
    words = name_words(name)
    return word_key(words[0]) if words else None


def last_name_key(name: str | None) -> str | None:
    """The key of a last name's last word; ``None`` when it has no letter."""
    words = name_words(name)
    return word_key(words[-1]) if words else None


@lru_cache(maxsize=65536)
def spelling(word: str) -> str:
    """One folded word written one way for letters that sound alike, vowels kept
    ("aisha" and "ayse": aisa, aise), for the score that ranks similar names."""
    for pair, letter in _PAIRS:
        word = word.replace(pair, letter)
    word = word.translate(_LETTERS)
    word = word[:1] + word[1:].replace("h", "")
    return "".join(ch for at, ch in enumerate(word) if at == 0 or ch != word[at - 1])


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The sound key of one folded word of letters a-z (see the module's table): its
    ``spelling`` without vowels after the first letter. A vowel still parts two equal
    consonants: "mehmet" keys mmt, not mt."""
    spelled = spelling(word)
    return (spelled[:1] + "".join(ch for ch in spelled[1:] if ch not in _VOWELS))[:KEY_LENGTH]
