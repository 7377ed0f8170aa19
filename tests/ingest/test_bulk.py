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
