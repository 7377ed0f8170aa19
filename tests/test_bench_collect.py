"""The collection benchmark's traffic: what segment-analytics-python sends, and all taken.

Why test a benchmark tool: the server's events/s only mean something for the messages an
SDK really sends. ``bench/collect/messages.py`` builds them itself (the SDK's own path is
too slow to pre-build hundreds of thousands), so its shapes are held to the SDK's here:
the same keys in the same order per call, the same body around the batch, and every
message accepted by the server's protocol check.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from types import ModuleType
from typing import Any

import pytest
from bench_files import BENCH, load
from segment.analytics import Client

from kimlik.collect.protocol import parse


@pytest.fixture(scope="module")
def messages() -> ModuleType:
    return load("bench_collect_messages", BENCH / "collect" / "messages.py")


def _sdk(kind: str) -> dict[str, Any]:
    """What the SDK queues for one call of ``kind`` (``send=False`` returns it)."""
    client = Client("key", send=False)
    if kind == "identify":
        return dict(client.identify("u", {"email": "x@example.com"}, {"ip": "1.2.3.4"})[1])
    if kind == "track":
        return dict(client.track("u", "Order Completed", {"total": 1}, {"ip": "1.2.3.4"})[1])
    return dict(client.page("u", "Catalog", "Product", {"url": "/"}, {"ip": "1.2.3.4"})[1])


def test_messages_have_the_sdks_keys_in_the_sdks_order(messages: ModuleType) -> None:
    traffic = messages.Traffic(seed=3, users=50)
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(300):
        message = traffic.message()
        seen.setdefault(message["type"], message)
    assert sorted(seen) == ["identify", "page", "track"]
    for kind, message in seen.items():
        sdk = _sdk(kind)
        assert list(message) == list(sdk), kind
        assert list(message["context"])[-1] == "library"
        assert message["context"]["library"] == sdk["context"]["library"]
        # the SDK's timestamp: milliseconds and an offset
        assert len(message["timestamp"]) == len(sdk["timestamp"])
        assert dt.datetime.fromisoformat(message["timestamp"]).tzinfo is not None


def test_a_batch_is_the_sdks_body_and_the_server_takes_all_of_it(messages: ModuleType) -> None:
    traffic = messages.Traffic(seed=3, users=50)
    batch = traffic.batch(100, "the-key")
    body = json.loads(gzip.decompress(batch.body))
    assert list(body) == ["batch", "sentAt", "writeKey"]  # as segment's request.post builds it
    assert body["writeKey"] == "the-key"
    assert len(body["batch"]) == 100 == len(set(batch.message_ids))
    assert [m["messageId"] for m in body["batch"]] == list(batch.message_ids)
    parsed = parse(
        body, single=None, received_at=dt.datetime.now(dt.UTC), max_message_bytes=32 << 10
    )
    assert parsed.refused == []
    assert len(parsed.messages) == 100
    sizes = [len(json.dumps(m)) for m in body["batch"]]
    assert 400 < sum(sizes) / len(sizes) < 1500  # realistic messages, not toy ones


def test_the_same_seed_gives_the_same_messages(messages: ModuleType) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    first, again = (messages.Traffic(seed=5, users=20, now=now) for _ in range(2))
    assert [first.message() for _ in range(50)] == [again.message() for _ in range(50)]
