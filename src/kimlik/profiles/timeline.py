"""A profile's timeline and key figures: what happened to the person, oldest first.

Orders, interactions, survey answers and consents of the profile's records, the tracked
SDK events the stitcher attached to them, and the ledger entries of the profile and of
every profile merged into it, each dated in UTC so entries from SQLite and PostgreSQL
sort and print alike. An event shows its type, name and a short summary of its
properties or traits (the payload as sent stays in the ``events`` table).

``timeline`` builds the whole list (the CLI, key figures); the API pages through it in
SQL (``profiles/timeline_pages.py``) with the same entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from kimlik.profiles import repository as repo
from kimlik.profiles.values import utc

#: Order statuses that do not count towards the money a customer spent.
NOT_SPENT = frozenset({"cancelled", "canceled", "refunded"})
#: Timeline kinds, in the order they are listed when they happen at the same moment.
TIMELINE_KINDS = ("order", "interaction", "feedback", "consent", "event", "profile")
#: An event's properties or traits on the timeline: this many keys, texts this long.
EVENT_KEYS = 12
EVENT_TEXT = 80


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened: an order, interaction, answer, consent, tracked event or
    profile change."""

    at: dt.datetime | None
    kind: str  # one of TIMELINE_KINDS
    source: str | None
    record_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeyFigures:
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    orders: int
    total_spent: dict[str, Decimal]  # currency ("" when unknown) -> amount
    latest_nps: int | None
    latest_nps_at: dt.datetime | None
    latest_nps_survey: str | None


def timeline(connection: Connection, profile_id: int) -> list[TimelineEntry]:
    """Every entry of the profile, oldest first; undated entries last."""
    entries = [entry_of("order", row) for row in repo.orders_of(connection, profile_id)]
    for kind in repo.ACTIVITY:
        rows = repo.activity_of(connection, kind, profile_id)
        entries += [entry_of(kind, row) for row in rows]
    entries += [entry_of("event", row) for row in repo.events_of(connection, profile_id)]
    ids = [profile_id, *repo.absorbed_profiles(connection, profile_id)]
    entries += [entry_of("profile", row) for row in repo.ledger_of(connection, ids)]
    rank = {kind: index for index, kind in enumerate(TIMELINE_KINDS)}
    undated = dt.datetime.max.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.at or undated, rank[e.kind], e.source or "", e.record_id or ""))
    return entries


def entry_of(kind: str, row: Mapping[str, Any]) -> TimelineEntry:
    """A timeline entry from a row of ``repository.timeline_source(kind, ...)``."""
    if kind == "event":
        return event_entry(row)
    if kind == "profile":
        shown = row if "records" in row else repo.ledger_row(row)
        details = {k: v for k, v in shown.items() if k != "at"}
        return TimelineEntry(utc(row["at"]), "profile", None, None, details)
    details = {k: v for k, v in row.items() if k not in {"source", "record_id", "at"}}
    if kind == "order":
        details["total"] = amount(details["total"])
        details["items"] = int(details["items"] or 0)
    return TimelineEntry(utc(row["at"]), kind, row["source"], row["record_id"], details)


def event_entry(row: Mapping[str, Any]) -> TimelineEntry:
    """A tracked event: ``row`` has source, record_id (the messageId), at, type, event
    and payload."""
    payload = row.get("payload") or {}
    details: dict[str, Any] = {"type": row["type"], "event": row["event"]}
    for part in ("properties", "traits"):
        values = payload.get(part) if isinstance(payload, dict) else None
        if isinstance(values, dict) and values:
            details[part] = {key: _short(value) for key, value in list(values.items())[:EVENT_KEYS]}
            if len(values) > EVENT_KEYS:
                details[f"{part}_more"] = len(values) - EVENT_KEYS
    return TimelineEntry(utc(row["at"]), "event", row["source"], row["record_id"], details)


def _short(value: Any) -> Any:
    """A property as the timeline shows it: scalars as sent (long text cut), nesting
    counted."""
    if isinstance(value, str) and len(value) > EVENT_TEXT:
        return value[: EVENT_TEXT - 1] + "…"
    if isinstance(value, dict):
        return f"{{{len(value)} keys}}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return value


def key_figures(
    golden: Mapping[str, Any],
    entries: list[TimelineEntry],
    first_imported: dt.datetime | None,
    last_changed: dt.datetime | None,
) -> KeyFigures:
    """First and last seen are the earliest and latest activity (sign-up included); with
    none, when the records were first imported and last changed."""
    moments = [e.at for e in entries if e.at is not None and e.kind != "profile"]
    signed_up = parse_moment(golden.get("signed_up_at"))
    if signed_up is not None:
        moments.append(signed_up)
    orders = [e for e in entries if e.kind == "order"]
    spent: dict[str, Decimal] = {}
    for order in orders:
        status = str(order.details.get("status") or "").casefold()
        if order.details.get("total") is not None and status not in NOT_SPENT:
            currency = str(order.details.get("currency") or "")
            spent[currency] = spent.get(currency, Decimal(0)) + order.details["total"]
    scored = [e for e in entries if e.kind == "feedback" and e.details.get("score") is not None]
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    latest = max(scored, key=lambda e: (e.at is not None, e.at or earliest), default=None)
    return KeyFigures(
        first_seen=min(moments, default=None) or first_imported,
        last_seen=max(moments, default=None) or last_changed,
        orders=len(orders),
        total_spent=dict(sorted(spent.items())),
        latest_nps=None if latest is None else int(latest.details["score"]),
        latest_nps_at=None if latest is None else latest.at,
        latest_nps_survey=None if latest is None else latest.details.get("survey"),
    )


def amount(value: Any) -> Decimal | None:
    """A money amount without the store's trailing zeros: 149.9000 -> 149.90."""
    if value is None:
        return None
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def parse_moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment: dt.datetime = utc(dt.datetime.fromisoformat(value))
    except ValueError:
        return None
    return moment
