"""Where each value of a record sits in the row the writer inserts.

Workers build insert-ready rows and the parent's writer reads record ids and hashes out
of them, so both must agree on one column order: this one, derived from the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from kimlik.ingest.rows import CleanRow
from kimlik.store.tables import RECORD_TABLES

#: Columns managed by the writer, not filled from standardized values.
_MANAGED = frozenset(
    {
        "id", "source_id", "record_id", "version", "content_hash", "raw", "custom", "issues",
        "invalid_fields", "changed_fields", "import_run_id", "row_number", "first_seen_at",
        "updated_at", "person_record_id", "order_row_id",
    }
)  # fmt: skip
#: Link columns reset on every write so the link-up pass re-derives them.
_LINKS = ("person_record_id", "order_row_id")
#: Bookkeeping columns, in insert order, after the values and the links.
BOOKKEEPING = (
    "source_id", "record_id", "version", "content_hash", "raw", "custom", "issues",
    "invalid_fields", "changed_fields", "import_run_id", "row_number", "first_seen_at",
    "updated_at",
)  # fmt: skip
#: Columns given already encoded: the run's timestamps, the same for every row.
CONSTANT_MOMENTS = ("first_seen_at", "updated_at")


@dataclass(frozen=True, slots=True)
class RecordLayout:
    """The insert column order of one kind's record table."""

    table: Table
    value_columns: tuple[str, ...]
    links: tuple[str, ...]

    @classmethod
    def for_kind(cls, kind: str) -> RecordLayout:
        """The layout of ``kind``'s table, from the schema (a new column is picked up)."""
        table = RECORD_TABLES[kind]
        values = tuple(str(c.name) for c in table.c if c.name not in _MANAGED)
        return cls(table, values, tuple(name for name in _LINKS if name in table.c))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every inserted column, in order."""
        return (*self.value_columns, *self.links, *BOOKKEEPING)

    def index(self, column: str) -> int:
        """Position of ``column`` in an inserted row."""
        return self.columns.index(column)

    def row(self, clean: CleanRow, source_id: int, run_id: int, moment: Any) -> list[Any]:
        """Version 1 of a record; ``moment`` is the run's time, encoded for the driver."""
        values = clean.values
        return [
            *map(values.get, self.value_columns),
            *(None for _ in self.links),
            source_id,
            clean.record_id,
            1,
            clean.content_hash,
            clean.raw,
            clean.custom,
            clean.issues,
            clean.invalid_fields,
            clean.changed_fields,
            run_id,
            clean.line,
            moment,
            moment,
        ]
