"""Loading a benchmark script in a test: ``bench/`` is not a package, and ``bench/import``
cannot be one ("import" is a keyword), so the file itself is loaded under a private name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def load(name: str, path: Path) -> ModuleType:
    """The module at ``path`` as ``name`` (kept in ``sys.modules``: dataclasses look it up)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
