"""Framing and decoding: the two halves of reading give what one pass gave."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kimlik.errors import UnreadableFileError
from kimlik.ingest.readers import ReadRow, RecordFile, RowDecoder, TextRun

CSV = (
    "id,name,note\n"
    "1,Ayşe,plain\n"
    "\n"
    '2,"Smith, John","two\nlines"\n'
    "3,too,many,fields\n"
    "   \n"
    "4,short\n"
    "5,last,row\n"
)


def test_frames_decode_to_rows_with_file_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(CSV, encoding="utf-8")
    with RecordFile(path) as file:
        batches = list(file.frame_batches(2))
        decoder = file.decoder
    rows = [row for batch in batches for row in decoder.decode(batch)]
    # a record spanning two lines is numbered by its last, as the csv module counts
    assert [row.line for row in rows] == [2, 5, 6, 8, 9]
    assert rows[1].values == {"id": "2", "name": "Smith, John", "note": "two\nlines"}
    assert (rows[2].error_code, rows[2].values["_extra_fields"]) == ("row.field_count", ["fields"])
    assert (rows[3].error_code, rows[3].values) == ("row.field_count", {"id": "4", "name": "short"})
    assert [row.text_only for row in rows] == [True, True, False, False, True]
    with RecordFile(path) as file:
        assert list(file) == rows


def test_lines_without_quotes_travel_as_text(tmp_path: Path) -> None:
    """The parent splits only records with a quote; runs of other lines go out whole."""
    path = tmp_path / "p.csv"
    path.write_text(CSV, encoding="utf-8")
    with RecordFile(path) as file:
        (batch,) = list(file.frame_batches(1000))
    kinds = [type(item).__name__ for item in batch]
    assert kinds == ["TextRun", "tuple", "TextRun"]
    assert batch[1] == (5, ["2", "Smith, John", "two\nlines"])


def _expected(text: str) -> list[tuple[int, list[str]]]:
    """What one csv.reader over the whole file gives: (line number, fields), blanks out."""
    handle = io.StringIO(text, newline="")
    handle.readline()
    reader = csv.reader(handle)
    return [
        (reader.line_num + 1, fields)
        for fields in reader
        if fields and not (len(fields) == 1 and not fields[0].strip())
    ]


_FIELD = st.text(alphabet=st.sampled_from('ab ,"\n\r;x'), max_size=12)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(st.lists(_FIELD, min_size=1, max_size=4), max_size=25),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    size=st.integers(min_value=1, max_value=3),
    width=st.integers(min_value=1, max_value=3),
)
def test_framing_in_pieces_reads_what_one_reader_reads(
    tmp_path: Path, records: list[list[str]], ending: str, size: int, width: int
) -> None:
    """Whatever the quotes, line endings, chunk sizes and widths: the same rows and lines."""
    buffer = io.StringIO(newline="")
    header = [f"h{number}" for number in range(1, width + 1)]
    csv.writer(buffer, lineterminator=ending).writerows([header, *records])
    text = buffer.getvalue()
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode("utf-8"))
    with RecordFile(path, delimiter=",") as file:
        batches = list(file.frame_batches(size))
        decoder = file.decoder
    rows = [row for batch in batches for row in decoder.decode(batch)]
    got = [(row.line, [v for v in row.values.values() if not isinstance(v, list)]) for row in rows]
    expected = [(line, fields[:width]) for line, fields in _expected(text)]
    assert got == expected


def test_a_quoted_field_running_past_a_chunk_is_read_whole(tmp_path: Path) -> None:
    long_note = "\n".join(f"line {n} of a long note" for n in range(40))
    path = tmp_path / "p.csv"
    path.write_text(f'id,note\n1,"{long_note}"\n2,after\n', encoding="utf-8")
    with RecordFile(path) as file:  # batches of one row: a chunk far shorter than the note
        rows = [row for batch in file.frame_batches(1) for row in file.decoder.decode(batch)]
    assert [(row.line, row.values["id"]) for row in rows] == [(41, "1"), (42, "2")]
    assert rows[0].values["note"] == long_note


def test_a_run_that_is_not_csv_names_the_file() -> None:
    decoder = RowDecoder(("a",), ",", "people.csv")
    limit = csv.field_size_limit(10)
    try:
        with pytest.raises(UnreadableFileError, match="people.csv: malformed CSV"):
            decoder.decode([TextRun(0, "x" * 50 + "\n")])
    finally:
        csv.field_size_limit(limit)


def test_json_lines_are_decoded_where_they_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 1}\n\n[1]\n{broken\n{"id": "2", "n": null}\n', encoding="utf-8")
    with RecordFile(path) as file:
        frames = [frame for batch in file.frame_batches(10) for frame in batch]
        rows = file.decoder.decode(frames)
    assert [frame[0] for frame in frames] == [1, 3, 4, 5]
    assert rows[0] == ReadRow(1, {"id": 1})
    assert [row.error_code for row in rows] == [None, "row.not_object", "row.invalid_json", None]
    assert rows[3].values == {"id": "2", "n": None} and not rows[3].text_only
