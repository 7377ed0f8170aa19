"""The real Segment and RudderStack Python SDKs against a Kimlik server on loopback.

Each SDK runs as an application would: queued, batched, sent by its background thread.
A few dozen people browse anonymously, sign up (identify), buy (track), join a company
(group) and get a new id (alias). Every message an SDK did not report as failed must be
stored exactly once, and the anonymous browsing must end up on the person's profile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import rudderstack.analytics as rudder
from segment import analytics as segment
from sqlalchemy import func, select

from kimlik.store.server_tables import events
from kimlik.store.tables import profile_members, source_records
from tests.server.conftest import LiveServer

FIRST = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Emre", "Fatma", "Burak", "Selin", "Can"]
LAST = ["Yılmaz", "Kaya", "Demir"]
PEOPLE = len(FIRST) * len(LAST)


def _client(kind: str, live: LiveServer, errors: list[Any]) -> Any:
    def on_error(error: Exception, batch: list[dict[str, Any]]) -> None:
        errors.append((error, [m.get("messageId") for m in batch]))

    module: Any = segment if kind == "segment" else rudder
    return module.Client(
        live.write_key,
        host=live.url,
        on_error=on_error,
        upload_interval=0.05,
        max_retries=5,
        gzip=kind == "segment",
    )


def _scenario(client: Any, prefix: str) -> list[str]:
    """The journey of ``PEOPLE`` customers; returns every message id queued."""
    sent: list[str] = []

    def keep(result: tuple[bool, dict[str, Any]]) -> None:
        ok, message = result
        assert ok
        sent.append(message["messageId"])

    for n in range(PEOPLE):
        device, user = f"{prefix}-device-{n}", f"{prefix}-user-{n}"
        keep(client.page(anonymous_id=device, name="Home", properties={"path": "/"}))
        keep(client.track(anonymous_id=device, event="Product Viewed", properties={"sku": f"S{n}"}))
        keep(
            client.identify(
                user,
                {
                    "email": f"{prefix}.customer{n}@example.com",
                    "firstName": FIRST[n % len(FIRST)],
                    "lastName": LAST[n // len(FIRST)],
                    "phone": f"+90 5{n + 30:02d} 341 {n * 37 % 100:02d} {n * 53 % 100:02d}",
                    "plan": "pro" if n % 2 else "free",
                },
                anonymous_id=device,
            )
        )
        keep(client.track(user, "Order Completed", {"total": 10.5 + n, "currency": "TRY"}))
        keep(client.group(user, f"{prefix}-company-{n % 5}", {"name": f"Company {n % 5}"}))
        if n % 3 == 0:
            keep(client.alias(device, user))
    return sent


def _wait(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.parametrize("kind", ["segment", "rudderstack"])
def test_every_acknowledged_message_is_stored_once_and_stitched(
    live_server: LiveServer, kind: str
) -> None:
    errors: list[Any] = []
    client = _client(kind, live_server, errors)
    sent = _scenario(client, kind)
    client.flush()
    client.join()
    assert errors == []

    with live_server.engine.connect() as connection:
        counts = dict(
            connection.execute(
                select(events.c.message_id, func.count()).group_by(events.c.message_id)
            ).all()
        )
    assert sorted(counts) == sorted(sent)
    assert set(counts.values()) == {1}

    def stitched() -> bool:
        with live_server.engine.connect() as connection:
            pending = connection.execute(
                select(func.count()).select_from(events).where(events.c.stitched_at.is_(None))
            ).scalar_one()
            profiled = connection.execute(
                select(func.count())
                .select_from(events)
                .join(profile_members, profile_members.c.rid == events.c.person_record_id)
            ).scalar_one()
        return pending == 0 and profiled == len(sent)

    _wait(stitched)
    with live_server.engine.connect() as connection:
        # every person's anonymous browsing is on the profile of their identified record
        rows = connection.execute(
            select(events.c.anonymous_id, events.c.type, profile_members.c.profile_id)
            .join(profile_members, profile_members.c.rid == events.c.person_record_id)
            .where(events.c.user_id.is_(None))
        ).all()
        owners = dict(
            connection.execute(
                select(source_records.c.record_id, profile_members.c.profile_id).join(
                    profile_members, profile_members.c.rid == source_records.c.id
                )
            ).all()
        )
    assert len(rows) == 2 * PEOPLE
    for device, _kind, profile in rows:
        user = device.replace("-device-", "-user-")
        assert profile == owners[user]
    assert len(set(owners.values())) == PEOPLE  # thirty people, thirty profiles
