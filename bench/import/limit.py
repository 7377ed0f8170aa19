"""Bulk-insert a CSV file as plain text rows, as fast as plain code can: the import's limit.

Why: "rows per second" means little alone. This script does the least any importer must do
with the same file and the same database (read every row, write every value) and nothing
else: no standardizing, no mapping, no history. ``kimlik import`` time divided by this time
is the price of everything Kimlik adds, comparable across machines and databases.

    python bench/import/limit.py --database sqlite:///limit.db --input people.csv
    python bench/import/limit.py --database postgresql+psycopg://postgres@127.0.0.1/x \\
        --input people.csv

SQLite: stdlib ``sqlite3``, one transaction, ``executemany``, WAL and ``synchronous=NORMAL``.
PostgreSQL: psycopg 3 ``COPY ... FROM STDIN`` with ``write_row``. Either way one TEXT column
per CSV column plus an integer primary key, the rows streamed so memory stays flat.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

TABLE = "people_limit"


def open_text(path: Path) -> IO[str]:
    """Open a CSV for reading, gunzipping ``.gz`` as ``kimlik import`` does."""
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def quote_identifier(name: str) -> str:
    """Quote a header as an SQL identifier (both databases use double quotes)."""
    return '"' + name.replace('"', '""') + '"'


def numbered_rows(reader: Iterator[list[str]], width: int) -> Iterator[tuple[object, ...]]:
    """Rows with their 1-based number first, padded or cut to the header's width."""
    for number, row in enumerate(reader, start=1):
        if len(row) != width:
            row = (row + [""] * width)[:width]
        yield (number, *row)


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///path`` URL (four slashes for an absolute path)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix:
        raise SystemExit(f"limit: not a SQLite file URL: {url}")
    return url[len(prefix) :].split("?", 1)[0]


def postgres_conninfo(url: str) -> str:
    """A libpq URI from a SQLAlchemy URL (drops the ``+psycopg`` driver part)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.startswith("postgresql"):
        raise SystemExit(f"limit: not a PostgreSQL URL: {url}")
    return f"postgresql://{rest}"


def load_sqlite(url: str, header: list[str], rows: Iterator[tuple[object, ...]]) -> int:
    columns = ", ".join(f"{quote_identifier(name)} TEXT" for name in header)
    placeholders = ", ".join("?" * (len(header) + 1))
    conn = sqlite3.connect(sqlite_path(url))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, {columns})")
        with conn:  # one transaction for every row
            cursor = conn.executemany(f"INSERT INTO {TABLE} VALUES ({placeholders})", rows)
        return cursor.rowcount
    finally:
        conn.close()


def load_postgres(url: str, header: list[str], rows: Iterator[tuple[object, ...]]) -> int:
    import psycopg  # only the PostgreSQL limit pays for importing it

    columns = ", ".join(f"{quote_identifier(name)} TEXT" for name in header)
    names = ", ".join(["id", *(quote_identifier(name) for name in header)])
    count = 0
    with psycopg.connect(postgres_conninfo(url)) as conn:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {TABLE} (id BIGINT PRIMARY KEY, {columns})")
            with cursor.copy(f"COPY {TABLE} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        conn.commit()
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bulk-insert a CSV as TEXT rows (the limit).")
    parser.add_argument("--database", required=True, help="sqlite:///FILE or postgresql URL")
    parser.add_argument("--input", type=Path, required=True, help="CSV file, .gz allowed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with open_text(args.input) as text:
        reader = csv.reader(text)
        header = next(reader)
        rows = numbered_rows(reader, len(header))
        if args.database.startswith("sqlite"):
            count = load_sqlite(args.database, header, rows)
        else:
            count = load_postgres(args.database, header, rows)
    seconds = time.perf_counter() - started
    print(f"limit: inserted {count} rows in {seconds:.2f} s ({count / seconds:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
