"""Fast multi-row INSERT for the import path: SQLAlchemy's types, without its per-row cost.

SQLAlchemy's ``executemany`` spends about 40 µs a row building and processing parameter
dictionaries, twice what SQLite needs to store the row (measured: docs/performance.md).
This keeps the dialect's own bind processors, so every value is stored exactly as
SQLAlchemy would store it and reads back the same, but applies them column by column over
plain lists and hands the rows straight to the driver: ``executemany`` on SQLite,
``COPY … FROM STDIN`` on PostgreSQL. It runs inside the caller's transaction.

Encoding (``RowEncoder``) needs only the dialect, not a connection, so the importer runs
it in its worker processes and the parent only hands finished rows to the driver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

_Processor = Callable[[Any], Any]


# SQLAlchemy's SQLite date and time formats, which ``_faster`` knows how to write sooner.
_SQLITE_DATE = "%(year)04d-%(month)02d-%(day)02d"
_SQLITE_DATETIME = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def _faster(column_type: Any, process: _Processor) -> _Processor:
    """The same conversion by ``isoformat`` where SQLAlchemy's SQLite processor would fill
    a format from a dictionary of fields: a third of the time for a date, a quarter for a
    timestamp, on the values every imported person has. Anything else: ``process`` itself.
    ``tests/ingest/test_bulk.py`` holds both to the same output.
    """
    storage = getattr(column_type, "_storage_format", None)
    if storage == _SQLITE_DATE:

        def date_text(value: Any) -> Any:
            return value.isoformat() if type(value) is dt.date else process(value)

        return date_text
    if storage == _SQLITE_DATETIME:

        def datetime_text(value: Any) -> Any:
            if type(value) is dt.datetime:
                return value.isoformat(" ", "microseconds")[:26]  # no offset, as SQLAlchemy
            return process(value)

        return datetime_text
    return process


class RowEncoder:
    """Converts rows given as lists of values in ``columns`` order to what the driver takes."""

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._processors: dict[str, tuple[int, _Processor]] = {}
        for index, name in enumerate(self.columns):
            column_type = table.c[name].type.dialect_impl(dialect)
            process = column_type.bind_processor(dialect)
            if process is not None:
                self._processors[name] = (index, _faster(column_type, process))

    def value(self, column: str, value: Any) -> Any:
        """One value of ``column`` as the driver receives it (for constants: encode once)."""
        entry = self._processors.get(column)
        return value if entry is None or value is None else entry[1](value)

    def encode(self, rows: list[list[Any]], *, skip: Collection[str] = ()) -> None:
        """Convert ``rows`` in place; ``None`` stays NULL; ``skip`` names columns given encoded."""
        for name, (index, process) in self._processors.items():
            if name in skip:
                continue
            # Rows of one batch often share a value object (the run's timestamp on every
            # profile, member and ledger row): it is converted once.
            last: Any = None
            text: Any = None
            for row in rows:
                value = row[index]
                if value is not None:
                    if value is not last:
                        last, text = value, process(value)
                    row[index] = text

    def encode_nulls(self, row: list[Any]) -> None:
        """Pass ``None`` values of an encoded row through their processors, in place.

        SQLAlchemy's own ``executemany`` does this, so a ``None`` bound to a JSON column
        becomes the JSON text ``null``: record updates keep storing what they always did.
        """
        for index, process in self._processors.values():
            if row[index] is None:
                row[index] = process(None)


class BulkInserter:
    """Inserts rows given as lists of values in ``columns`` order into ``table``."""

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        dialect = connection.dialect
        self.connection = connection
        self.table = table
        self.columns = tuple(columns)
        self.encoder = RowEncoder(dialect, table, self.columns)
        self._postgres = dialect.name == "postgresql"
        quoted = [dialect.identifier_preparer.quote(name) for name in self.columns]
        target = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quoted)})"
        if self._postgres:
            self._sql = f"COPY {target} FROM STDIN"
        else:
            self._sql = f"INSERT INTO {target} VALUES ({', '.join('?' * len(quoted))})"

    def insert(self, rows: list[list[Any]], *, skip: Collection[str] = ()) -> None:
        """Store ``rows``; each list is converted in place by the column types, but for
        the ``skip`` columns, given as the driver takes them (JSON as text, say)."""
        if rows:
            self.encoder.encode(rows, skip=skip)
            self.insert_encoded(rows)

    def insert_encoded(self, rows: Sequence[Sequence[Any]]) -> None:
        """Store rows already converted by a ``RowEncoder`` for this table and columns."""
        if not rows:
            return
        driver = self.connection.connection.driver_connection
        assert driver is not None, "the connection is closed"
        if self._postgres:
            with driver.cursor() as cursor, cursor.copy(self._sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor = driver.cursor()
            try:
                cursor.executemany(self._sql, rows)
            finally:
                cursor.close()
