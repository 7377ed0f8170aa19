"""``import_rows``: records given as dicts take the file path, on both backends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from kimlik.config import Settings
from kimlik.errors import IngestError, MappingError, StoreError, UnknownKindError
from kimlik.ingest.failures import write_failure
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.service import ImportRequest, import_file, import_rows
from kimlik.store.tables import import_runs, orders, rejected_rows, source_records

PEOPLE = [
    {"id": "1", "First Name": "ayşe", "Email": "Ayse@Example.com", "Loyalty Tier": "gold"},
    {"id": "2", "email": "not-an-email", "phone": "+44 7911 123456"},
    {"id": "3", "tier": "bronze"},  # nobody to identify
    {"id": "", "email": "x@example.com"},  # no id
]


def counts(result: object) -> tuple[int, ...]:
    return tuple(getattr(result, name) for name in ("read", "new", "updated", "unchanged"))


def test_new_updated_unchanged_and_rejected(engine: Engine, settings: Settings) -> None:
    first = import_rows(engine, settings, source="crm", kind="people", rows=PEOPLE)
    assert counts(first) == (4, 2, 0, 0) and first.rejected == 2 and first.accounted
    assert [(r.line, [x["code"] for x in r.reasons]) for r in first.rejections] == [
        (3, ["row.no_identity"]),
        (4, ["record_id.missing"]),
    ]
    again = import_rows(engine, settings, source="crm", kind="people", rows=PEOPLE)
    assert counts(again) == (4, 0, 0, 2) and again.rejected == 2
    changed = [{**PEOPLE[0], "Loyalty Tier": "platinum"}, PEOPLE[1]]
    third = import_rows(engine, settings, source="crm", kind="people", rows=changed, label="sync")
    assert counts(third) == (2, 0, 1, 1)
    with engine.connect() as connection:
        ayse = connection.execute(
            select(source_records).where(source_records.c.record_id == "1")
        ).one()
        runs = connection.execute(select(import_runs).order_by(import_runs.c.id)).all()
        stored = connection.execute(
            select(rejected_rows.c.row_number, rejected_rows.c.first_code)
            .where(rejected_rows.c.import_run_id == first.run_id)
            .order_by(rejected_rows.c.row_number)
        ).all()
    assert (ayse.first_name, ayse.email, ayse.version) == ("Ayşe", "Ayse@example.com", 2)
    assert ayse.custom == {"Loyalty Tier": "platinum"}
    assert [(r.file_name, r.status, r.file_bytes) for r in runs] == [
        ("api", "completed", None),
        ("api", "completed", None),
        ("sync", "completed", None),
    ]
    assert [tuple(row) for row in stored] == [(3, "row.no_identity"), (4, "record_id.missing")]


def test_the_same_records_as_a_jsonl_file_are_unchanged(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """One pipeline: a record sent to the API hashes as the same line of a file."""
    rows = [{"id": "7", "email": "a@example.com", "tags": ["vip"], "address": {"city": "İzmir"}}]
    import_rows(engine, settings, source="crm", kind="people", rows=rows)
    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"id": "7", "email": "a@example.com", "tags": ["vip"], "address": {"city": "İzmir"}}\n',
        encoding="utf-8",
    )
    result = import_file(engine, settings, ImportRequest(path=path, source="crm"))
    assert (result.new, result.unchanged) == (0, 1)
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert record.custom == {"tags": ["vip"], "address": {"city": "İzmir"}}  # nested: kept whole


def test_mapping_columns_values_region_and_id_column(engine: Engine, settings: Settings) -> None:
    mapping = Mapping(
        id_column="Müşteri No",
        region="TR",
        columns={"Cep": "phone", "Sektör": "industry"},
        values={"industry": {"Bilişim": "Technology"}},
    )
    rows = [
        {"Müşteri No": 10, "Cep": "0532 111 22 33", "Sektör": "Bilişim", "id": "other"},
        {"Cep": "0532 111 22 34"},  # no id key at all: rejected alone
    ]
    result = import_rows(engine, settings, source="crm", kind="people", rows=rows, mapping=mapping)
    assert (result.new, result.rejected) == (1, 1)
    assert result.rejections[0].line == 2
    assert result.rejections[0].reasons[0]["code"] == "record_id.missing"
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert (record.record_id, record.phone, record.industry) == (
        "10",
        "+905321112233",
        "Technology",
    )
    assert record.custom == {"id": "other"}


def test_orders_link_to_people_sent_before_or_after(engine: Engine, settings: Settings) -> None:
    order_rows = [
        {"order_id": "O1", "customer_id": "W1", "ordered_at": "2025-01-05", "total": "10.50"},
        {"order_id": "O2", "email": "b@example.com", "ordered_at": dt.date(2025, 1, 6),
         "total": Decimal("99.90"), "currency": "TRY"},
        {"order_id": "O3", "customer_id": "W1", "ordered_at": "2025-01-07"},  # no total
    ]  # fmt: skip
    result = import_rows(engine, settings, source="shop", kind="orders", rows=order_rows)
    assert (result.new, result.rejected, result.unlinked) == (2, 1, 2)
    assert result.rejections[0].reasons[0]["code"] == "total.missing"
    people = import_rows(
        engine,
        settings,
        source="shop",
        kind="people",
        rows=[{"id": "W1", "email": "a@example.com"}, {"id": "W2", "email": "B@example.com"}],
    )
    assert people.new == 2
    with engine.connect() as connection:
        persons = dict(
            connection.execute(select(source_records.c.record_id, source_records.c.id)).all()
        )
        linked = dict(
            connection.execute(select(orders.c.record_id, orders.c.person_record_id)).all()
        )
        o2 = connection.execute(select(orders).where(orders.c.record_id == "O2")).one()
    assert linked == {"O1": persons["W1"], "O2": persons["W2"]}
    assert str(o2.total) == "99.9000" and o2.ordered_at.date() == dt.date(2025, 1, 6)


def test_records_that_are_not_objects_are_rejected_alone(
    engine: Engine, settings: Settings
) -> None:
    rows = [{"id": "1", "email": "a@example.com", "big": 2**70}, ["not", "an", "object"]]
    result = import_rows(engine, settings, source="crm", kind="people", rows=rows)  # type: ignore[list-item]
    assert (result.new, result.rejected) == (1, 1)
    assert result.rejections[0].reasons[0]["code"] == "row.not_object"
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert record.custom == {"big": str(2**70)}  # past 64 bits: its digits, not a float


@pytest.mark.parametrize(
    ("kind", "mapping", "error", "words"),
    [
        ("persons", None, UnknownKindError, "unknown kind 'persons'"),
        ("people", Mapping(columns={"E": "emial"}), MappingError, "unknown people attribute"),
        ("people", Mapping(kind="orders"), MappingError, "contradicts"),
        ("orders", Mapping(values={"loyalty": {}}), MappingError, "'loyalty'"),
    ],
    ids=["unknown kind", "unknown target", "contradicting kind", "unknown values attribute"],
)
def test_bad_kinds_and_mappings_write_nothing(
    engine: Engine,
    settings: Settings,
    kind: str,
    mapping: Mapping | None,
    error: type[Exception],
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        import_rows(engine, settings, source="crm", kind=kind, rows=[{"id": "1"}], mapping=mapping)
    with engine.connect() as connection:
        assert connection.execute(select(import_runs)).all() == []


@pytest.mark.parametrize(
    ("kind", "row", "column", "problem"),
    [
        ("people", {"id": "1", "email": "a@example.com", "first_name": "A" * 300}, "first_name", "too long"),
        ("orders", {"order_id": "O1", "customer_id": "C" * 300, "ordered_at": "2025-01-05", "total": 1}, "customer_id", "too long"),
        ("orders", {"order_id": "O1", "customer_id": "C1", "ordered_at": "2025-01-05", "total": 1e20}, "", "out of range"),
    ],
    ids=["long name", "long customer id", "huge total"],
)  # fmt: skip
def test_values_the_store_refuses_are_the_datas_fault(
    engine: Engine, settings: Settings, kind: str, row: dict[str, object], column: str, problem: str
) -> None:
    """PostgreSQL refuses what SQLite keeps: a clear IngestError naming the column, not the
    value, and the run marked failed (the cleaner does not bound lengths yet)."""
    if engine.dialect.name == "sqlite":
        assert import_rows(engine, settings, source="crm", kind=kind, rows=[row]).new == 1
        return
    with pytest.raises(IngestError, match=problem) as raised:
        import_rows(engine, settings, source="crm", kind=kind, rows=[row])
    assert column in str(raised.value) and "CCCC" not in str(raised.value)
    with engine.connect() as connection:
        run = connection.execute(select(import_runs)).one()
    assert run.status == "failed"


def test_database_errors_are_translated_at_one_boundary(engine: Engine) -> None:
    dbapi = engine.dialect.dbapi
    assert dbapi is not None
    race = write_failure(engine, dbapi.IntegrityError("duplicate"))
    assert isinstance(race, StoreError) and "send it again" in str(race)
    busy = write_failure(engine, OperationalError("INSERT", {}, sqlite3.OperationalError("locked")))
    assert isinstance(busy, StoreError) and "failed while writing" in str(busy)
    assert write_failure(engine, ValueError("not the database's")) is None
