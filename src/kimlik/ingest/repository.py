"""Every query the importer runs: import runs, versioned record upserts, rejections, links.

Writes are batched (one SELECT to find existing records, one executemany per statement),
so the cost per row stays flat from a hundred rows to millions, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, type_coerce, update
from sqlalchemy.types import NullType

from kimlik.ingest.layout import RecordLayout
from kimlik.ingest.rows import RejectedRow
from kimlik.jsonable import jsonable
from kimlik.store.bulk import BulkInserter, RowEncoder
from kimlik.store.tables import (
    RECORD_TABLES,
    import_runs,
    order_items,
    orders,
    record_versions,
    rejected_rows,
    source_records,
)

#: Record tables that point at a person: derived from the schema, so a new kind links up too.
PERSON_LINKED_TABLES = [t for t in RECORD_TABLES.values() if "person_record_id" in t.c]


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
    """Upserts prepared rows of one kind for one source, keeping earlier versions.

    Rows arrive insert-ready (``RecordLayout`` order, already encoded by ``RowEncoder``);
    new records go to the driver as they are, changed ones become updates by id.
    """

    def __init__(
        self,
        connection: Connection,
        layout: RecordLayout,
        encoder: RowEncoder,
        source_id: int,
        now: dt.datetime,
    ) -> None:
        self.connection = connection
        self.layout = layout
        self.table: Table = layout.table
        self.encoder = encoder
        self.source_id = source_id
        self.now = now
        self._record_id = layout.index("record_id")
        self._hash = layout.index("content_hash")
        self._version = layout.index("version")
        self._inserter = BulkInserter(connection, self.table, layout.columns)
        table = self.table
        # Built once with an expanding parameter: a literal list of 5,000 ids cost more to
        # build and compile than the query costs to run.
        self._lookup = select(
            table.c.id, table.c.record_id, table.c.content_hash, table.c.version
        ).where(
            table.c.source_id == source_id,
            table.c.record_id.in_(bindparam("record_ids", expanding=True)),
        )
        # Values arrive encoded, so the update binds them untyped: no second conversion.
        changing = [name for name in layout.columns if name != "first_seen_at"]
        self._changing = [(name, layout.index(name)) for name in changing]
        self._update = (
            update(self.table)
            .where(self.table.c.id == bindparam("_id"))
            .values({name: type_coerce(bindparam(name), NullType()) for name in changing})
        )

    def write(self, rows: list[list[Any]]) -> WriteCounts:
        """Store a batch. A record id repeated within the batch is handled in file order."""
        counts = WriteCounts()
        segment: dict[str, list[Any]] = {}
        record_id, digest = self._record_id, self._hash
        for row in rows:
            earlier = segment.get(row[record_id])
            if earlier is None:
                segment[row[record_id]] = row
            elif earlier[digest] == row[digest]:
                counts.unchanged += 1
            else:
                counts.add(self._write_unique(list(segment.values())))
                segment = {row[record_id]: row}
        if segment:
            counts.add(self._write_unique(list(segment.values())))
        return counts

    def _write_unique(self, rows: list[list[Any]]) -> WriteCounts:
        record_id = self._record_id
        found: Sequence[Any] = self.connection.execute(
            self._lookup, {"record_ids": [row[record_id] for row in rows]}
        ).all()
        if not found:
            self._inserter.insert_encoded(rows)
            return WriteCounts(new=len(rows))
        existing: dict[str, tuple[int, str, int]] = {
            str(rid): (int(row_id), str(digest), int(version))
            for row_id, rid, digest, version in found
        }
        fresh: list[list[Any]] = []
        changed: list[dict[str, Any]] = []
        counts = WriteCounts()
        for row in rows:
            match = existing.get(row[record_id])
            if match is None:
                fresh.append(row)
            elif match[1] == row[self._hash]:
                counts.unchanged += 1
            else:
                changed.append(self._update_params(row, match[0], version=match[2] + 1))
        if fresh:
            self._inserter.insert_encoded(fresh)
            counts.new = len(fresh)
        if changed:
            self._keep_versions([params["_id"] for params in changed])
            self.connection.execute(self._update, changed)
            counts.updated = len(changed)
        return counts

    def _update_params(self, row: list[Any], row_id: int, *, version: int) -> dict[str, Any]:
        row = list(row)
        row[self._version] = version
        self.encoder.encode_nulls(row)
        params = {name: row[index] for name, index in self._changing}
        params["_id"] = row_id
        return params

    def _keep_versions(self, row_ids: Iterable[int]) -> None:
        """Copy the current state of records about to change into ``record_versions``."""
        table = self.table
        value_columns = self.layout.value_columns
        old_rows = self.connection.execute(select(table).where(table.c.id.in_(list(row_ids))))
        history = []
        for old in old_rows.mappings():
            attributes = {name: jsonable(old[name]) for name in value_columns}
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
