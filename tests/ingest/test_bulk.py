"""The bulk encoder writes exactly what SQLAlchemy's own bind processors write."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from kimlik.ingest.layout import RecordLayout
from kimlik.store.bulk import RowEncoder

_DIALECT = sqlite.dialect()
_LAYOUT = RecordLayout.for_kind("people")
_ENCODER = RowEncoder(_DIALECT, _LAYOUT.table, _LAYOUT.columns)


def _sqlalchemy(column: str, value: object) -> object:
    column_type = _LAYOUT.table.c[column].type.dialect_impl(_DIALECT)
    return column_type.bind_processor(_DIALECT)(value)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.datetimes(timezones=st.none() | st.just(dt.UTC) | st.timezones()),
    st.dates(),
)
def test_dates_and_times_encode_as_sqlalchemy_encodes_them(
    moment: dt.datetime, day: dt.date
) -> None:
    assert _ENCODER.value("signed_up_at", moment) == _sqlalchemy("signed_up_at", moment)
    assert _ENCODER.value("birth_date", day) == _sqlalchemy("birth_date", day)
    # a date where a timestamp goes, and the other way round: SQLAlchemy's own answer
    assert _ENCODER.value("signed_up_at", day) == _sqlalchemy("signed_up_at", day)
    assert _ENCODER.value("birth_date", moment) == _sqlalchemy("birth_date", moment)


def test_a_value_shared_by_rows_is_encoded_once_and_rightly_for_each() -> None:
    index = _LAYOUT.columns.index("signed_up_at")
    now, other = dt.datetime(2026, 11, 23, 8, 0, 1), dt.datetime(1999, 1, 2, 3, 4, 5)
    values = [now, now, None, other, now, dt.datetime(2026, 11, 23, 8, 0, 1)]
    rows = [[None] * len(_LAYOUT.columns) for _ in values]
    for row, value in zip(rows, values, strict=True):
        row[index] = value
    _ENCODER.encode(rows)
    expected = [None if v is None else _sqlalchemy("signed_up_at", v) for v in values]
    assert [row[index] for row in rows] == expected
