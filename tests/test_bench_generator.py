"""The import benchmark's data generator: right header, right mix, same bytes for a seed.

Why test a benchmark tool: the import figures are only comparable if the file is. A
generator that silently drifted (fewer broken rows, no duplicates, new bytes for an old
seed) would make a slower importer look faster.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from bench_files import BENCH, load

GENERATOR = BENCH / "import" / "generate.py"
ROWS = 2000
SEED = 7
HEADER = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Birth Date",
    "Street",
    "City",
    "Postal Code",
    "Country",
    "Company",
    "Job Title",
    "Industry",
    "Gender",
    "Signed Up At",
    "Loyalty Tier",
]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return load("kimlik_bench_generate", GENERATOR)


@pytest.fixture(scope="module")
def csv_rows(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    path = tmp_path_factory.mktemp("bench") / "people.csv"
    generate.write_file(path, ROWS, SEED)
    with open(path, encoding="utf-8", newline="") as text:
        return list(csv.reader(text))


def simple_defect(row: dict[str, str], known_countries: set[str]) -> str | None:
    """What is wrong with a row, judged from its text alone (not from the generator's label)."""
    if not row["Customer ID"].strip():
        return "missing_id"
    if not any(row[c].strip() for c in ("First Name", "Last Name", "Email", "Phone")):
        return "blank_identity"
    if row["Email"] and not EMAIL.match(row["Email"]):
        return "bad_email"
    if row["Phone"] and len(re.sub(r"\D", "", row["Phone"])) < 10:
        return "bad_phone"
    if row["Birth Date"]:
        try:
            born = datetime.strptime(row["Birth Date"].replace("/", "."), "%d.%m.%Y").date()
        except ValueError:
            return "impossible_date"
        if born > date.today():
            return "future_birth_date"
    if row["Country"] not in known_countries:
        return "unknown_country"
    return None


def test_header_is_the_crm_export_header(csv_rows: list[list[str]]) -> None:
    assert csv_rows[0] == HEADER
    assert len(csv_rows) == ROWS + 1
    assert all(len(row) == len(HEADER) for row in csv_rows)


def test_invalid_rows_are_about_five_percent_and_labelled_truthfully(
    generate: ModuleType, csv_rows: list[list[str]]
) -> None:
    labelled = list(generate.PeopleGenerator(SEED).rows(ROWS))
    assert [list(row.values) for row in labelled] == csv_rows[1:]

    known = {spelling for names in generate.COUNTRY_SPELLINGS.values() for spelling in names}
    judged = [simple_defect(dict(zip(HEADER, row, strict=True)), known) for row in csv_rows[1:]]
    assert judged == [row.defect for row in labelled]

    invalid = [defect for defect in judged if defect is not None]
    assert 0.03 <= len(invalid) / ROWS <= 0.08
    assert set(invalid) == set(generate.DEFECTS)  # every kind shows up


def test_exact_duplicates_repeat_an_earlier_row(
    generate: ModuleType, csv_rows: list[list[str]]
) -> None:
    seen: set[tuple[str, ...]] = set()
    repeats = 0
    for row in map(tuple, csv_rows[1:]):
        if row in seen:
            repeats += 1
            assert row[0], "only rows with a Customer ID are repeated"
        seen.add(row)
    flagged = sum(row.duplicate for row in generate.PeopleGenerator(SEED).rows(ROWS))
    assert repeats == flagged
    assert 0.003 <= repeats / ROWS <= 0.03


def test_rows_look_like_a_turkish_and_international_crm(csv_rows: list[list[str]]) -> None:
    columns = dict(zip(HEADER, zip(*csv_rows[1:], strict=True), strict=True))
    names = " ".join(columns["First Name"] + columns["Last Name"])
    assert set("çğıİöşü") <= set(names)
    assert {"Türkiye", "Turkey", "TR", "United States", "USA", "UK"} <= set(columns["Country"])
    dates = [d for d in columns["Birth Date"] if d]
    assert any("." in d for d in dates) and any("/" in d for d in dates)
    assert any(int(d[:2]) > 12 for d in dates if d[:2].isdigit())  # unambiguous day-first
    phones = columns["Phone"]
    assert any(p.startswith("+90 ") for p in phones) and any(p.startswith("0090 ") for p in phones)
    assert any(p.startswith("(") for p in phones) and any(p.startswith("+44 ") for p in phones)
    assert {"Tech", "Bilişim", "Software", "Perakende", "Retail"} & set(columns["Industry"])


def test_same_seed_same_bytes(generate: ModuleType, tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv", "c.csv.gz", "d.csv.gz"):
        generate.write_file(tmp_path / name, 500, SEED, "csv", name.endswith(".gz"))
    generate.write_file(tmp_path / "other.csv", 500, SEED + 1)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "c.csv.gz").read_bytes() == (tmp_path / "d.csv.gz").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "other.csv").read_bytes()


def test_command_line_gzip_and_jsonl_read_back(tmp_path: Path, csv_rows: list[list[str]]) -> None:
    rows = 300
    for name in ("people.jsonl.gz", "people.csv.gz", "people.jsonl"):
        done = subprocess.run(
            [sys.executable, str(GENERATOR), "--rows", str(rows), "--seed", str(SEED)]
            + ["--output", str(tmp_path / name)]
            + (["--gzip"] if name.endswith(".gz") else []),
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("generate: 300 rows")

    with gzip.open(tmp_path / "people.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    assert [list(record) for record in records] == [HEADER] * rows
    # the same seed gives the same stream, whatever the length and format
    assert [list(record.values()) for record in records] == csv_rows[1 : rows + 1]
    with open(tmp_path / "people.jsonl", encoding="utf-8") as lines:
        assert [json.loads(line) for line in lines] == records

    with gzip.open(tmp_path / "people.csv.gz", "rt", encoding="utf-8", newline="") as text:
        assert list(csv.reader(text)) == csv_rows[: rows + 1]


def test_gzip_needs_a_gz_name(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--rows", "5", "--output", str(tmp_path / "p.csv")]
        + ["--gzip"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and ".gz" in done.stderr
    assert not (tmp_path / "p.csv").exists()
