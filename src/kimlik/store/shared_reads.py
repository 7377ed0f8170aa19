"""Reading the store from worker processes, next to the process that writes it.

A run that fans work out to worker processes used to read every row itself and send it
to them: at a million person records, reading them took the writing process ~13 s a
pass and pickling them to the workers ~12 s more, on the one process every other step
waits for. A worker that reads its own rows does that work in parallel instead.

What a worker reads must be what the run would have read. On SQLite the run holds the
database's only write lock from its first statement, so nothing else commits while it
works, and a worker's snapshot has every row the run reads (the run's own uncommitted
writes are not among them: workers read source records, which a run does not change).
On PostgreSQL each statement of the run already sees the latest commits, as a worker
does. A database only one connection can see (SQLite in memory) is not shared:
``shared_url`` is ``None`` and the work stays in the run's process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Connection, Engine

from kimlik.store.engine import open_engine


def shared_url(connection: Connection) -> str | None:
    """The URL another process opens to read what ``connection`` reads, password included
    (it only travels to this machine's worker processes); ``None`` for a private store."""
    url = connection.engine.url
    if url.get_backend_name() == "sqlite" and (
        not url.database or url.database == ":memory:" or url.query.get("mode") == "memory"
    ):
        return None
    return url.render_as_string(hide_password=False)


@cache
def _engine(url: str) -> Engine:
    """One engine per worker process and database: a worker reads many batches."""
    return open_engine(url)


@contextmanager
def reading(url: str) -> Iterator[Connection]:
    """A connection to read from in a worker process."""
    with _engine(url).connect() as connection:
        yield connection
