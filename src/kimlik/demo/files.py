"""The bundled sample files and the order a business would load them in."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson


def demo_data_dir() -> Path:
    """Where the bundled sample files live inside the installed package."""
    return Path(str(resources.files("kimlik.demo") / "data"))


def demo_files() -> list[tuple[str, str, str, str | None]]:
    """(file, source, kind, region) from the bundled manifest, in loading order."""
    manifest = orjson.loads((demo_data_dir() / "manifest.json").read_bytes())
    return [(f["name"], f["source"], f["kind"], f.get("region")) for f in manifest["files"]]
