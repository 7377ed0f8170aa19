"""Whole-file failures: one clear line, a non-zero exit, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from kimlik.cli.app import app
from kimlik.store.tables import import_runs, source_records

runner = CliRunner()
GOOD = "id,email\n1,a@example.com\n"


def kimlik(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--database", database_url, *args])


def stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(source_records)).scalar_one()
        )


@pytest.mark.parametrize(
    ("files", "options", "message"),
    [
        ({}, ["missing.csv"], "cannot open"),
        ({"a.xlsx": GOOD}, ["a.xlsx"], "unsupported file type"),
        ({"a.csv": ""}, ["a.csv"], "empty file"),
        ({"a.csv": GOOD}, ["a.csv", "--kind", "invoices"], "unknown kind 'invoices'"),
        ({"a.csv": GOOD}, ["a.csv", "--region", "Narnia"], "unknown region"),
        ({"a.csv": GOOD}, ["a.csv", "--id-column", "Nope"], "id column 'Nope' is not in the file"),
        ({"a.csv": GOOD, "m.yaml": "colums: {}\n"}, ["a.csv", "--mapping", "m.yaml"], "'colums': unknown key"),
        ({"a.csv": GOOD, "m.yaml": "columns: {email: emial}\n"}, ["a.csv", "--mapping", "m.yaml"], "unknown people attribute 'emial'"),
        ({"a.csv": GOOD, "m.yaml": "columns: [\n"}, ["a.csv", "--mapping", "m.yaml"], "is not valid"),
        ({"a.csv": GOOD, "m.json": "{\"kind\": 5}"}, ["a.csv", "--mapping", "m.json"], "'kind'"),
        ({"a.csv": GOOD}, ["a.csv", "--encoding", "klingon"], "unknown encoding"),
        ({"a.csv": GOOD}, ["a.csv", "--mapping", "nope.yaml"], "cannot read mapping file"),
    ],
    ids=[
        "missing file", "unsupported extension", "empty file", "unknown kind", "unknown region",
        "id column not in header", "unknown mapping key", "unknown attribute", "broken yaml",
        "wrong type in json mapping", "unknown encoding", "missing mapping file",
    ],
)  # fmt: skip
def test_bad_invocations_fail_cleanly(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str], options: list[str], message: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    result = kimlik(database_url, "import", *options, "--source", "crm")
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(engine) == 0


def test_undecodable_file_mid_way_rolls_back_everything(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "latin.csv"
    good = "".join(f"{i},Ann\n" for i in range(1, 12_001)).encode()
    path.write_bytes(b"id,first name\n" + good + b"0,Jos\xe9\n")  # fails after 2 batches
    result = kimlik(database_url, "import", str(path), "--source", "crm")
    assert result.exit_code == 1 and "not valid utf-8-sig text" in result.output
    assert "--encoding" in result.output
    assert stored(engine) == 0
    with engine.connect() as connection:
        status, error = connection.execute(select(import_runs.c.status, import_runs.c.error)).one()
    assert status == "failed" and "utf-8" in error
    fixed = kimlik(database_url, "import", str(path), "--source", "crm", "--encoding", "latin-1")
    assert fixed.exit_code == 0 and stored(engine) == 12_001


def test_invalid_source_name(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = kimlik(database_url, "import", str(path), "--source", "my crm!")
    assert result.exit_code == 1 and "invalid source name" in result.output


def test_uninitialised_database_says_run_init(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(GOOD, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = kimlik(url, "import", str(path), "--source", "crm")
    assert result.exit_code == 3 and "run `kimlik init`" in result.output


def test_bad_database_url_is_a_usage_error(tmp_path: Path) -> None:
    result = kimlik("mysql://nope", "init")
    assert result.exit_code == 2 and "database" in result.output
    assert "Traceback" not in result.output
