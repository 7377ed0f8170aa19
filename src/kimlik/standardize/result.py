"""The shape every standardizer returns: a value (or ``None``) and the issues found.

Standardizers never raise on bad text: they report. Severity decides what the
importer does with the value:

* ``error``   — the input is unusable; ``value`` is ``None`` and the raw text is kept in the
  raw payload.
* ``warning`` — the value was kept but deserves a look (e.g. a placeholder email).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
Severity = Literal["error", "warning"]
DateOrder = Literal["DMY", "MDY", "YMD"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one value.

    ``code`` is stable (``email.invalid``); ``message`` is for people.
    """

    code: str
    message: str
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class Standardized(Generic[T]):
    """A standardizer's answer."""

    value: T | None
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no error-level issue was found (warnings allowed)."""
        return all(issue.severity != "error" for issue in self.issues)


def valid(value: T) -> Standardized[T]:
    """A clean value with no issues."""
    return Standardized(value)


def invalid(code: str, message: str) -> Standardized[T]:
    """An unusable input: no value, one error."""
    return Standardized(None, (Issue(code, message),))


EMPTY: Standardized[object] = Standardized(None)


def blank(text: str | None) -> bool:
    """True for ``None`` and strings that are only whitespace."""
    return text is None or not text.strip()
