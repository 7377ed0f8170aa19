"""The row cleaner's shortcut for CSV rows collects exactly what its general loop collects."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.kinds import kind_spec
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.readers import ReadRow

_HEADERS = ["id", "email", "E-posta", "phone", "first name", "Ad Soyad", "city", "Tier", "notes"]
_VALUES = st.sampled_from(["", " ", "\t", " x ", "a@example.com", "0532 111 22 33", "Ali Veli"])


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=9, unique=True),
    st.data(),
)
def test_csv_shortcut_collects_what_the_general_loop_collects(
    headers: list[str], data: st.DataObject
) -> None:
    cleaner = RowCleaner(kind_spec("people"), Mapping(region="TR"), dt.date(2026, 1, 1))
    if "id" not in headers:
        headers = ["id", *headers]
    plan = cleaner.plan(tuple(headers))
    raw = {header: data.draw(_VALUES) for header in headers}
    fast = RowCleaner._collect(plan, raw, True)
    general = RowCleaner._collect(plan, raw, False)
    assert fast == general
    assert [list(part) for part in fast] == [list(part) for part in general]  # same order
    row = ReadRow(2, raw, text_only=True)
    assert cleaner.clean(row) == cleaner.clean(ReadRow(2, dict(raw)))
