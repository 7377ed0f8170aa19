"""Imports only go down the layers of GUIDE §1; checked on the source, not by review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kimlik

PACKAGE = Path(kimlik.__file__).parent
#: package -> packages it must never import
FORBIDDEN = {
    "standardize": {"store", "ingest", "sources", "quality", "cli", "config"},
    "store": {
        "api",
        "app",
        "collect",
        "access",
        "ingest",
        "sources",
        "quality",
        "cli",
        "standardize",
    },
    "ingest": {"api", "app", "collect", "access", "cli", "quality"},
    "sources": {"api", "app", "collect", "access", "cli", "ingest", "quality"},
    "quality": {"api", "app", "collect", "access", "cli"},
    # the engine knows records as plain rows: no ORM, no slices, no delivery (GUIDE §1)
    "resolve": {"store", "ingest", "sources", "quality", "cli", "profiles", "identity", "config"},
    "profiles": {"cli", "identity", "ingest", "api", "collect", "access"},
    "identity": {"cli", "api", "collect", "access"},
    "access": {"cli", "api", "collect", "identity", "ingest", "profiles", "quality"},
    "collect": {"cli", "api"},
    # the web pages build on the API's delivery helpers (who calls, masking), never back
    "api": {"cli", "web"},
    "web": {"cli"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("kimlik.") and name.count(".")}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_packages(path) & FORBIDDEN[layer])
        for path in (PACKAGE / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_is_a_god_file() -> None:
    large = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert large == {}
