"""The 360 page's timeline controls: filters read from the query string, and the words
each entry is shown with.

Filters come from a GET form a person fills in, so nothing here raises: a malformed date,
a to-date before the from-date or an unknown kind becomes a message naming the field,
and the page still shows the rest (the API would answer such input with a 422 page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from kimlik.profiles.timeline import TIMELINE_KINDS

#: Entries per page, and the choices offered.
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
#: Longest cursor the API takes.
CURSOR_LENGTH = 512

#: Kind -> label of its filter checkbox and its badge.
KIND_LABELS = {
    "order": "Orders",
    "interaction": "Interactions",
    "feedback": "Feedback",
    "consent": "Consents",
    "event": "Tracked events",
    "profile": "Merges and changes",
}

#: Kind -> the badge of one entry.
ENTRY_LABELS = {
    "order": "Order",
    "interaction": "Interaction",
    "feedback": "Feedback",
    "consent": "Consent",
    "event": "Event",
    "profile": "Profile",
}

#: Survivorship rule -> why the golden value won, in a person's words.
RULES = {
    "only": "the only record holding a value",
    "agreed": "every record holding a value agrees",
    "most_trusted": "the most trusted source",
    "most_recent": "the most recently updated record",
    "most_frequent": "the value most records hold",
    "most_complete": "the most complete record",
    "first_seen": "the record seen first",
    "earliest": "the earliest value",
    "latest": "the latest value",
    "most_precise": "the record with the most precise address",
    "lowest_record_key": "a tie, settled by the oldest record",
}

#: Ledger action -> what happened to the profile.
ACTIONS = {
    "create": "Profile created",
    "join": "Records joined",
    "merge": "Profiles merged",
    "split": "Profile split",
    "manual_merge": "Merged by a person",
    "unmerge": "Record split off by a person",
    "never_merge": "Records kept apart",
    "review_accept": "Duplicate confirmed",
    "review_reject": "Duplicate rejected",
    "revoke": "Decision revoked",
}


@dataclass(slots=True)
class TimelineFilters:
    """What the timeline form asked for, checked; ``problems`` name each bad field."""

    kinds: list[str] = field(default_factory=list)  # empty: every kind
    start: dt.date | None = None
    end: dt.date | None = None
    newest_first: bool = True
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    typed_from: str = ""
    typed_to: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def since(self) -> dt.datetime | None:
        """Start of the from-day, UTC."""
        return None if self.start is None else _midnight(self.start)

    @property
    def until(self) -> dt.datetime | None:
        """End of the to-day (the API's bound is exclusive), UTC."""
        if self.end is None:
            return None
        return _midnight(self.end) + dt.timedelta(days=1)

    @property
    def filtered(self) -> bool:
        return bool(self.kinds or self.start or self.end)

    def query(self, cursor: str | None = None) -> str:
        """The query string that asks for these filters (and ``cursor``'s page)."""
        pairs: list[tuple[str, str]] = [("kind", kind) for kind in self.kinds]
        if self.typed_from:
            pairs.append(("from", self.typed_from))
        if self.typed_to:
            pairs.append(("to", self.typed_to))
        if not self.newest_first:
            pairs.append(("order", "asc"))
        if self.limit != DEFAULT_PAGE_SIZE:
            pairs.append(("limit", str(self.limit)))
        if cursor:
            pairs.append(("cursor", cursor))
        return urlencode(pairs)


def read_filters(params: Mapping[str, str], kinds: Sequence[str]) -> TimelineFilters:
    """Filters from the query string ``params`` (``kinds``: every ``kind`` value sent)."""
    found = TimelineFilters()
    unknown = [kind for kind in kinds if kind not in TIMELINE_KINDS]
    if unknown:
        found.problems.append(
            f"Kind: “{unknown[0][:40]}” is not a kind of entry; choose from the list."
        )
    found.kinds = [kind for kind in TIMELINE_KINDS if kind in kinds]
    found.typed_from = params.get("from", "").strip()[:40]
    found.typed_to = params.get("to", "").strip()[:40]
    found.start = _date(found.typed_from, "From", found.problems)
    found.end = _date(found.typed_to, "To", found.problems)
    if found.start and found.end and found.end < found.start:
        found.problems.append(
            f"To: {found.end:%Y-%m-%d} is before the from-date {found.start:%Y-%m-%d}; "
            "choose a to-date on or after it."
        )
        found.end = None
    order = params.get("order", "desc")
    if order not in {"asc", "desc"}:
        found.problems.append("Order: choose newest first or oldest first.")
    found.newest_first = order != "asc"
    found.limit = _limit(params.get("limit", ""), found.problems)
    cursor = params.get("cursor", "").strip()
    found.cursor = cursor[:CURSOR_LENGTH] or None
    return found


def _date(text: str, label: str, problems: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: “{text}” is not a date; write it as YYYY-MM-DD.")
        return None
    if day.year < 1900 or day >= dt.date(9999, 12, 31):
        problems.append(f"{label}: {text} is out of range; choose a year from 1900.")
        return None
    return day


def _limit(text: str, problems: list[str]) -> int:
    if not text:
        return DEFAULT_PAGE_SIZE
    if text.isdigit() and int(text) in PAGE_SIZES:
        return int(text)
    sizes = ", ".join(str(size) for size in PAGE_SIZES)
    problems.append(f"Entries per page: choose {sizes}.")
    return DEFAULT_PAGE_SIZE


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def event_pairs(details: Mapping[str, Any], most: int = 6) -> list[tuple[str, Any]]:
    """An event's properties (or traits) to show: the first ``most`` of them."""
    values = details.get("properties") or details.get("traits") or {}
    if not isinstance(values, Mapping):
        return []
    return list(values.items())[:most]


def spent(total: Mapping[str, Any]) -> str:
    """``{"GBP": "495.98"}`` as ``495.98 GBP`` (currencies joined by commas)."""
    return ", ".join(f"{amount} {currency}".strip() for currency, amount in total.items())
