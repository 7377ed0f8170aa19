"""A timeline page shows what each order held: its item lines, read for that page only."""

from __future__ import annotations

from sqlalchemy import Engine

from kimlik.config import Settings
from kimlik.demo.files import demo_data_dir, demo_files
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.profiles.timeline_pages import timeline_page


def test_order_entries_carry_their_lines(engine: Engine, settings: Settings) -> None:
    for name, source, kind, region in demo_files():
        if source == "webshop":
            request = ImportRequest(demo_data_dir() / name, source=source, kind=kind, region=region)
            import_file(engine, settings, request)
    resolve(engine, engine_settings(settings))
    with engine.connect() as connection:
        orders = [
            entry
            for profile_id in range(1, 40)
            for entry in timeline_page(connection, profile_id, limit=50, kinds=["order"]).entries
        ]
    assert len(orders) > 20
    for order in orders:
        lines = order.details["lines"]
        units = sum(1 if line["quantity"] is None else line["quantity"] for line in lines)
        assert units == order.details["items"], order.record_id
        assert all(line["product_name"] or line["sku"] for line in lines)
    assert any(len(order.details["lines"]) > 1 for order in orders)
