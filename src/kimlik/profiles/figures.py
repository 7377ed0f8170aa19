"""A profile's key figures from aggregates, without reading its whole timeline.

``timeline.key_figures`` derives the figures from every entry, which the CLI has at hand
anyway; the web page and the API show one page of the timeline, and a customer with
thousands of orders or tracked events must not cost thousands of rows per view. Both
give the same figures: ``tests/test_profile_figures.py`` holds them to each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from kimlik.profiles import repository as repo
from kimlik.profiles.timeline import NOT_SPENT, TIMELINE_KINDS, KeyFigures, amount, parse_moment
from kimlik.profiles.values import utc

#: Kinds whose moments count as the person being seen (merges are the store's doing).
SEEN_KINDS = tuple(kind for kind in TIMELINE_KINDS if kind != "profile")


def figures_of(
    connection: Connection,
    profile_id: int,
    golden: Mapping[str, Any],
    first_imported: dt.datetime | None,
    last_changed: dt.datetime | None,
) -> KeyFigures:
    """First and last seen, orders, money spent per currency and the latest score."""
    moments = [
        utc(moment)
        for _kind, earliest, latest in repo.activity_span(connection, profile_id, SEEN_KINDS)
        for moment in (earliest, latest)
        if moment is not None
    ]
    signed_up = parse_moment(golden.get("signed_up_at"))
    if signed_up is not None:
        moments.append(signed_up)
    orders = 0
    spent: dict[str, Decimal] = {}
    for currency, status, count, total in repo.order_totals(connection, profile_id):
        orders += int(count)
        if total is not None and str(status or "").casefold() not in NOT_SPENT:
            key = str(currency or "")
            spent[key] = spent.get(key, Decimal(0)) + Decimal(str(total))
    latest = repo.latest_score(connection, profile_id)
    return KeyFigures(
        first_seen=min(moments, default=None) or first_imported,
        last_seen=max(moments, default=None) or last_changed,
        orders=orders,
        total_spent={currency: _money(value) for currency, value in sorted(spent.items())},
        latest_nps=None if latest is None else int(latest["score"]),
        latest_nps_at=None if latest is None else utc(latest["at"]),
        latest_nps_survey=None if latest is None else latest["survey"],
    )


def _money(value: Decimal) -> Decimal:
    """A summed amount as the timeline writes one (the store's trailing zeros dropped)."""
    shown = amount(value)
    assert shown is not None
    return shown
