"""Every query the importer runs: import runs, versioned record upserts, rejections, links.

Writes are batched (one SELECT to find existing records, one executemany per statement),
so the cost per row stays flat from a hundred rows to millions, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update

from kimlik.ingest.rows import CleanRow, RejectedRow
from kimlik.jsonable import jsonable
from kimlik.store.bulk import BulkInserter
from kimlik.store.tables import (
    RECORD_TABLES,
    import_runs,
    order_items,
    orders,
    record_versions,
    rejected_rows,
    source_records,
)

#: Columns managed by the writer, not filled from standardized values.
_BOOKKEEPING = frozenset(
    {
        "id", "source_id", "record_id", "version", "content_hash", "raw", "custom", "issues",
        "invalid_fields", "changed_fields", "import_run_id", "row_number", "first_seen_at",
        "updated_at", "person_record_id", "order_row_id",
    }
)  # fmt: skip
#: Record tables that point at a person: derived from the schema, so a new kind links up too.
PERSON_LINKED_TABLES = [t for t in RECORD_TABLES.values() if "person_record_id" in t.c]
#: Link columns reset on every update so the link-up pass re-derives them.
_LINKS = ("person_record_id", "order_row_id")


@dataclass(slots=True)
class WriteCounts:
    """What one batch did to the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def start_run(
    connection: Connection,
    *,
    source_id: int,
    kind: str,
    file_name: str,
    file_bytes: int | None,
    mapping: Mapping[str, Any],
    now: dt.datetime,
) -> int:
    """Record an import run as ``running`` and return its id."""
    statement = import_runs.insert().values(
        source_id=source_id,
        kind=kind,
        file_name=file_name,
        file_bytes=file_bytes,
        mapping=dict(mapping),
        status="running",
        started_at=now,
        field_issues={},
    )
    return int(connection.execute(statement.returning(import_runs.c.id)).scalar_one())


def finish_run(connection: Connection, run_id: int, **fields: Any) -> None:
    """Close a run: its status, counts and finish time."""
    connection.execute(update(import_runs).where(import_runs.c.id == run_id).values(**fields))


class RecordWriter:
    """Upserts clean rows of one kind for one source, keeping earlier versions."""

    def __init__(
        self, connection: Connection, kind: str, source_id: int, run_id: int, now: dt.datetime
    ) -> None:
        self.connection = connection
        self.table: Table = RECORD_TABLES[kind]
        self.source_id = source_id
        self.run_id = run_id
        self.now = now
        self.value_columns = [str(c.name) for c in self.table.c if c.name not in _BOOKKEEPING]
        self._links = {name: None for name in _LINKS if name in self.table.c}
        self._template: dict[str, Any] = dict.fromkeys(self.value_columns)
        changing = [*self.value_columns, *self._links, *_UPDATED]
        self._bookkeeping = (
            "source_id", "record_id", "version", "content_hash", "raw", "custom", "issues",
            "invalid_fields", "changed_fields", "import_run_id", "row_number", "first_seen_at",
            "updated_at",
        )  # fmt: skip
        self._inserter = BulkInserter(
            connection, self.table, [*self.value_columns, *self._links, *self._bookkeeping]
        )
        self._update = (
            update(self.table)
            .where(self.table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in changing})
        )

    def write(self, rows: list[CleanRow]) -> WriteCounts:
        """Store a batch. A record id repeated within the batch is handled in file order."""
        counts = WriteCounts()
        segment: dict[str, CleanRow] = {}
        for row in rows:
            earlier = segment.get(row.record_id)
            if earlier is None:
                segment[row.record_id] = row
            elif earlier.content_hash == row.content_hash:
                counts.unchanged += 1
            else:
                counts.add(self._write_unique(list(segment.values())))
                segment = {row.record_id: row}
        if segment:
            counts.add(self._write_unique(list(segment.values())))
        return counts

    def _write_unique(self, rows: list[CleanRow]) -> WriteCounts:
        table = self.table
        found: Sequence[Any] = self.connection.execute(
            select(table.c.id, table.c.record_id, table.c.content_hash, table.c.version).where(
                table.c.source_id == self.source_id,
                table.c.record_id.in_([row.record_id for row in rows]),
            )
        ).all()
        existing: dict[str, tuple[int, str, int]] = {
            str(record_id): (int(row_id), str(digest), int(version))
            for row_id, record_id, digest, version in found
        }
        fresh: list[list[Any]] = []
        changed: list[dict[str, Any]] = []
        counts = WriteCounts()
        for row in rows:
            match = existing.get(row.record_id)
            if match is None:
                fresh.append(self._new_row(row))
            elif match[1] == row.content_hash:
                counts.unchanged += 1
            else:
                params = self._params(row, version=match[2] + 1)
                params["_id"] = match[0]
                changed.append(params)
        if fresh:
            self._inserter.insert(fresh)
            counts.new = len(fresh)
        if changed:
            self._keep_versions([params["_id"] for params in changed])
            for params in changed:
                del params["first_seen_at"]
            self.connection.execute(self._update, changed)
            counts.updated = len(changed)
        return counts

    def _new_row(self, row: CleanRow) -> list[Any]:
        """Version 1 of a record, as values in the inserter's column order."""
        values = row.values
        return [
            *[values.get(name) for name in self.value_columns],
            *self._links.values(),
            self.source_id,
            row.record_id,
            1,
            row.content_hash,
            row.raw,
            row.custom,
            row.issues,
            row.invalid_fields,
            row.changed_fields,
            self.run_id,
            row.line,
            self.now,
            self.now,
        ]

    def _params(self, row: CleanRow, *, version: int) -> dict[str, Any]:
        params = {**self._template, **row.values, **self._links}
        params.update(
            source_id=self.source_id,
            record_id=row.record_id,
            version=version,
            content_hash=row.content_hash,
            raw=row.raw,
            custom=row.custom,
            issues=row.issues,
            invalid_fields=row.invalid_fields,
            changed_fields=row.changed_fields,
            import_run_id=self.run_id,
            row_number=row.line,
            first_seen_at=self.now,
            updated_at=self.now,
        )
        return params

    def _keep_versions(self, row_ids: Iterable[int]) -> None:
        """Copy the current state of records about to change into ``record_versions``."""
        table = self.table
        old_rows = self.connection.execute(select(table).where(table.c.id.in_(list(row_ids))))
        history = []
        for old in old_rows.mappings():
            attributes = {name: jsonable(old[name]) for name in self.value_columns}
            attributes["custom"] = old["custom"]
            history.append(
                {
                    "record_table": table.name,
                    "row_id": old["id"],
                    "version": old["version"],
                    "content_hash": old["content_hash"],
                    "raw": old["raw"],
                    "attributes": attributes,
                    "import_run_id": old["import_run_id"],
                    "valid_from": old["updated_at"],
                    "valid_to": self.now,
                }
            )
        if history:
            self.connection.execute(record_versions.insert(), history)


_UPDATED = (
    "record_id", "version", "content_hash", "raw", "custom", "issues", "invalid_fields",
    "changed_fields", "import_run_id", "row_number", "updated_at", "source_id",
)  # fmt: skip


def store_rejections(
    connection: Connection, rows: list[RejectedRow], *, run_id: int, source_id: int, kind: str
) -> None:
    """Keep rejected rows, raw and with every reason, for review."""
    if not rows:
        return
    connection.execute(
        rejected_rows.insert(),
        [
            {
                "import_run_id": run_id,
                "source_id": source_id,
                "kind": kind,
                "row_number": row.line,
                "record_id": row.record_id,
                "raw": row.raw,
                "reasons": row.reasons,
                "first_code": row.reasons[0]["code"],
            }
            for row in rows
        ],
    )


def link_records(connection: Connection) -> None:
    """Point every unlinked related record at its person and every order item at its order.

    A person is found by the customer id in the same source, else by email matching key,
    else by E.164 phone (the earliest record wins; profiles unify them later). Runs after
    every import, so records that arrived before their customer link up when it arrives.
    """
    for table in PERSON_LINKED_TABLES:
        by_id = (
            select(source_records.c.id)
            .where(
                source_records.c.source_id == table.c.source_id,
                source_records.c.record_id == table.c.customer_id,
            )
            .scalar_subquery()
        )
        by_email = (
            select(func.min(source_records.c.id))
            .where(source_records.c.email_key == table.c.customer_email_key)
            .scalar_subquery()
        )
        by_phone = (
            select(func.min(source_records.c.id))
            .where(source_records.c.phone == table.c.customer_phone)
            .scalar_subquery()
        )
        connection.execute(
            update(table)
            .where(table.c.person_record_id.is_(None))
            .values(person_record_id=func.coalesce(by_id, by_email, by_phone))
        )
    parent = (
        select(orders.c.id)
        .where(
            orders.c.source_id == order_items.c.source_id,
            orders.c.record_id == order_items.c.order_id,
        )
        .scalar_subquery()
    )
    connection.execute(
        update(order_items).where(order_items.c.order_row_id.is_(None)).values(order_row_id=parent)
    )


def count_unlinked(connection: Connection, kind: str, source_id: int) -> int:
    """Records of ``kind`` from this source still pointing at no known person (or order)."""
    table = RECORD_TABLES[kind]
    if "person_record_id" in table.c:
        column = table.c.person_record_id
    elif "order_row_id" in table.c:
        column = table.c.order_row_id
    else:
        return 0
    query = select(func.count()).where(table.c.source_id == source_id, column.is_(None))
    return int(connection.execute(query).scalar_one())
