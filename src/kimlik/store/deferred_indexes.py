"""Secondary indexes dropped for a large load into SQLite and built again before commit.

Keeping an index on a random key (an email matching key, a phone) up to date costs SQLite
a B-tree descent and a page rewrite per inserted row, in the importer's one writing
process: a million people spent ~6 µs a row of it, ~3 s of a 52 s import on two cores,
where building both indexes afterwards, by sorting, took 2.5 s (docs/performance.md). So a
load that at least doubles a table drops the table's non-unique indexes after its first
batch and creates them again, inside the same transaction, before its last statement:
readers (WAL snapshots) never see the table without them, and a failed import rolls the
drop back with everything else. After the first batch, because Python's sqlite3 driver
opens its transaction at the first insert: a DROP INDEX before it would commit at once.

Unique indexes stay: the writer looks records up by them, and they enforce the data.
PostgreSQL keeps its indexes: there ``DROP INDEX`` would lock the table against every
reader until the import commits.
"""

from __future__ import annotations

from sqlalchemy import Connection, Index, Table, func, select

from kimlik.machine import usable_cpus

#: a load of at least this many times the table's current rows is worth rebuilding for
WORTH_REBUILDING = 1.0
#: SQLite sorts for CREATE INDEX on this many helper threads at most
MAX_SORT_THREADS = 4


def worth_deferring(existing_rows: int, incoming_rows: int) -> bool:
    """Whether building the indexes afresh beats keeping them up to date row by row.

    A rebuild sorts every row, old and new; keeping up costs each new row more than
    sorting it does, but costs the old rows nothing. When the new rows are at least as
    many as the old, the rebuild wins; a small load into a big table keeps its indexes.
    """
    return incoming_rows > 0 and incoming_rows >= WORTH_REBUILDING * existing_rows


class DeferredIndexes:
    """Decides once, before the first batch is written, whether to defer an index rebuild.

    ``empty_only``: defer only into an empty table, for writers that also delete rows
    through the indexes they would drop (a resolve run replacing profiles' members).
    """

    def __init__(self, connection: Connection, table: Table, *, empty_only: bool = False) -> None:
        self.connection = connection
        self.table = table
        self.empty_only = empty_only
        self.dropped: list[Index] = []
        self._decided = connection.dialect.name != "sqlite"

    def consider(self, incoming_rows: int) -> None:
        """Drop the non-unique indexes if a load of about ``incoming_rows`` warrants it.

        Call after each batch is written; only the first call decides, and only inside an
        open transaction. The table's size is read as its highest key: an upper bound, and
        free at any size.
        """
        if self._decided:
            return
        self._decided = True
        if not getattr(self.connection.connection.driver_connection, "in_transaction", False):
            return  # the first batch wrote nothing: the drop would commit on its own
        key = next(iter(self.table.primary_key.columns))
        highest = int(self.connection.execute(select(func.max(key))).scalar() or 0)
        if (self.empty_only and highest) or not worth_deferring(highest, incoming_rows):
            return
        for index in sorted(self.table.indexes, key=lambda index: str(index.name)):
            if not index.unique:
                index.drop(self.connection)
                self.dropped.append(index)

    def after_load(self) -> None:
        """Create again every index this load dropped, sorting on several threads."""
        if not self.dropped:
            return
        threads = min(usable_cpus(), MAX_SORT_THREADS)
        self.connection.exec_driver_sql(f"PRAGMA threads={threads}")
        while self.dropped:
            self.dropped.pop(0).create(self.connection)
