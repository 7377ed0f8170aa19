"""``POST /api/v1/sources/{source}/records`` over real HTTP, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from kimlik.store.server_tables import audit_log
from kimlik.store.tables import import_runs, orders, source_records
from tests.server.conftest import LiveServer

PEOPLE = [
    {"id": "C-1", "First Name": "ayşe", "E-posta": "Ayse@Example.com", "Tier": "gold"},
    {"id": "C-2", "email": "bob@example.com", "phone": "+44 7911 123456", "tags": ["vip"]},
    {"id": "C-3", "Tier": "bronze"},
]


def upsert(live: LiveServer, body: dict[str, Any], source: str = "crm", role: str = "admin") -> Any:
    with live.client(role) as client:
        return client.post(f"/api/v1/sources/{source}/records", json=body)


def test_a_batch_lands_and_resending_it_changes_nothing(live_server: LiveServer) -> None:
    first = upsert(live_server, {"records": PEOPLE})
    assert first.status_code == 200, first.text
    answer = first.json()
    assert {k: answer[k] for k in ("source", "kind", "read", "new", "updated", "unchanged")} == {
        "source": "crm", "kind": "people", "read": 3, "new": 2, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    assert answer["rejected"] == 1
    assert [(r["index"], [x["code"] for x in r["reasons"]]) for r in answer["rejections"]] == [
        (2, ["row.no_identity"])
    ]
    again = upsert(live_server, {"kind": "people", "records": PEOPLE}).json()
    assert (again["new"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 2, 1)
    changed = upsert(live_server, {"records": [{**PEOPLE[0], "Tier": "platinum"}]}).json()
    assert (changed["updated"], changed["read"]) == (1, 1)
    with live_server.engine.connect() as connection:
        ayse = connection.execute(
            select(source_records).where(source_records.c.record_id == "C-1")
        ).one()
        bob = connection.execute(
            select(source_records).where(source_records.c.record_id == "C-2")
        ).one()
        runs = connection.execute(select(import_runs.c.file_name, import_runs.c.status)).all()
        entries = connection.execute(
            select(audit_log.c.action, audit_log.c.target, audit_log.c.detail).where(
                audit_log.c.action == "records.upsert"
            )
        ).all()
    assert (ayse.first_name, ayse.email, ayse.custom, ayse.version) == (
        "Ayşe", "Ayse@example.com", {"Tier": "platinum"}, 2,
    )  # fmt: skip
    assert bob.custom == {"tags": ["vip"]} and bob.phone == "+447911123456"
    assert [tuple(run) for run in runs] == [("api", "completed")] * 3
    assert len(entries) == 3 and entries[0].target == "source:crm"
    assert entries[0].detail["run_id"] == answer["run_id"] and entries[0].detail["new"] == 2


def test_orders_link_to_people_and_the_mapping_applies(live_server: LiveServer) -> None:
    people = {
        "mapping": {"id_column": "Müşteri No", "region": "TR", "columns": {"Cep": "phone"}},
        "records": [{"Müşteri No": "W1", "Cep": "0532 111 22 33", "email": "a@example.com"}],
    }
    assert upsert(live_server, people, source="shop").json()["new"] == 1
    body = {
        "kind": "orders",
        "records": [
            {"order_id": "O1", "customer_id": "W1", "ordered_at": "2025-01-05", "total": 10},
            {"order_id": "O2", "email": "A@example.com", "ordered_at": "2025-01-06", "total": "5"},
            {"order_id": "O3", "customer_id": "W9", "ordered_at": "2025-01-07", "total": 1.5},
        ],
    }
    answer = upsert(live_server, body, source="shop").json()
    assert (answer["kind"], answer["new"], answer["unlinked"]) == ("orders", 3, 1)
    with live_server.engine.connect() as connection:
        person = connection.execute(select(source_records.c.id, source_records.c.phone)).one()
        linked = dict(
            connection.execute(select(orders.c.record_id, orders.c.person_record_id)).all()
        )
    assert person.phone == "+905321112233"
    assert linked == {"O1": person.id, "O2": person.id, "O3": None}


def test_the_mapping_kind_is_the_default_kind(live_server: LiveServer) -> None:
    body = {
        "mapping": {"kind": "companies"},
        "records": [{"company_id": "K1", "name": "Acme", "domain": "acme.example"}],
    }
    assert upsert(live_server, body).json()["kind"] == "companies"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"kind": "persons", "records": [{"id": 1}]}, 400, "unknown kind 'persons'"),
        ({"records": [{"id": 1}], "mapping": {"colums": {}}}, 400, "mapping 'colums': unknown key"),
        ({"records": [{"id": 1}], "mapping": {"columns": {"E": "emial"}}}, 400, "'emial'"),
        ({"records": [{"id": 1}], "mapping": {"region": "Atlantis"}}, 400, "unknown region"),
        ({"kind": "people", "records": [{"id": 1}], "mapping": {"kind": "orders"}}, 400, "contradicts"),
        ({"records": []}, 422, "records"),
        ({"records": [{"id": str(n)} for n in range(10_001)]}, 422, "records"),
        ({"records": ["not an object"]}, 422, "records.0"),
        ({}, 422, "records"),
    ],
    ids=[
        "unknown kind", "unknown mapping key", "unknown attribute", "unknown region",
        "contradicting kinds", "no records", "too many records", "not an object", "no body",
    ],
)  # fmt: skip
def test_client_mistakes_are_named_and_store_nothing(
    live_server: LiveServer, body: dict[str, Any], status: int, words: str
) -> None:
    reply = upsert(live_server, body)
    assert reply.status_code == status, reply.text
    assert words in reply.json()["message"]
    with live_server.engine.connect() as connection:
        assert connection.execute(select(import_runs)).all() == []
        assert connection.execute(select(source_records)).all() == []


def test_an_invalid_source_name_is_a_400(live_server: LiveServer) -> None:
    reply = upsert(live_server, {"records": [{"id": "1", "email": "a@example.com"}]}, "-bad!")
    assert reply.status_code == 400
    assert "invalid source name" in reply.json()["message"]


@pytest.mark.parametrize("role", ["analyst", "agent", "marketer"])
def test_only_records_write_may_upsert(live_server: LiveServer, role: str) -> None:
    reply = upsert(live_server, {"records": PEOPLE}, role=role)
    assert reply.status_code == 403
    assert reply.json()["permission"] == "records.write"


def test_records_of_the_api_show_up_as_import_runs(live_server: LiveServer) -> None:
    run_id = upsert(live_server, {"records": PEOPLE}).json()["run_id"]
    with live_server.client("analyst") as client:
        run = client.get(f"/api/v1/imports/{run_id}").json()
    assert (run["file_name"], run["source"], run["status"]) == ("api", "crm", "completed")
    assert run["counts"] == {
        "read": 3, "new": 2, "updated": 0, "unchanged": 0, "rejected": 1, "unlinked": 0,
    }  # fmt: skip
    rejected = run["rejected_rows"]["items"]
    assert [row["row_number"] for row in rejected] == [3]  # 1-based row numbers in the store
    assert rejected[0]["raw"] == {"id": "•••", "Tier": "•••"}  # analysts see no values
