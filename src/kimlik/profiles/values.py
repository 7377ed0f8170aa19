"""Golden values as readers see them: timestamps aware and in UTC on every database.

SQLite has no time zone type and hands back naive datetimes where PostgreSQL gives aware
ones, so without this a golden ``signed_up_at`` reads ``2021-06-05T00:00:00`` on one store
and ``2021-06-05T00:00:00+00:00`` on the other. Everything Kimlik stores is UTC, so a
naive value is UTC already; an aware one in another zone (a PostgreSQL session whose
``TimeZone`` is not UTC) is moved to UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import DateTime

from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.store.tables import source_records

#: Canonical attributes holding a timestamp (stored as ISO text in the golden JSON).
DATETIME_ATTRIBUTES = frozenset(
    name for name in PERSON_ATTRIBUTES if isinstance(source_records.c[name].type, DateTime)
)


def utc(value: Any) -> Any:
    """``value`` as an aware UTC datetime if it is a datetime; anything else unchanged."""
    if not isinstance(value, dt.datetime):
        return value
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def golden_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Stored golden attributes with every timestamp as aware UTC ISO text; profiles built
    on SQLite before timestamps were normalized hold naive text."""
    values = dict(attributes)
    for name in DATETIME_ATTRIBUTES.intersection(values):
        text = values[name]
        if isinstance(text, str):
            try:
                values[name] = utc(dt.datetime.fromisoformat(text)).isoformat()
            except ValueError:
                pass  # not a timestamp: shown as stored rather than hidden
    return values
