"""The worker pipeline stores exactly what in-process cleaning stores, and picks its size."""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from kimlik import machine
from kimlik.config import Settings
from kimlik.errors import IngestError
from kimlik.ingest import pool, workers
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.prepare import RunSpec
from kimlik.ingest.readers import RowDecoder
from kimlik.ingest.service import ImportRequest, ImportResult, import_file
from kimlik.ingest.workers import choose_workers
from kimlik.store.tables import (
    import_runs,
    record_versions,
    rejected_rows,
    source_records,
    sources,
)

HEADER = "Customer ID,First Name,Last Name,Email,Phone,Birth Date,Country,Signed Up,Tier\n"
#: every way a row can go wrong or repeat, one of each per block of 11 rows
BLOCK = [
    "{i},ayşe,ÖZTÜRK,Ayse.{i}@Example.com,0532 111 {a:02d} {b:02d},14.03.1985,Türkiye,2021-03-04T05:06:07+03:00,gold",
    "{i},Ayşe,Öztürk,ayse.{i}@example.com,0532 111 {a:02d} {b:02d},14.03.1985,TR,2021-03-04,gold",  # same id again, changed
    "{i}x,John,Smith,not-an-email,+44 7723 85{a:02d}{b:02d},1981-05-20,UK,,silver",
    "{i}y,,,,,,,,bronze",  # nothing to identify the person by
    ",Nobody,Known,nobody{i}@example.com,,,,,",  # no id
    "{i}z,Ali,Demir,ali{i}@example.com,0532 12,31.02.1990,Atlantis,yesterday,",
    "{i}w,Jane,Doe,jane{i}@example.com,(415) 555-01{a:02d} x12,1990-01-01,US,2020-01-01 10:00,",
    "{i}v,Emma,Taylor,emma{i}@example.com,+1 604 555 01{b:02d},1990-13-01,CA,,",
    "{i}u,Ali,Kaya,kaya{i}@example.com,0090 532 123 {a:02d} {b:02d},,,,",
    "{i}t,too,many,fields,here,1,2,3,4,5,6",
    "{i},ayşe,ÖZTÜRK,Ayse.{i}@Example.com,0532 111 {a:02d} {b:02d},14.03.1985,Türkiye,2021-03-04T05:06:07+03:00,gold",
]


def people_csv(path: Path, blocks: int, *, changed: bool = False) -> Path:
    lines = [HEADER]
    for block in range(blocks):
        for template in BLOCK:
            line = template.format(i=block, a=block % 100, b=block % 97)
            if changed and block % 3 == 0:
                line = line.replace("gold", "platinum")
            lines.append(line + "\n")
        if block % 7 == 0:
            lines.append("\n")  # blank lines are skipped, not counted
    path.write_text("".join(lines), encoding="utf-8")
    return path


def people_jsonl(path: Path, rows: int) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(rows):
            record: dict[str, Any] = {"id": i, "email": f"p{i}@example.com", "age": i % 90}
            if i % 5 == 0:
                record["tags"] = ["vip", i]
            if i % 11 == 0:
                record["phone"] = 5321112233 + i  # a number, not text
            handle.write(json.dumps(record) + "\n")
            if i % 13 == 0:
                handle.write("[1, 2]\n{broken\n")
    return path


def _outcome(result: ImportResult) -> tuple[Any, ...]:
    return (
        result.read,
        result.new,
        result.updated,
        result.unchanged,
        result.rejected,
        [(r.line, r.reasons) for r in result.rejections],
        list(result.rejection_codes.items()),
        list(result.field_issues.items()),
        result.accounted,
    )


#: columns that differ between two runs of the same file: ids, run ids, clocks
_VOLATILE = {"id", "source_id", "import_run_id", "row_id", "first_seen_at", "updated_at",
             "valid_from", "valid_to", "started_at", "finished_at"}  # fmt: skip


def _stored(engine: Engine, source: str) -> list[list[dict[str, Any]]]:
    """Every stored row of a source, in insertion order, without volatile columns."""
    with engine.connect() as connection:
        source_id = connection.execute(
            select(sources.c.id).where(sources.c.name == source)
        ).scalar_one()
        queries = [
            select(table).where(table.c.source_id == source_id).order_by(table.c.id)
            for table in (source_records, rejected_rows, import_runs)
        ]
        queries.append(  # in record order: within a batch, PostgreSQL keeps no order
            select(record_versions)
            .join(source_records, source_records.c.id == record_versions.c.row_id)
            .where(source_records.c.source_id == source_id)
            .order_by(source_records.c.record_id, record_versions.c.version)
        )
        return [
            [
                {k: v for k, v in row.items() if k not in _VOLATILE}
                for row in connection.execute(query).mappings()
            ]
            for query in queries
        ]


def _import(engine: Engine, settings: Settings, path: Path, source: str) -> ImportResult:
    return import_file(engine, settings, ImportRequest(path=path, source=source, region="TR"))


def test_workers_store_exactly_what_in_process_cleaning_stores(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    first = people_csv(tmp_path / "people.csv", 40)
    second = people_csv(tmp_path / "people-changed.csv", 45, changed=True)
    jsonl = people_jsonl(tmp_path / "people.jsonl.gz", 150)
    pooled = Settings(
        database_url=database_url,
        import_workers=2,
        import_batch_size=37,  # many batches, duplicates across their edges
        parallel_threshold_bytes=0,
    )
    inline = Settings(database_url=database_url, import_workers=0, import_batch_size=37)
    outcomes: dict[str, list[Any]] = {}
    for source, settings in (("pooled", pooled), ("inline", inline)):
        outcomes[source] = [
            _outcome(_import(engine, settings, path, source)) for path in (first, second, jsonl)
        ]
    assert outcomes["pooled"] == outcomes["inline"]
    read, new, updated, unchanged, rejected = outcomes["inline"][1][:5]
    assert updated > 0 and unchanged > 0 and rejected > 0 and new > 0
    assert _stored(engine, "pooled") == _stored(engine, "inline")


def test_workers_know_the_declared_identifiers(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """A row identified only by a declared identifier lands through the workers too."""
    path = tmp_path / "ids.csv"
    path.write_text("id,first_name,national_id\n1,Ada,\n2,,TR-1\n3,,\n", encoding="utf-8")
    pooled = Settings(
        database_url=database_url,
        import_workers=2,
        parallel_threshold_bytes=0,
        resolve_identifiers=["national_id"],
    )
    result = _import(engine, pooled, path, "ids")
    assert (result.new, result.rejected) == (2, 1)


def test_batch_size_does_not_change_what_is_stored(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    path = people_csv(tmp_path / "people.csv", 30)
    small = Settings(database_url=database_url, import_workers=0, import_batch_size=1)
    large = Settings(database_url=database_url, import_workers=0, import_batch_size=10_000)
    assert _outcome(_import(engine, small, path, "small")) == _outcome(
        _import(engine, large, path, "large")
    )
    assert _stored(engine, "small") == _stored(engine, "large")


@pytest.mark.parametrize(
    ("setting", "file_bytes", "cpus", "expected"),
    [
        (None, 10, 8, 0),  # small file: in-process whatever the machine
        (None, 10**9, 1, 0),  # one CPU: in-process
        (None, 10**9, 2, 2),  # two CPUs: two workers beside the parent
        (None, 10**9, 3, 2),
        (None, 10**9, 64, workers.MAX_AUTO_WORKERS),
        (0, 10**9, 8, 0),  # KIMLIK_IMPORT_WORKERS=0 keeps it in-process
        (3, 10**9, 1, 3),  # an explicit count wins
        (3, 10, 8, 0),  # ... but small files still skip the pool
    ],
)
def test_worker_count(
    monkeypatch: pytest.MonkeyPatch, setting: int | None, file_bytes: int, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda _pid: set(range(cpus)))
    assert choose_workers(setting, file_bytes, 1000) == expected


def test_gc_thresholds_are_restored_after_an_import(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    before = gc.get_threshold()
    _import(engine, settings, people_csv(tmp_path / "p.csv", 2), "crm")
    assert gc.get_threshold() == before


def test_a_worker_that_dies_is_one_clear_error() -> None:
    """A worker killed mid-import (the OOM killer, say) breaks the pool: the import stops
    with a message that says what to do, not a traceback of the pool's internals."""
    spec = RunSpec(
        kind="people",
        mapping=Mapping(),
        decoder=RowDecoder(("email",)),
        driver="sqlite",
        source_id=1,
        run_id=1,
        now=dt.datetime.now(dt.UTC),
    )
    # os._exit(3) in the worker: the batch is the exit status
    with pytest.raises(IngestError, match="KIMLIK_IMPORT_WORKERS=0"):
        list(pool._in_pool([3], spec, 1, task=os._exit))


def test_the_fork_server_preloads_the_module_that_starts_workers() -> None:
    import importlib

    import kimlik.ingest.pool
    from kimlik.ingest.workers import WORKER_MODULE

    assert importlib.import_module(WORKER_MODULE) is kimlik.ingest.pool
