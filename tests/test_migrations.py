"""The migrations build exactly the schema ``tables.py`` declares, on both backends, and
the lookups behind profiles and people's decisions have their indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from kimlik.identity.repository import changed_records_query
from kimlik.store import server_tables  # noqa: F401  (registers its tables)
from kimlik.store.engine import SQLITE_PAGE_SIZE, open_engine
from kimlik.store.migrate import alembic_config, current_revision, head_revision, upgrade
from kimlik.store.tables import metadata

#: (table, leading column) that identity and profile lookups filter on.
LOOKUPS = [
    ("profiles", "merged_into"),
    ("merge_ledger", "profile_id"),
    ("merge_ledger", "other_profile_id"),
    ("profile_members", "profile_id"),
    ("profile_identities", "profile_id"),
    ("identity_decisions", "record_a"),
    ("identity_decisions", "record_b"),
    ("review_items", "status"),
]


def test_migrations_match_the_metadata(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


@pytest.mark.parametrize(("table", "column"), LOOKUPS)
def test_lookup_columns_lead_an_index(engine: Engine, table: str, column: str) -> None:
    leading = {index["column_names"][0] for index in inspect(engine).get_indexes(table)}
    assert column in leading


def test_the_newest_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'kimlik.db'}")
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert current_revision(engine) == "0002"
    names = {i["name"] for i in inspect(engine).get_indexes("profiles")}
    assert "ix_profiles_merged_into" not in names
    names = {i["name"] for i in inspect(engine).get_indexes("source_records")}
    assert "ix_source_records_id_version" not in names
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_finding_changed_records_reads_an_index_not_the_records(tmp_path: Path) -> None:
    """An incremental resolve must not read every person record's row to find the new
    ones: at a million people that was 850 MB from disk."""
    engine = open_engine(f"sqlite:///{tmp_path / 'kimlik.db'}")
    upgrade(engine)
    statement = changed_records_query().compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")]
    engine.dispose()
    assert "SCAN source_records USING COVERING INDEX ix_source_records_id_version" in plan


def test_a_new_sqlite_store_uses_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """Large pages cut a bulk import's write calls by four (docs/performance.md)."""
    fresh = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    upgrade(fresh)
    fresh.dispose()
    old_path = tmp_path / "old.db"
    with sqlite3.connect(old_path) as old:
        old.execute("PRAGMA journal_mode=WAL")
        old.execute("CREATE TABLE earlier (id INTEGER)")
    older = open_engine(f"sqlite:///{old_path}")
    upgrade(older)
    older.dispose()
    sizes = {}
    for name in ("new.db", "old.db"):
        with sqlite3.connect(tmp_path / name) as connection:
            sizes[name] = connection.execute("PRAGMA page_size").fetchone()[0]
    assert sizes == {"new.db": SQLITE_PAGE_SIZE, "old.db": 4096}
