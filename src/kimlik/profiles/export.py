"""The profile exports: one row per profile or per member record, CSV or JSON Lines.

Rows stream from the database in batches, so memory stays flat at any size, and the file
is written beside its destination and renamed into place only when complete: a failed
export never leaves half a file (GUIDE §4, ``docs/profiles.md``).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import orjson
from sqlalchemy import Engine

from kimlik.errors import ExportError
from kimlik.profiles import repository as repo
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.profiles.values import golden_values
from kimlik.store.migrate import require_current

PROFILE_COLUMNS = ("profile_id", *PERSON_ATTRIBUTES)
MEMBER_COLUMNS = ("profile_id", "source", "record_id")


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: str  # csv | jsonl
    compressed: bool
    rows: int


def export_format(path: Path) -> tuple[str, bool]:
    """(``csv`` or ``jsonl``, gzip-compressed) from the file name; anything else is refused."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    stem = Path(name.removesuffix(".gz"))
    if stem.suffix in {".csv", ".jsonl"}:
        return stem.suffix[1:], compressed
    extension = stem.suffix + (".gz" if compressed else "")
    shown = f"extension {extension!r}" if extension else "no extension"
    raise ExportError(
        f"cannot export to {path.name}: {shown} is not supported; "
        "use .csv or .jsonl (optionally .gz)"
    )


def export_profiles(engine: Engine, path: Path) -> ExportResult:
    """One row per active profile: ``profile_id`` and the 18 golden attributes."""
    export_format(path)
    require_current(engine)
    with engine.connect() as connection:
        rows = (
            _profile_row(pid, attributes) for pid, attributes in repo.stream_profiles(connection)
        )
        return _write(path, PROFILE_COLUMNS, rows)


def _profile_row(profile_id: int, attributes: dict[str, Any]) -> tuple[Any, ...]:
    values = golden_values(attributes)
    return (profile_id, *(values.get(name) for name in PERSON_ATTRIBUTES))


def export_members(engine: Engine, path: Path) -> ExportResult:
    """One row per person record in a profile: ``profile_id, source, record_id``."""
    export_format(path)
    require_current(engine)
    with engine.connect() as connection:
        return _write(path, MEMBER_COLUMNS, repo.stream_members(connection))


def _write(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> ExportResult:
    kind, compressed = export_format(path)
    count = 0
    with _output(path, compressed) as out:
        if kind == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
                count += 1
        else:
            for row in rows:
                out.write(orjson.dumps(dict(zip(columns, row, strict=True))).decode())
                out.write("\n")
                count += 1
    return ExportResult(path, kind, compressed, count)


@contextmanager
def _output(path: Path, compressed: bool) -> Iterator[TextIO]:
    """A text file written beside ``path`` and renamed onto it only once complete."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle: TextIO = (
            gzip.open(partial, "wt", encoding="utf-8", newline="")
            if compressed
            else partial.open("w", encoding="utf-8", newline="")
        )
        with handle:
            yield handle
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
