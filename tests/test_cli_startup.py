"""Start-up cost: ``kimlik --help`` loads no service, and each command only the ones it uses.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kimlik.cli.app import app  # before the command modules: they import it, and it them
from kimlik.cli.import_cmd import KIND_NAMES
from kimlik.ingest.kinds import KINDS
from kimlik.store.engine import open_engine
from kimlik.store.migrate import upgrade

#: The matcher and what it pulls in (DuckDB, pyarrow, Splink): only resolving needs them.
MATCHER = {"duckdb", "pyarrow", "splink", "kimlik.resolve.engine", "kimlik.identity.service"}
#: Every service, and the libraries that make them slow to import.
SERVICES = MATCHER | {
    "kimlik.ingest.service",
    "kimlik.ingest.kinds",
    "kimlik.profiles.service",
    "kimlik.quality.service",
    "phonenumbers",
    "alembic",
    "sqlalchemy",
    "pydantic_settings",
}

#: Runs the console script's ``main`` with argv[2:], then writes sys.modules to argv[1].
RUN_CLI = """
import sys
from kimlik.cli import main
out, sys.argv = sys.argv[1], ["kimlik", *sys.argv[2:]]
try:
    main()
finally:
    with open(out, "w", encoding="utf-8") as file:
        file.write("\\n".join(sorted(sys.modules)))
"""


def loaded_by(tmp_path: Path, *args: str, database_url: str | None = None) -> set[str]:
    """The modules a fresh ``kimlik ARGS`` has imported when it finishes."""
    out = tmp_path / "modules.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIMLIK_")}
    env["KIMLIK_IMPORT_WORKERS"] = "0"
    if database_url:
        env["KIMLIK_DATABASE_URL"] = database_url
    run = subprocess.run(
        [sys.executable, "-c", RUN_CLI, str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return set(out.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file (built here, so the command under test runs alone)."""
    url = f"sqlite:///{tmp_path / 'kimlik.db'}"
    engine = open_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def test_importing_the_app_loads_no_service() -> None:
    code = "import sys, kimlik.cli.app; print(sorted(sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert set(ast.literal_eval(run.stdout)) & SERVICES == set()


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"]], ids=" ".join)
def test_help_loads_no_service(tmp_path: Path, args: list[str]) -> None:
    assert loaded_by(tmp_path, *args) & SERVICES == set()


def test_import_loads_the_pipeline_but_not_the_matcher(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,email\n1,a@example.com\n", encoding="utf-8")
    loaded = loaded_by(tmp_path, "import", str(path), "--source", "crm", database_url=sqlite_url)
    assert "kimlik.ingest.service" in loaded  # the import did run
    others = {"kimlik.profiles.service", "kimlik.quality.service", "kimlik.profiles.rules"}
    assert loaded & (MATCHER | others) == set()


def test_resolve_loads_the_matcher_but_not_the_pipeline(tmp_path: Path, sqlite_url: str) -> None:
    loaded = loaded_by(tmp_path, "resolve", database_url=sqlite_url)
    assert "kimlik.identity.service" in loaded  # the resolve did run
    assert {m for m in loaded if m.startswith("kimlik.ingest")} == set()


def test_help_lists_the_importers_kinds() -> None:
    """``--kind``'s help names the kinds without importing the standardizers behind them."""
    assert KIND_NAMES == tuple(KINDS)
    result = CliRunner().invoke(app, ["import", "--help"])
    assert result.exit_code == 0, result.output
    assert all(kind in result.output for kind in KINDS)
