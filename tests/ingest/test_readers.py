"""Framing and decoding: the two halves of reading give what one pass gave."""

from __future__ import annotations

from pathlib import Path

from kimlik.ingest.readers import ReadRow, RecordFile

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
    assert [len(batch) for batch in batches] == [2, 2, 1]
    rows = [row for batch in batches for row in decoder.decode(batch)]
    # a record spanning two lines is numbered by its last, as the csv module counts
    assert [row.line for row in rows] == [2, 5, 6, 8, 9]
    assert rows[1].values == {"id": "2", "name": "Smith, John", "note": "two\nlines"}
    assert (rows[2].error_code, rows[2].values["_extra_fields"]) == ("row.field_count", ["fields"])
    assert (rows[3].error_code, rows[3].values) == ("row.field_count", {"id": "4", "name": "short"})
    assert [row.text_only for row in rows] == [True, True, False, False, True]
    with RecordFile(path) as file:
        assert list(file) == rows


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
