"""Related kinds: orders, items, interactions, feedback, consents, companies, and linking."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from kimlik.config import Settings
from kimlik.ingest.service import ImportRequest, ImportResult, import_file
from kimlik.store.tables import (
    consents,
    feedback,
    interactions,
    order_items,
    orders,
    source_records,
)


def load(
    engine: Engine, settings: Settings, path: Path, kind: str, source: str = "shop"
) -> ImportResult:
    return import_file(
        engine, settings, ImportRequest(path=path, source=source, kind=kind, region="TR")
    )


def test_orders_for_unknown_customers_are_kept_and_link_up_later(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    order_file = write(
        "orders.csv",
        "Order ID,Customer ID,Order Date,Total,Currency\n"
        'O1,W1,2025-01-05 14:22,"1.249,90",TL\n'
        "O2,W9,2025-01-06,10.00,TRY\n"
        "O3,W1,2025-01-07,twelve,TRY\n"
        "O4,,2025-01-08,5,TRY\n",
    )
    result = load(engine, settings, order_file, "orders")
    assert (result.new, result.rejected, result.unlinked) == (2, 2, 2)
    assert result.rejection_codes == {"number.invalid": 1, "row.no_customer": 1}
    people = write("people.csv", "id,email\nW1,a@example.com\n")
    load(engine, settings, people, "people")
    with engine.connect() as connection:
        person = connection.execute(select(source_records.c.id)).scalar_one()
        linked = dict(
            connection.execute(select(orders.c.record_id, orders.c.person_record_id)).all()
        )
        o1 = connection.execute(select(orders).where(orders.c.record_id == "O1")).one()
    assert linked == {"O1": person, "O2": None}
    assert str(o1.total) == "1249.9000" and o1.currency == "TRY"


def test_links_by_email_across_sources(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    load(engine, settings, write("p.csv", "id,email\nC1,j.doe+news@gmail.com\n"), "people", "crm")
    tickets = write(
        "t.csv",
        "Ticket ID,Email,Opened At,Channel,Agent\nT1,J.D.O.E@gmail.com,05/03/2025 11:11,phone,Seda\n",
    )
    result = load(engine, settings, tickets, "interactions", "support")
    assert result.unlinked == 0
    with engine.connect() as connection:
        ticket = connection.execute(select(interactions)).one()
    assert ticket.person_record_id is not None
    assert ticket.occurred_at.day == 5 and ticket.occurred_at.month == 3  # day-first for TR


def test_order_items_link_to_their_order(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    load(
        engine,
        settings,
        write("o.csv", "order_id,customer_id,ordered_at,total\nO1,W1,2025-01-05,10\n"),
        "orders",
    )
    items = write(
        "i.csv",
        "order_id,sku,product_name,quantity,unit_price\nO1,S1,Cup,2,5.00\nO9,S1,Cup,1,5\nO1,,,1,1\n",
    )
    result = load(engine, settings, items, "order_items")
    assert (result.new, result.rejected, result.unlinked) == (2, 1, 1)
    with engine.connect() as connection:
        rows = {r.record_id: r for r in connection.execute(select(order_items))}
    assert rows["O1|S1|Cup"].order_row_id is not None and rows["O1|S1|Cup"].quantity == 2
    assert rows["O9|S1|Cup"].order_row_id is None


def test_consents_feedback_and_companies(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    consent_file = write(
        "c.csv",
        "customer_id,purpose,channel,status,recorded_at\n"
        "C1,marketing,email,onay,2025-01-01\n"
        "C1,marketing,sms,maybe,2025-01-01\n",
    )
    result = load(engine, settings, consent_file, "consents")
    assert (result.new, result.rejected) == (1, 1)
    assert result.rejection_codes == {"status.unknown_value": 1}
    again = load(engine, settings, consent_file, "consents")
    assert again.unchanged == 1
    answers = write(
        "f.csv", "response_id,email,survey,score,answered_at\nR1,a@example.com,NPS,11,2025-02-02\n"
    )
    result = load(engine, settings, answers, "feedback")
    assert result.new == 1 and result.field_issues == {"score.out_of_range": 1}
    companies_file = write(
        "co.csv", "company_id,name,domain,industry,country\nK1,Acme,acme.com,Bilişim,TR\n"
    )
    assert load(engine, settings, companies_file, "companies").new == 1
    with engine.connect() as connection:
        consent = connection.execute(select(consents)).one()
        answer = connection.execute(select(feedback)).one()
    assert consent.status == "granted" and consent.customer_id == "C1"
    assert answer.score is None and answer.customer_email_key == "a@example.com"
