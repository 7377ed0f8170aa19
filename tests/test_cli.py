"""The ``kimlik`` command end to end: init, import, quality, demo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from kimlik.access.service import authenticate
from kimlik.cli.app import app
from kimlik.demo.files import demo_data_dir, demo_files
from kimlik.errors import AuthenticationError
from kimlik.store.tables import RECORD_TABLES

runner = CliRunner()


def kimlik(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--database", database_url, *args])


def test_init_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first = kimlik(url, "init")
    second = kimlik(url, "init")
    assert first.exit_code == 0 and "schema created" in first.output
    assert second.exit_code == 0 and "up to date" in second.output


def test_import_prints_counts_and_rejections(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,email,phone\n1,a@example.com,0532 111 22 33\n2,,\n", encoding="utf-8")
    result = kimlik(database_url, "import", str(path), "--source", "crm", "--region", "TR")
    assert result.exit_code == 0, result.output
    assert "read" in result.output and "rejected" in result.output
    assert "row.no_identity" in result.output
    assert "Traceback" not in result.output


def test_demo_sample_accounts_for_every_row_and_reimport_changes_nothing(
    database_url: str, engine: Engine
) -> None:
    """The acceptance scenario: three sources, deliberate errors, imported twice."""
    first = kimlik(database_url, "demo")
    assert first.exit_code == 0, first.output
    for name in ("crm_contacts.csv", "webshop_orders.csv", "support_customers.csv"):
        assert name in first.output
    with engine.connect() as connection:
        counts = {
            kind: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for kind, table in RECORD_TABLES.items()
        }
    assert counts["people"] > 500 and counts["orders"] > 300 and counts["interactions"] > 100
    assert counts["feedback"] > 50 and counts["consents"] > 50
    assert "resolve run 1: full" in first.output
    # It ends with one customer's single view: several apps' records in one profile.
    view = first.output.split("One customer's single view", 1)[1]
    assert "golden record" in view and "timeline" in view
    assert int(re.search(r"(\d+) source record\(s\)", view)[1]) >= 3  # type: ignore[index]
    second = kimlik(database_url, "demo")
    assert second.exit_code == 0
    rows = _count_rows(second.output)
    assert len(rows) == len(demo_files())
    for line in rows:
        read, new, updated, unchanged, rejected = line
        assert new == updated == 0 and read == unchanged + rejected
    _assert_demo_sign_ins_work(first.output, second.output, engine)


def _assert_demo_sign_ins_work(first: str, second: str, engine: Engine) -> None:
    """The demo ends with the web address and a sign-in for every role; each run makes a
    new password, and only the latest one opens the door."""
    pattern = r"http://127\.0\.0\.1:8000/ and sign in as (\S+) with\s+password (\S+)"
    old = re.search(pattern, " ".join(first.split()))
    new = re.search(pattern, " ".join(second.split()))
    assert old and new, second[-600:]
    assert old[2] != new[2]
    principal = authenticate(engine, new[1], new[2])
    assert principal.role == "admin"
    for role in ("agent", "analyst", "marketer"):
        assert f"or as {role}: {role}@demo.kimlik.dev" in second
        assert authenticate(engine, f"{role}@demo.kimlik.dev", new[2]).role == role
    with pytest.raises(AuthenticationError):
        authenticate(engine, new[1], old[2])


def _count_rows(output: str) -> list[tuple[int, ...]]:
    rows = []
    lines = output.splitlines()
    for header, values in zip(lines, lines[1:], strict=False):
        if header.split() == ["read", "new", "updated", "unchanged", "rejected"]:
            rows.append(tuple(int(v.replace(",", "")) for v in values.split()))
    return rows


def test_demo_files_are_shipped() -> None:
    for name, *_ in demo_files():
        assert (demo_data_dir() / name).is_file()


def test_quality_report_text_and_json(database_url: str) -> None:
    assert kimlik(database_url, "demo").exit_code == 0
    text = kimlik(database_url, "quality")
    assert text.exit_code == 0 and "shared identifiers" in text.output
    machine = kimlik(database_url, "quality", "--format", "json")
    assert machine.exit_code == 0
    report = json.loads(machine.output)
    sources = {s["source"]: s for s in report["sources"]}
    assert set(sources) == {source for _, source, _, _ in demo_files()}
    crm_people = next(k for k in sources["crm"]["kinds"] if k["kind"] == "people")
    email = next(a for a in crm_people["attributes"] if a["attribute"] == "email")
    assert email["invalid"] >= 2 and 0 < email["validity"] < 1
    assert crm_people["rejected"]  # rows without id or identity
    assert sources["crm"]["last_import_at"]
    shared_email = next(s for s in report["shared"] if s["identifier"] == "email")
    assert shared_email["shared"] >= 2  # the same people in several apps


def test_quality_on_empty_store(database_url: str) -> None:
    result = kimlik(database_url, "quality")
    assert result.exit_code == 0 and "No data yet" in result.output


def test_bad_format_option_is_a_usage_error(database_url: str) -> None:
    result = kimlik(database_url, "quality", "--format", "xml")
    assert result.exit_code == 2


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = {"KIMLIK_IMPORT_WORKERS": "several"}
    for command in (["init"], ["quality"], ["resolve"]):
        result = runner.invoke(app, ["--database", url, *command], env=env)
        assert result.exit_code == 2, result.output
        assert "error: invalid setting KIMLIK_IMPORT_WORKERS" in result.output
        assert "Traceback" not in result.output and "several" not in result.output
