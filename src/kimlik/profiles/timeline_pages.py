"""The timeline a page at a time, in SQL: the API's view of a profile's history.

A profile with years of tracked events must not be read whole for every page, so each
kind is one query, filtered by kind, moment and the cursor, and asked for one page at
most (``limit + 1`` rows); the kinds' pages are merged here. Entries are the ones
``timeline`` builds for the CLI, ordered by (moment, kind, row id): the row id, unlike
the CLI's source and record id, is unique, so a cursor names one exact place. Undated
entries (an order without a date) sort last, oldest first, and first, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, literal, or_

from kimlik.profiles import repository as repo
from kimlik.profiles.timeline import TIMELINE_KINDS, TimelineEntry, amount, entry_of
from kimlik.profiles.values import utc
from kimlik.store.tables import Moment

#: Where undated entries sort: after every real moment.
UNDATED = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
_RANK = {kind: index for index, kind in enumerate(TIMELINE_KINDS)}


@dataclass(frozen=True, slots=True)
class Position:
    """One entry's place in the order: its moment (``UNDATED`` if none), kind, row id."""

    at: dt.datetime
    kind: str
    row: int

    def key(self) -> tuple[dt.datetime, int, int]:
        return self.at, _RANK[self.kind], self.row


@dataclass(frozen=True, slots=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_after: Position | None  # None: this is the last page


def active_profile(connection: Connection, profile_id: int) -> int | None:
    """The active profile ``profile_id`` is, or was merged into; ``None`` if none."""
    current: int | None = profile_id
    for _ in range(repo.MAX_HOPS):
        state = None if current is None else repo.profile_state(connection, current)
        if state is None:
            return None
        if state[0] == "active":
            return current
        current = state[1]
    return None


def timeline_page(
    connection: Connection,
    profile_id: int,
    *,
    limit: int,
    kinds: Collection[str] = TIMELINE_KINDS,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    after: Position | None = None,
    newest_first: bool = False,
) -> TimelinePage:
    """Up to ``limit`` entries of the profile after ``after``, of ``kinds``, dated
    ``since`` (inclusive) to ``until`` (exclusive): both leave undated entries out."""
    wanted = [kind for kind in TIMELINE_KINDS if kind in set(kinds)]
    ids = [profile_id]
    if "profile" in wanted:
        ids += repo.absorbed_profiles(connection, profile_id)
    found: list[tuple[Position, TimelineEntry]] = []
    for kind in wanted:
        statement, table, moment = repo.timeline_source(kind, ids)
        key = func.coalesce(moment, literal(UNDATED, Moment))
        conditions: list[ColumnElement[bool]] = []
        if since is not None:
            conditions.append(moment >= utc(since))
        if until is not None:
            conditions.append(moment < utc(until))
        if after is not None:
            conditions.append(_beyond(key, table.c.id, kind, after, newest_first))
        order = (key.desc(), table.c.id.desc()) if newest_first else (key, table.c.id)
        statement = (
            statement.add_columns(key.label("_key"), table.c.id.label("_row"))
            .where(*conditions)
            .order_by(*order)
            .limit(limit + 1)
        )
        for row in connection.execute(statement).mappings():
            values = dict(row)
            position = Position(utc(values.pop("_key")), kind, int(values.pop("_row")))
            found.append((position, entry_of(kind, values)))
    found.sort(key=lambda pair: pair[0].key(), reverse=newest_first)
    page = found[:limit]
    more = len(found) > limit
    entries = [entry for _, entry in page]
    _add_order_lines(connection, entries)
    return TimelinePage(entries, page[-1][0] if more else None)


def _add_order_lines(connection: Connection, entries: list[TimelineEntry]) -> None:
    """Each order on the page with its item lines (``details["lines"]``), read for the
    page's orders only: what was bought, how many and at what price."""
    keys = [(e.source, e.record_id) for e in entries if e.kind == "order" and e.source]
    lines = repo.order_lines(connection, [(s, r) for s, r in keys if r is not None])
    for entry in entries:
        if entry.kind == "order":
            found = lines.get((entry.source or "", entry.record_id or ""), [])
            entry.details["lines"] = [
                {**line, "unit_price": amount(line["unit_price"])} for line in found
            ]


def _beyond(
    key: Any, row: Any, kind: str, after: Position, newest_first: bool
) -> ColumnElement[bool]:
    """This kind's entries that come after ``after`` in the order (keyset condition)."""
    rank, at = _RANK[kind], utc(after.at)
    later_kind = rank < _RANK[after.kind] if newest_first else rank > _RANK[after.kind]
    if newest_first:
        strictly, same = key < at, key == at
        tie: ColumnElement[bool] = row < after.row
    else:
        strictly, same = key > at, key == at
        tie = row > after.row
    if rank == _RANK[after.kind]:
        return or_(strictly, and_(same, tie))
    return or_(strictly, same) if later_kind else strictly
