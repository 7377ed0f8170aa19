"""Values typed to fill a required field, which must never count as matching evidence.

Two records sharing ``noemail@gmail.com``, ``+900000000000`` or a 1900-01-01 birthday
are not the same person: the value says nothing about who they are, and a shared
placeholder is exactly the false merge identity resolution fears most. The matcher
therefore treats a placeholder as missing.

The lists lean towards "placeholder" on purpose. Calling a real value a placeholder loses
one piece of evidence for one person; missing a placeholder links strangers in bulk.

``None`` and blank text are *missing*, not placeholders: every function returns
``False`` for them, and callers check for missing values themselves.
"""

from __future__ import annotations

import datetime as dt

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from kimlik.standardize.email import is_placeholder_email as _standardized_placeholder
from kimlik.standardize.text import fold_key

# Local parts that mean "no address" on any domain, beyond those the email standardizer
# already refuses. Compared after the +tag and trailing digits are removed ("test123").
_PLACEHOLDER_LOCALS = frozenset(
    {
        "na", "n/a", "n.a", "n-a", "unknown", "bilinmiyor", "bilinmeyen", "test",
        "testing", "deneme", "example", "sample", "fake", "dummy", "xxx", "asdf", "asd",
        "qwerty", "noemail", "none", "null",
    }
)  # fmt: skip
# Reserved names (RFC 2606, RFC 6761) that can never receive mail. Unlike the email
# standardizer, which keeps example.com because sample data uses it for real-looking
# people, the matcher takes nothing from them: any number of records may carry one.
_PLACEHOLDER_FIRST_LABELS = frozenset({"example", "test"})
_PLACEHOLDER_TLDS = frozenset({"invalid", "localhost", "test", "example"})

_PLACEHOLDER_DATES = frozenset(
    {
        dt.date(1, 1, 1),
        dt.date(1111, 11, 11),
        dt.date(1800, 1, 1),
        dt.date(1900, 1, 1),
        dt.date(1901, 1, 1),
        dt.date(1970, 1, 1),
    }
)

# Compared as fold_key, so "N/A", "n.a." and "NA" are one entry, and "Müşteri" is
# "musteri". "Na" is also a Korean surname; it is listed anyway, by the rule above.
_PLACEHOLDER_NAMES = frozenset(
    {
        "test", "deneme", "unknown", "bilinmiyor", "bilinmeyen", "na", "none", "null",
        "nil", "yok", "xxx", "asdf", "asd", "qwerty", "customer", "client", "guest",
        "musteri", "misafir", "isimsiz", "adsiz", "soyadsiz", "noname", "anonymous",
        "anonim",
    }
)  # fmt: skip
# Runs people type: up from 0 or 1 ("1234567890" ends in the 0 after the 9), and down.
_ASCENDING = "01234567890"
_DESCENDING = "9876543210"
_MIN_PLACEHOLDER_DIGITS = 6


def is_placeholder_email(email: str | None) -> bool:
    """True for an address that says "no address" (``noemail@``, ``test@``, ``x@example.com``).

    Extends ``kimlik.standardize.email.is_placeholder_email`` with more local parts, local
    parts of one repeated character (``xxxx@``), and the reserved domains ``example.*``,
    ``test.*``, ``*.invalid``, ``*.localhost``, ``*.test`` and ``*.example``. Role addresses
    such as ``info@`` are real shared mailboxes and are not placeholders.
    """
    if email is None or not email.strip():
        return False
    address = email.strip()
    if _standardized_placeholder(address):
        return True
    local, at, domain = address.casefold().rpartition("@")
    if not at:
        return False
    local = local.split("+", 1)[0]
    bare = local.rstrip("0123456789")
    if bare in _PLACEHOLDER_LOCALS or (len(local) >= 3 and len(set(local)) == 1):
        return True
    labels = domain.rstrip(".").split(".")
    return labels[0] in _PLACEHOLDER_FIRST_LABELS or labels[-1] in _PLACEHOLDER_TLDS


def is_placeholder_phone(e164: str | None) -> bool:
    """True for a number whose digits are one repeated digit or a run of consecutive ones.

    ``+900000000000``, ``+905555555555``, ``1111111``, ``+11234567890``, ``9876543210``.
    For an E.164 number the national part is checked, after the country code (found the
    way libphonenumber finds it: country codes are prefix-free); otherwise all digits.
    """
    if e164 is None:
        return False
    text = e164.strip()
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if _is_run(digits):
        return True
    if not text.startswith("+"):
        return False
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in COUNTRY_CODE_TO_REGION_CODE:
            return _is_run(digits[length:])
    return False


def is_placeholder_date(d: dt.date | None) -> bool:
    """True for the dates systems and people type when they do not know a birthday.

    1900-01-01, 1901-01-01, 1800-01-01, 1111-11-11 and 0001-01-01 are defaults of
    spreadsheets, databases and date pickers. 1970-01-01 is a real birthday for a few
    people, but it is the Unix epoch, what a zero or empty timestamp becomes, and in CRM
    exports it is far more often a placeholder than a birth date; treating it as missing
    costs those few people one piece of evidence, while keeping it links strangers.
    """
    if d is None:
        return False
    if isinstance(d, dt.datetime):
        d = d.date()
    return d in _PLACEHOLDER_DATES


def is_placeholder_name(name: str | None) -> bool:
    """True for a name typed to get past a form ("Test", "N/A", "Müşteri", "-", "xxx").

    Text with no letter or digit at all ("-", "?", "...") is a placeholder; so is one
    letter repeated three or more times.
    """
    if name is None or not name.strip():
        return False
    key = fold_key(name)
    if not key:
        return True
    return key in _PLACEHOLDER_NAMES or (len(key) >= 3 and len(set(key)) == 1)


def _is_run(digits: str) -> bool:
    """Six or more digits: one repeated, or consecutive up or down.

    Only the 9→0 step of "1234567890" wraps: "7890123456" is an ordinary UK mobile.
    """
    if len(digits) < _MIN_PLACEHOLDER_DIGITS:
        return False
    return len(set(digits)) == 1 or digits in _ASCENDING or digits in _DESCENDING
