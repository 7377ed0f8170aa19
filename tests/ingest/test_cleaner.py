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


_COUNTRY_HEADERS = ["id", "email", "phone", "ülke", "posta kodu", "Ad Soyad", "doğum tarihi"]
_MIXED = st.sampled_from(
    [
        "", " ", "a@example.com", "not an email", "noemail@x.com", "0532 111 22 33",
        "+44 20 7946 0958", "12345", "TR", "Germany", "Narnia", "34000", "SW1A 1AA",
        "Ali Veli", "Dr. Ayşe Yılmaz", "1990-02-30", "03/04/1985", "2999-01-01",
    ]
)  # fmt: skip


@st.composite
def _read_rows(draw: st.DrawFn) -> list[ReadRow]:
    """CSV rows of one header set mixed with JSON-like rows of others, some unreadable."""
    csv_headers = ["id", *draw(st.lists(st.sampled_from(_COUNTRY_HEADERS[1:]), unique=True))]
    rows = []
    for line in range(2, 2 + draw(st.integers(1, 12))):
        shape = draw(st.sampled_from(["csv", "csv", "json", "unreadable"]))
        if shape == "unreadable":
            rows.append(ReadRow(line, {"_line": "{"}, "row.invalid_json", "bad JSON"))
            continue
        headers = csv_headers
        if shape == "json":
            headers = draw(st.lists(st.sampled_from(_COUNTRY_HEADERS), min_size=1, unique=True))
        raw = {header: draw(_MIXED) for header in headers}
        rows.append(ReadRow(line, raw, text_only=shape == "csv"))
    return rows


@settings(max_examples=300, deadline=None, database=None)
@given(_read_rows(), st.sampled_from([[], ["phone"], ["first_name"]]))
def test_a_batch_cleans_as_each_of_its_rows_alone(rows: list[ReadRow], required: list[str]) -> None:
    """Cleaning runs field by field across a batch; no row may see another row's values."""
    mapping = Mapping(region="TR", required=required)

    def cleaner() -> RowCleaner:
        return RowCleaner(kind_spec("people"), mapping, dt.date(2026, 1, 1))

    alone = [cleaner().clean(row) for row in rows]
    assert cleaner().clean_batch(rows) == alone
    warm = cleaner()
    warm.clean_batch(list(reversed(rows)))  # memos filled by other rows change nothing
    assert warm.clean_batch(rows) == alone


def test_each_rows_own_country_reads_its_phone_in_a_batch() -> None:
    cleaner = RowCleaner(kind_spec("people"), Mapping(region="TR"), dt.date(2026, 1, 1))
    rows = [
        ReadRow(line, {"id": str(line), "phone": "0532 111 22 33", "ülke": country}, text_only=True)
        for line, country in enumerate(["Germany", "", "Türkiye", "Germany"], start=2)
    ]
    phones = [outcome.values.get("phone") for outcome in cleaner.clean_batch(rows)]  # type: ignore[union-attr]
    assert phones == ["+495321112233", "+905321112233", "+905321112233", "+495321112233"]
