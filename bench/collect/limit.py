"""The limit for collection: the same batches, bulk-inserted into ``events`` with no server.

Why: the server's events/s only means something next to the fastest a plain script can
put the same rows into the same table of the same database, committing as often as the
server does (one transaction per batch, so one WAL flush per batch on both sides).

Each batch is prepared untimed (gunzip, JSON, one row tuple per message, timestamps and
payload as text), then timed: PostgreSQL ``COPY events (...) FROM STDIN`` through
psycopg 3, SQLite ``executemany`` through the stdlib ``sqlite3`` with the server's
pragmas (WAL, ``synchronous=NORMAL``), then ``COMMIT``. No ``ON CONFLICT``, no checks,
no parsing in the timed part: only what storing the rows costs. Prints one JSON line.

    limit.py --database URL --bodies FILE --source-id N
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sqlite3
import struct
import sys
import time
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

COLUMNS = ("source_id", "message_id", "type", "event", "user_id", "anonymous_id",
           "occurred_at", "received_at", "payload")  # fmt: skip
SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


def read_bodies(path: Path) -> Iterator[bytes]:
    """The gzipped request bodies ``run.py`` wrote: a 4-byte length, then the body."""
    with open(path, "rb") as bodies:
        while header := bodies.read(4):
            (size,) = struct.unpack("<I", header)
            yield bodies.read(size)


def rows(body: bytes, source_id: int, sqlite: bool) -> list[tuple[Any, ...]]:
    """One tuple per message of a body, in ``COLUMNS`` order, as text the database parses."""
    document = orjson.loads(zlib.decompress(body, 16 + zlib.MAX_WBITS))
    now = dt.datetime.now(dt.UTC)
    received = now.strftime(SQLITE_MOMENT) if sqlite else now.isoformat()
    out = []
    for message in document["batch"]:
        moment = dt.datetime.fromisoformat(message["timestamp"])
        kind = message["type"]
        out.append(
            (
                source_id,
                message["messageId"],
                kind,
                message.get("event") if kind == "track" else message.get("name"),
                message.get("userId"),
                message.get("anonymousId"),
                moment.astimezone(dt.UTC).strftime(SQLITE_MOMENT) if sqlite else moment.isoformat(),
                received,
                orjson.dumps(message).decode(),
            )
        )
    return out


def insert_sqlite(path: str, batches: Iterator[list[tuple[Any, ...]]]) -> tuple[int, float, int]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=30000")
    sql = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    events = count = 0
    seconds = 0.0
    with contextlib.closing(connection):
        for batch in batches:
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.executemany(sql, batch)
            connection.execute("COMMIT")
            seconds += time.perf_counter() - started
            events += len(batch)
            count += 1
    return events, seconds, count


def libpq(url: str) -> str:
    """A SQLAlchemy ``postgresql+psycopg://`` URL as a libpq URI (query options kept)."""
    parts = urlsplit(url)
    return f"postgresql://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def insert_postgres(url: str, batches: Iterator[list[tuple[Any, ...]]]) -> tuple[int, float, int]:
    import psycopg

    sql = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN"
    events = count = 0
    seconds = 0.0
    with psycopg.connect(libpq(url)) as connection:
        for batch in batches:
            started = time.perf_counter()
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in batch:
                    copy.write_row(row)
            connection.commit()
            seconds += time.perf_counter() - started
            events += len(batch)
            count += 1
    return events, seconds, count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the store")
    parser.add_argument("--bodies", type=Path, required=True, help="length-prefixed gzip bodies")
    parser.add_argument("--source-id", type=int, required=True, help="source of the rows")
    args = parser.parse_args(argv)
    sqlite = args.database.startswith("sqlite")
    batches = (rows(body, args.source_id, sqlite) for body in read_bodies(args.bodies))
    if sqlite:
        path = unquote(args.database.split(":///", 1)[1])
        events, seconds, count = insert_sqlite(path, batches)
    else:
        events, seconds, count = insert_postgres(args.database, batches)
    print(json.dumps({"events": events, "batches": count, "insert_seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
