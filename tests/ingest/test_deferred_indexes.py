"""A large load into SQLite rebuilds the secondary indexes once instead of row by row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, event, inspect

from kimlik.config import Settings
from kimlik.errors import KimlikError
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.store.deferred_indexes import DeferredIndexes, worth_deferring
from kimlik.store.tables import source_records

SECONDARY = {
    "ix_source_records_email_key",
    "ix_source_records_phone",
    "ix_source_records_id_version",
}


def _people(path: Path, rows: range) -> Path:
    lines = [f"{n},p{n}@example.com,0532 {n % 1000:03d} {n % 100:02d} 11" for n in rows]
    path.write_text("id,email,phone\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _index_names(engine: Engine) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes("source_records")}


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def remember(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement.strip().split("\n")[0][:60])

    return seen


@pytest.mark.parametrize(
    ("existing", "incoming", "expected"),
    [(0, 10, True), (1000, 1000, True), (1000, 999, False), (5, 0, False), (0, 0, False)],
)
def test_worth_deferring(existing: int, incoming: int, expected: bool) -> None:
    assert worth_deferring(existing, incoming) is expected


def test_a_first_load_rebuilds_the_indexes_and_keeps_them(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, import_workers=0, import_batch_size=50)
    seen = _statements(engine)
    result = import_file(
        engine, settings, ImportRequest(path=_people(tmp_path / "p.csv", range(400)), source="a")
    )
    assert result.new == 400
    assert SECONDARY <= _index_names(engine)
    dropped = [s for s in seen if s.startswith("DROP INDEX")]
    created = [s for s in seen if s.startswith("CREATE INDEX")]
    if engine.dialect.name == "sqlite":
        assert len(dropped) == len(created) == len(SECONDARY)
    else:  # PostgreSQL keeps its indexes: dropping one would lock out readers
        assert dropped == created == []


def test_a_small_load_into_a_big_table_keeps_its_indexes(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, import_workers=0)
    import_file(
        engine, settings, ImportRequest(path=_people(tmp_path / "a.csv", range(300)), source="a")
    )
    seen = _statements(engine)
    import_file(
        engine, settings, ImportRequest(path=_people(tmp_path / "b.csv", range(5)), source="b")
    )
    assert not [s for s in seen if s.startswith(("DROP INDEX", "CREATE INDEX"))]


def test_nothing_is_dropped_outside_a_transaction(engine: Engine) -> None:
    """Python's sqlite3 opens its transaction at the first write: a drop before it would
    commit on its own, and a failed import could not put the index back."""
    with engine.connect() as connection:
        deferred = DeferredIndexes(connection, source_records)
        deferred.consider(10)
        assert deferred.dropped == []
    assert SECONDARY <= _index_names(engine)


def test_a_failed_load_leaves_the_indexes_in_place(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, import_workers=0, import_batch_size=50)

    def stop(_done: int, _total: int) -> None:
        raise KimlikError("stopped by the test after the first batch")

    with pytest.raises(KimlikError):
        import_file(
            engine,
            settings,
            ImportRequest(path=_people(tmp_path / "p.csv", range(400)), source="a"),
            progress=stop,
        )
    assert SECONDARY <= _index_names(engine)
