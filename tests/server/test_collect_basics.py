"""The collection endpoint over real HTTP: auth, gzip, limits, dedup, errors, NaN."""

from __future__ import annotations

import base64
import gzip
import json

import httpx
import pytest
from sqlalchemy import func, select

from kimlik.store.server_tables import events, rejected_events
from tests.server.conftest import LiveServer


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def message(n: int, **extra: object) -> dict[str, object]:
    return {
        "type": "track",
        "event": "Viewed",
        "userId": f"user-{n}",
        "messageId": f"m-{n}",
        "timestamp": "2026-01-01T10:00:00Z",
        **extra,
    }


def stored(live: LiveServer) -> int:
    with live.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def test_a_batch_is_stored_and_acknowledged_exactly(live_server: LiveServer) -> None:
    body = {"batch": [message(i) for i in range(5)], "sentAt": "2026-01-01T10:00:00Z"}
    reply = httpx.post(
        f"{live_server.url}/v1/batch", json=body, headers=basic(live_server.write_key)
    )
    assert reply.status_code == 200
    assert reply.json() == {"success": True}
    assert stored(live_server) == 5


def test_the_write_key_may_come_in_the_body_and_gzipped(live_server: LiveServer) -> None:
    body = {"batch": [message(1)], "writeKey": live_server.write_key}
    reply = httpx.post(
        f"{live_server.url}/v1/batch",
        content=gzip.compress(json.dumps(body).encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    assert stored(live_server) == 1


def test_a_resent_batch_stores_nothing_twice(live_server: LiveServer) -> None:
    body = {"batch": [message(i) for i in range(3)]}
    for _ in range(3):
        reply = httpx.post(
            f"{live_server.url}/v1/batch", json=body, headers=basic(live_server.write_key)
        )
        assert reply.status_code == 200
    assert stored(live_server) == 3


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        (basic("kw_not-a-key"), "unauthorized"),
        ({"Authorization": "Basic !!!"}, "unauthorized"),
    ],
    ids=["no key", "unknown key", "garbled basic header"],
)
def test_without_a_valid_write_key_nothing_is_stored(
    live_server: LiveServer, headers: dict[str, str], code: str
) -> None:
    reply = httpx.post(f"{live_server.url}/v1/batch", json={"batch": [message(1)]}, headers=headers)
    assert reply.status_code == 401
    assert reply.json()["code"] == code and reply.json()["message"]
    assert stored(live_server) == 0


@pytest.mark.parametrize(
    ("content", "status", "needle"),
    [
        (b"{not json", 400, "not JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"batch": {}}', 400, "'batch' list"),
    ],
    ids=["not json", "not an object", "batch not a list"],
)
def test_a_body_that_is_not_a_batch_is_a_clear_400(
    live_server: LiveServer, content: bytes, status: int, needle: str
) -> None:
    reply = httpx.post(
        f"{live_server.url}/v1/batch", content=content, headers=basic(live_server.write_key)
    )
    assert reply.status_code == status
    assert needle in reply.json()["message"] and reply.json()["code"]


def test_bad_messages_are_named_kept_for_review_and_cost_the_others_nothing(
    live_server: LiveServer,
) -> None:
    batch = [
        message(1),
        {"type": "track", "messageId": "no-user", "event": "X"},
        {"type": "dance", "userId": "u", "messageId": "bad-type"},
        message(2, timestamp="yesterday"),
        message(3),
    ]
    reply = httpx.post(
        f"{live_server.url}/v1/batch", json={"batch": batch}, headers=basic(live_server.write_key)
    )
    assert reply.status_code == 400
    answer = reply.json()
    assert answer["code"] == "invalid_message" and answer["accepted"] == 2
    assert [r["index"] for r in answer["refused"]] == [1, 2, 3]
    assert [r["code"] for r in answer["refused"]] == [
        "missing_identity",
        "invalid_type",
        "invalid_timestamp",
    ]
    assert stored(live_server) == 2
    with live_server.engine.connect() as connection:
        kept = connection.execute(
            select(rejected_events.c.message_id, rejected_events.c.code)
        ).all()
    assert sorted(kept) == [
        ("bad-type", "invalid_type"),
        ("m-2", "invalid_timestamp"),
        ("no-user", "missing_identity"),
    ]


def test_limits_are_a_413_naming_the_limit(live_server: LiveServer) -> None:
    big = message(1, properties={"blob": "x" * (40 << 10)})
    reply = httpx.post(
        f"{live_server.url}/v1/batch",
        json={"batch": [big, message(2)]},
        headers=basic(live_server.write_key),
    )
    assert reply.status_code == 413
    assert reply.json()["refused"][0]["code"] == "message_too_large"
    assert stored(live_server) == 1  # the message within the limit landed

    single = httpx.post(
        f"{live_server.url}/v1/track", json=big, headers=basic(live_server.write_key)
    )
    assert single.status_code == 413 and "limit" in single.json()["message"]

    huge = {"batch": [message(i, properties={"pad": "y" * 30000}) for i in range(300)]}
    reply = httpx.post(
        f"{live_server.url}/v1/batch", json=huge, headers=basic(live_server.write_key)
    )
    assert reply.status_code == 413 and reply.json()["code"] == "payload_too_large"


def test_a_gzip_bomb_is_refused_without_inflating_it(live_server: LiveServer) -> None:
    bomb = gzip.compress(b'{"batch": [' + b" " * (64 << 20) + b"]}")
    reply = httpx.post(
        f"{live_server.url}/v1/batch",
        content=bomb,
        headers={**basic(live_server.write_key), "Content-Encoding": "gzip"},
    )
    assert reply.status_code == 413


def test_eight_mebibyte_batches_are_taken(live_server: LiveServer) -> None:
    batch = [message(i, properties={"pad": "z" * 30000}) for i in range(270)]
    body = json.dumps({"batch": batch}).encode()
    assert len(body) > 8_000_000
    reply = httpx.post(
        f"{live_server.url}/v1/batch",
        content=gzip.compress(body),
        headers={**basic(live_server.write_key), "Content-Encoding": "gzip"},
        timeout=60,
    )
    assert reply.status_code == 200, reply.text[:300]
    assert stored(live_server) == 270


def test_bare_nan_is_read_as_null_and_the_message_kept(live_server: LiveServer) -> None:
    content = b'{"batch": [{"type": "track", "event": "E", "userId": "u", "messageId": "n1", "properties": {"v": NaN, "w": -Infinity}}]}'
    reply = httpx.post(
        f"{live_server.url}/v1/batch", content=content, headers=basic(live_server.write_key)
    )
    assert reply.status_code == 200
    with live_server.engine.connect() as connection:
        payload = connection.execute(select(events.c.payload)).scalar_one()
    assert payload["properties"] == {"v": None, "w": None}


def test_clock_skew_is_taken_off_the_timestamp(live_server: LiveServer) -> None:
    # the client's clock runs an hour ahead: it stamped and sent at 11:00 its time
    batch = [message(1, timestamp="2030-01-01T10:59:00Z")]
    reply = httpx.post(
        f"{live_server.url}/v1/batch",
        json={"batch": batch, "sentAt": "2030-01-01T11:00:00Z"},
        headers=basic(live_server.write_key),
    )
    assert reply.status_code == 200
    with live_server.engine.connect() as connection:
        occurred, received = connection.execute(
            select(events.c.occurred_at, events.c.received_at)
        ).one()
    assert abs((received - occurred).total_seconds() - 60) < 1
