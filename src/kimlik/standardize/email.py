"""Email addresses: syntax check without the network, one canonical spelling, a matching key.

``email-validator`` is the authority on syntax, but it costs about 45 µs a call, and
nearly every real address is plain ASCII (``jane.doe@example.com.tr``). Those go through
``_fast_normalize``, a strict regular expression that accepts only a subset of what
email-validator accepts and builds the same normalized form; anything it does not
recognise falls through to email-validator. The property test in
``tests/standardize/test_email.py`` holds the two to agreement.

The stored address keeps the local part as typed (some servers are case-sensitive) and
lower-cases the domain. Identity resolution compares ``email_matching_key`` instead,
which also folds case, ``+tags`` and Gmail's ignored dots.
"""

from __future__ import annotations

import re
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from kimlik.standardize.result import Standardized, invalid, valid
from kimlik.standardize.text import normalize_text

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
# Dot-atom local part; letter-digit-hyphen labels; an alphabetic top-level domain of two
# or more letters. Hyphens at label edges and label lengths are checked after the match,
# which is cheaper than bounded repeats in the pattern.
_FAST = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{{2,63}})", re.ASCII)
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in _SPECIAL_USE)
_LOWERCASED_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)

# Local parts that say "there is no address" whatever the domain.
_PLACEHOLDER_LOCALS = frozenset(
    {
        "noemail", "no-email", "no_email", "no.email", "nomail", "no-mail", "no_mail",
        "none", "null", "nil", "nobody", "noreply", "no-reply", "donotreply",
        "do-not-reply", "yok", "yoktur", "epostayok", "mailyok",
    }
)  # fmt: skip
# Domains made up to fill a required field. The RFC 2606 documentation domains
# (example.com) are deliberately absent: sample data and tests use them for real-looking
# people, and only the same-word form (example@example.com) is a placeholder.
_PLACEHOLDER_DOMAINS = frozenset({"noemail.com", "nomail.com", "no-email.com", "yok.com"})
# Words people type on both sides of the @ to get past a form (asd@asd.com).
_JUNK_WORDS = frozenset(
    {
        "test", "example", "sample", "demo", "fake", "asd", "asdf", "asdasd", "qwe", "qwerty",
        "abc", "abcd", "xyz", "foo", "deneme", "email", "mail", "eposta", "user",
    }
)  # fmt: skip
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_EMPTY: Standardized[str] = Standardized(None)
_MAILTO = "mailto:"


def standardize_email(text: str | None) -> Standardized[str]:
    """Check an address's syntax and return its normalized form.

    Accepts ``mailto:`` links and ``<...>`` or ``Name <...>`` wrappers. Errors:
    ``email.invalid`` (the message says why) and ``email.placeholder``.
    """
    cleaned = normalize_text(text)
    if cleaned is None:
        return _EMPTY
    if cleaned[:7].lower() == _MAILTO:
        cleaned = cleaned[7:].lstrip()
    if cleaned.startswith("<") and cleaned.endswith(">"):
        cleaned = cleaned[1:-1].strip()
    if not cleaned:
        return invalid("email.invalid", "The email address is empty.")

    normalized = _fast_normalize(cleaned)
    if normalized is None:
        return _slow_path(cleaned)
    if is_placeholder_email(normalized):
        return invalid("email.placeholder", "The email address is a placeholder, not a mailbox.")
    return valid(normalized)


# Small on purpose: addresses rarely repeat, but junk ("-", "yok", "@") does, and
# email-validator costs ~45-100 µs a call.
@lru_cache(maxsize=4096)
def _slow_path(cleaned: str) -> Standardized[str]:
    try:
        normalized: str = validate_email(
            cleaned, check_deliverability=False, allow_display_name=True
        ).normalized
    except EmailNotValidError as exc:
        return invalid("email.invalid", _shorten(str(exc)))
    if is_placeholder_email(normalized):
        return invalid("email.placeholder", "The email address is a placeholder, not a mailbox.")
    return valid(normalized)


def _shorten(message: str, limit: int = 120) -> str:
    """email-validator lists offending characters; keep a long list from flooding logs."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _fast_normalize(address: str) -> str | None:
    """email-validator's normalized form for an ordinary ASCII address, else ``None``.

    ``None`` means "not sure", never "invalid": the caller asks email-validator.
    """
    if len(address) > 254:
        return None
    match = _FAST.fullmatch(address)
    if match is None:
        return None
    local, domain = match.groups()
    # Long local parts, R-LDH/Punycode labels ("xn--", "ab--c") and reserved names are
    # legal in places and subtle everywhere; email-validator decides those.
    if len(local) > 64 or len(domain) > 253 or "--" in domain:
        return None
    if domain[0] == "-" or "-." in domain or ".-" in domain:
        return None
    if len(domain) > 63 and max(len(label) for label in domain.split(".")) > 63:
        return None
    domain = domain.lower()
    if domain in _SPECIAL_USE or domain.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    if local.lower() in _LOWERCASED_MAILBOXES:  # RFC 2142 names, as email-validator does
        local = local.lower()
    return local + "@" + domain


def is_placeholder_email(email: str) -> bool:
    """True for addresses typed to fill a required field (``noemail@...``, ``x@x.com``).

    Role addresses such as ``info@`` or ``sales@`` are real mailboxes and are not
    placeholders.
    """
    at = email.rfind("@")
    if at < 0:
        return False
    local, domain = email[:at].casefold(), email[at + 1 :].casefold()
    plus = local.find("+")
    if plus > 0:
        local = local[:plus]
    if local in _PLACEHOLDER_LOCALS or domain in _PLACEHOLDER_DOMAINS:
        return True
    # test@test.com, x@x.com, asd@asd.com: the same junk word on both sides of the @.
    # A real name on its own domain (ali@ali.com.tr) is left alone.
    if not domain.startswith(local) or domain[len(local) : len(local) + 1] not in (".", ""):
        return False
    return local in _JUNK_WORDS or len(set(local)) == 1


def email_matching_key(email: str) -> str:
    """The form two addresses share when they reach the same mailbox.

    Case-folded; ``+tag`` removed for every domain; for Gmail, dots in the local part
    removed and ``googlemail.com`` read as ``gmail.com``.
    """
    local, at, domain = email.casefold().rpartition("@")
    if not at:
        return email.casefold()
    local = local.split("+", 1)[0] or local
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "") or local
        domain = "gmail.com"
    return local + "@" + domain
