"""One conversion of stored values to JSON-able ones, shared by history, lineage and views.

Dates and timestamps become ISO text and decimals exact strings (a float would round
money); containers are converted recursively; everything else passes through.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` with dates, datetimes and decimals turned into text, recursively."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
