"""A look at a file before importing it: the column plan and the first rows, standardized.

Side-effect free: nothing is written and no database is needed. It reads only the first
rows of the file and runs them through the same ``RowCleaner`` the import uses, so what
a person sees here (values in E.164, flagged values, rejected rows and why) is what the
import will do with those rows. ``build_mapping`` turns a person's choices (an attribute
per column, an id column) into the ``Mapping`` both the preview and the import take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping as MappingOf
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kimlik.errors import MappingError
from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.kinds import KindSpec
from kimlik.ingest.mapping import ColumnPlan, Mapping, plan_columns
from kimlik.ingest.readers import ReadRow, RecordFile
from kimlik.ingest.rows import CleanRow, Reason

#: Rows shown; only about this many are read from the file.
PREVIEW_ROWS = 10
_NAME_PARTS = ("first_name", "last_name")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the file: what it feeds with these choices, and what was detected."""

    header: str
    attribute: str | None
    detected: str | None


@dataclass(frozen=True, slots=True)
class Cell:
    """One attribute of one row: the standardized value, the file's text, its problems."""

    attribute: str
    value: str | None
    raw: str | None
    problems: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One row as the import would store it (``ok``, ``flagged``) or refuse it."""

    line: int
    status: str
    record_id: str | None
    cells: tuple[Cell, ...]
    #: problems of the row as a whole (no id, nobody to identify, unreadable)
    reasons: tuple[Reason, ...]
    #: values kept as custom attributes
    custom: int


@dataclass(frozen=True, slots=True)
class Preview:
    """What importing the file with a mapping would do, shown on its first rows."""

    kind: str
    headers: tuple[str, ...]
    columns: tuple[Column, ...]
    #: the column holding the record id (None: several id attributes, or content ids)
    id_column: str | None
    content_ids: bool
    #: the attributes shown for each row, in order
    attributes: tuple[str, ...]
    rows: tuple[PreviewRow, ...]
    #: things worth knowing that do not stop the import
    warnings: tuple[str, ...]
    #: why the import would refuse the file or every row; empty when it can run
    refusals: tuple[str, ...]


def read_first_rows(
    path: Path, mapping: Mapping, limit: int = PREVIEW_ROWS
) -> tuple[tuple[str, ...], list[ReadRow]]:
    """The header and up to ``limit`` rows; file problems raise ``UnreadableFileError``.

    A JSON Lines file has no header: its columns are the keys of these rows, in order.
    """
    rows: list[ReadRow] = []
    with RecordFile(path, encoding=mapping.encoding, delimiter=mapping.delimiter) as file:
        decoder = file.decoder
        for batch in file.frame_batches(limit):
            rows.extend(decoder.decode(batch))
            if len(rows) >= limit:
                break
        headers = file.headers
    if not headers:
        keys: dict[str, None] = {}
        for row in rows:
            if row.error_code is None:
                keys.update(dict.fromkeys(row.values))
        headers = tuple(keys)
    return headers, rows[:limit]


def build_mapping(
    kind: KindSpec,
    headers: Sequence[str],
    *,
    choices: MappingOf[str, str | None] | None = None,
    id_column: str | None = None,
    region: str | None = None,
    encoding: str | None = None,
) -> Mapping:
    """The mapping for a person's choices: ``id_column`` holds the record id, ``choices``
    says what each other column feeds (None: a custom attribute). Only choices that differ
    from auto-detection are written down, as a person would write a mapping file."""
    base = Mapping().merged(kind=kind.name, id_column=id_column, region=region, encoding=encoding)
    if choices is None:
        return base
    detected = plan_columns(headers, kind, base)
    columns: dict[str, str | None] = {}
    for header, found in zip(detected.headers, detected.attributes, strict=True):
        if header == id_column or header not in choices:
            continue
        if choices[header] != found:
            columns[header] = choices[header]
    return base.merged(columns=columns) if columns else base


def preview_rows(
    kind: KindSpec,
    mapping: Mapping,
    headers: tuple[str, ...],
    rows: list[ReadRow],
    *,
    today: dt.date,
    identifiers: tuple[str, ...] = (),
) -> Preview:
    """Plan the columns and clean ``rows`` as the import would; a mapping the import
    refuses is a ``MappingError``."""
    plan = plan_columns(headers, kind, mapping)
    detected = plan_columns(headers, kind, Mapping(kind=kind.name))
    columns = tuple(
        Column(header, attribute, found)
        for header, attribute, found in zip(
            headers, plan.attributes, detected.attributes, strict=True
        )
    )
    attributes = _shown_attributes(kind, plan)
    cleaner = RowCleaner(kind, mapping, today, identifiers if kind.name == "people" else ())
    outcomes = cleaner.clean_batch(rows)
    shown = tuple(
        _row(kind, plan, attributes, row, outcome)
        for row, outcome in zip(rows, outcomes, strict=True)
    )
    id_column = None
    if len(kind.id_attributes) == 1:
        id_column = next((c.header for c in columns if c.attribute == kind.id_attributes[0]), None)
    warnings = _warnings(kind, plan, rows)
    return Preview(
        kind=kind.name,
        headers=headers,
        columns=columns,
        id_column=id_column,
        content_ids=plan.content_ids,
        attributes=attributes,
        rows=shown,
        warnings=tuple(warnings),
        refusals=tuple(_refusals(kind, mapping, plan, identifiers)),
    )


def preview_file(
    path: Path,
    kind: KindSpec,
    mapping: Mapping,
    *,
    today: dt.date,
    identifiers: tuple[str, ...] = (),
    limit: int = PREVIEW_ROWS,
) -> Preview:
    """``preview_rows`` on the first ``limit`` rows of the file at ``path``."""
    headers, rows = read_first_rows(path, mapping, limit)
    return preview_rows(kind, mapping, headers, rows, today=today, identifiers=identifiers)


def _shown_attributes(kind: KindSpec, plan: ColumnPlan) -> tuple[str, ...]:
    """The id attributes first, then the mapped attributes in column order (a full
    name shown as the first and last name it is split into)."""
    order: dict[str, None] = dict.fromkeys(a for a in kind.id_attributes if a in plan.attributes)
    for attribute in plan.attributes:
        if attribute == "full_name":
            order.update(dict.fromkeys(_NAME_PARTS))
        elif attribute is not None:
            order[attribute] = None
    return tuple(order)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _row(
    kind: KindSpec,
    plan: ColumnPlan,
    attributes: tuple[str, ...],
    row: ReadRow,
    outcome: Any,
) -> PreviewRow:
    clean = isinstance(outcome, CleanRow)
    reasons: list[Reason] = list(outcome.issues or []) if clean else list(outcome.reasons)
    by_attribute: dict[str, list[Reason]] = {}
    whole_row: list[Reason] = []
    for reason in reasons:
        attribute = reason["attribute"]
        if attribute in attributes:
            by_attribute.setdefault(attribute, []).append(reason)
        else:
            whole_row.append(reason)
    cells = []
    for attribute in attributes:
        if attribute in kind.id_attributes and kind.field(attribute) is None:
            value = outcome.record_id if clean and len(kind.id_attributes) == 1 else None
        else:
            spec = kind.field(attribute)
            target = spec.target if spec else attribute
            value = outcome.values.get(target) if clean else None
        problems = tuple(by_attribute.get(attribute, ()))
        cells.append(Cell(attribute, _text(value), _raw(plan, row, attribute), problems))
    if not clean:
        status = "rejected"
    else:
        status = "flagged" if reasons else "ok"
    custom = len(outcome.custom or {}) if clean else 0
    return PreviewRow(
        line=row.line,
        status=status,
        record_id=outcome.record_id,
        cells=tuple(cells),
        reasons=tuple(whole_row),
        custom=custom,
    )


def _raw(plan: ColumnPlan, row: ReadRow, attribute: str) -> str | None:
    """The file's text for ``attribute``: its first column with a value."""
    wanted = {attribute, "full_name"} if attribute in _NAME_PARTS else {attribute}
    for header, target in plan.pairs:
        if target in wanted:
            value = _text(row.values.get(header))
            if value is not None and value.strip():
                return value
    return None


def _warnings(kind: KindSpec, plan: ColumnPlan, rows: list[ReadRow]) -> list[str]:
    notes = []
    if not rows:
        notes.append("The file has no rows after its header.")
    if plan.content_ids:
        notes.append(
            "No column holds the record id: rows are identified by their content, so a "
            "changed row becomes a new record. Choose the id column if the file has one."
        )
    fed: dict[str, list[str]] = {}
    for header, attribute in plan.mapped_pairs:
        fed.setdefault(attribute, []).append(header)
    for attribute, headers in fed.items():
        if len(headers) > 1:
            listed = ", ".join(f"“{h}”" for h in headers)
            notes.append(
                f"{listed} all feed {attribute}: in each row the first one with a value wins."
            )
    return notes


def _refusals(
    kind: KindSpec, mapping: Mapping, plan: ColumnPlan, identifiers: tuple[str, ...]
) -> list[str]:
    """What makes the import reject every row: a required attribute or group unfed."""
    present = {a for a in plan.attributes if a is not None}
    if "full_name" in present:
        present |= set(_NAME_PARTS)
    found = []
    required = [f.name for f in kind.fields if f.required] + list(mapping.required)
    for name in dict.fromkeys(required):
        if name not in present:
            found.append(f"No column feeds {name}, which every {kind.name} row needs.")
    custom = set(plan.custom_headers)
    for group in kind.required_any:
        if not present.intersection(group) and not (
            kind.name == "people" and custom.intersection(identifiers)
        ):
            found.append(f"No column feeds any of {', '.join(group)}: every row needs one of them.")
    return found


__all__ = [
    "PREVIEW_ROWS",
    "Cell",
    "Column",
    "MappingError",
    "Preview",
    "PreviewRow",
    "build_mapping",
    "preview_file",
    "preview_rows",
    "read_first_rows",
]
