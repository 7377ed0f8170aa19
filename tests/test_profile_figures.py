"""Key figures from aggregates equal the figures derived from the whole timeline.

The web page and the API read a profile without its timeline (``with_timeline=False``),
the CLI with it; a customer must show the same first and last seen, orders, money spent
and latest score either way, for every profile of the demo's four apps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, insert, select

from kimlik.config import Settings
from kimlik.demo.files import demo_data_dir, demo_files
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.profiles.service import get_profile
from kimlik.store.tables import orders, profiles


def test_aggregated_figures_equal_the_timelines_for_every_demo_profile(
    engine: Engine, settings: Settings
) -> None:
    for name, source, kind, region in demo_files():
        request = ImportRequest(
            path=demo_data_dir() / name, source=source, kind=kind, region=region
        )
        import_file(engine, settings, request)
    resolve(engine, engine_settings(settings))
    with engine.connect() as connection:
        ids = (
            connection.execute(select(profiles.c.id).where(profiles.c.status == "active"))
            .scalars()
            .all()
        )
        # a cancelled order in another currency, and an order without a total
        order = connection.execute(select(orders).limit(1)).mappings().one()
    with engine.begin() as connection:
        extra = {k: v for k, v in order.items() if k != "id"}
        connection.execute(
            insert(orders),
            [
                {**extra, "record_id": "X-1", "status": "Cancelled", "currency": "EUR", "total": Decimal("10.5")},
                {**extra, "record_id": "X-2", "status": "delivered", "currency": "EUR", "total": None},
                {**extra, "record_id": "X-3", "status": "delivered", "currency": None, "total": Decimal("2.25"),
                 "ordered_at": dt.datetime(2001, 1, 1)},
            ],
        )  # fmt: skip
    assert len(ids) > 200
    differences = {}
    scored = spending = 0
    for profile_id in ids:
        whole = get_profile(engine, str(profile_id)).figures
        paged = get_profile(engine, str(profile_id), with_timeline=False).figures
        if whole != paged:
            differences[profile_id] = (whole, paged)
        scored += whole.latest_nps is not None
        spending += bool(whole.total_spent)
    assert differences == {}
    assert scored > 10 and spending > 50
