"""Docs fail the build when they fall behind: every command and setting is documented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from kimlik.cli.app import app
from kimlik.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))


def test_every_command_is_documented() -> None:
    command = typer.main.get_command(app)
    names = sorted(command.commands)  # type: ignore[attr-defined]
    assert names
    text = docs_text()
    assert [n for n in names if f"kimlik {n}" not in text] == []


def test_every_setting_is_documented() -> None:
    text = docs_text()
    names = [f"KIMLIK_{name.upper()}" for name in Settings.model_fields]
    assert [n for n in names if n not in text] == []


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "kimlik demo" in readme.split("##")[0]
    assert "bash scripts/test" in readme.split("##")[0]
    assert "bash scripts/test" in ci
