"""Worker processes read the store through a URL of their own, or not at all."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from kimlik.store.shared_reads import reading, shared_url

IN_MEMORY = ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true"]


@pytest.mark.parametrize("url", IN_MEMORY)
def test_a_store_in_memory_is_not_shared(url: str) -> None:
    with create_engine(url, poolclass=StaticPool).connect() as connection:
        assert shared_url(connection) is None


def test_a_server_url_keeps_its_password_for_the_workers() -> None:
    """Read off the engine, without connecting: the workers log in as the run did."""
    url = "postgresql+psycopg://kimlik:s3cret@db.internal:5432/crm"
    connection: Any = SimpleNamespace(engine=create_engine(url))
    assert shared_url(connection) == url


def test_a_worker_reads_what_the_run_has_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with create_engine(url).begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1), (2)"))
        shared = shared_url(connection)
    assert shared == url
    with reading(shared) as worker:
        assert worker.execute(text("SELECT sum(x) FROM t")).scalar_one() == 3
