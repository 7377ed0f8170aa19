"""Random keys and tokens, and how the store keeps them: only a SHA-256, never the key.

Keys are 32 random bytes, so a plain hash is safe (no dictionary to attack); a prefix
that names the kind (``kw_`` write, ``ka_`` API, session cookies none) helps people and
secret scanners tell them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

WRITE_KEY_PREFIX = "kw_"
API_KEY_PREFIX = "ka_"
#: characters of a key shown in listings, enough to tell keys apart
SHOWN = 10


def new_token(prefix: str = "") -> str:
    """A fresh random token: 256 bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def shown(token: str) -> str:
    """The part of a key listings may show."""
    return token[:SHOWN]


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of a session: derived, so nothing more is stored."""
    return hmac.new(secret.encode(), session_token.encode(), hashlib.sha256).hexdigest()


def same(left: str, right: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(left.encode(), right.encode())
