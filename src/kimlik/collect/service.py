"""Taking a request from an SDK: check it, store its messages once, answer.

The request's messages are written in one transaction; the caller answers ``200`` only
after it commits, so an acknowledged message is on disk. A resent batch inserts nothing
(``uq_events_message``), which is what makes SDK retries safe.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy import Engine

from kimlik.access.service import write_key_source
from kimlik.collect import repository
from kimlik.collect.protocol import Refused, decompress, load_json, parse
from kimlik.config import Settings
from kimlik.errors import AuthenticationError, RateLimitedError


@dataclass(slots=True)
class Collected:
    """What one request stored."""

    source: str
    accepted: int
    refused: list[Refused] = field(default_factory=list)
    non_finite: bool = False


class WriteKeys:
    """Write key → source, remembered for ``ttl`` seconds so a batch costs no key lookup.

    A revoked key therefore keeps collecting for up to ``ttl`` seconds (documented).
    """

    def __init__(self, engine: Engine, ttl: float = 30.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._known: dict[str, tuple[float, int, str]] = {}
        self._lock = threading.Lock()

    def source(self, key: str) -> tuple[int, str]:
        now = time.monotonic()
        with self._lock:
            hit = self._known.get(key)
        if hit is not None and hit[0] > now:
            return hit[1], hit[2]
        source_id, name = write_key_source(self.engine, key)  # raises for unknown keys
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (now + self.ttl, source_id, name)
        return source_id, name

    def forget(self) -> None:
        """Drop every remembered key, so a key revoked through this server stops now
        (other servers still remember it for up to ``ttl`` seconds)."""
        with self._lock:
            self._known.clear()


class EventRate:
    """Events per second per source, as a token bucket; ``None`` means no limit."""

    def __init__(self, per_second: int | None) -> None:
        self.per_second = per_second
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, source_id: int, count: int) -> None:
        if self.per_second is None or count == 0:
            return
        now = time.monotonic()
        burst = float(self.per_second)
        with self._lock:
            tokens, last = self._buckets.get(source_id, (burst, now))
            tokens = min(burst, tokens + (now - last) * self.per_second)
            if tokens < count:
                self._buckets[source_id] = (tokens, now)
                wait = max(1, int((count - tokens) / self.per_second + 0.999))
                raise RateLimitedError(
                    f"this write key may send {self.per_second} events per second", wait
                )
            self._buckets[source_id] = (tokens - count, now)


def collect(
    engine: Engine,
    settings: Settings,
    keys: WriteKeys,
    rate: EventRate,
    *,
    body: bytes,
    content_encoding: str | None,
    single: str | None,
    basic_user: str | None,
    received_at: dt.datetime | None = None,
) -> Collected:
    """Store one request's messages; whole-request problems raise ``CollectError``."""
    received_at = received_at or dt.datetime.now(dt.UTC)
    source = keys.source(basic_user) if basic_user else None
    limit = (
        settings.collect_max_batch_bytes if single is None else settings.collect_max_message_bytes
    )
    data = decompress(body, content_encoding, limit)
    document, non_finite = load_json(data)
    parsed = parse(
        document,
        single=single,
        received_at=received_at,
        max_message_bytes=settings.collect_max_message_bytes,
    )
    if source is None:
        if parsed.write_key is None:
            raise AuthenticationError(
                "no write key: send it as the HTTP Basic user name or as 'writeKey' in the body"
            )
        source = keys.source(parsed.write_key)
    source_id, source_name = source
    rate.take(source_id, len(parsed.messages))
    rows = repository.event_rows(engine.dialect, source_id, parsed.messages, received_at)
    with _writer(engine), engine.begin() as connection:
        repository.store_events(connection, rows)
        repository.store_refused(connection, source_id, parsed.refused, received_at)
    return Collected(source_name, len(parsed.messages), parsed.refused, non_finite)


_sqlite_writers: dict[str, threading.Lock] = {}
_sqlite_writers_lock = threading.Lock()


def _writer(engine: Engine) -> AbstractContextManager[object]:
    """On SQLite, one collecting transaction at a time per database file.

    SQLite has one writer; a second one waits in its busy handler, which sleeps up to
    100 ms between tries and lets others overtake it: with four concurrent senders p99
    reached 2 s. Taking turns on a lock in this process costs nothing of that.
    PostgreSQL writes concurrently and needs no lock.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = engine.url.render_as_string(hide_password=False)
    with _sqlite_writers_lock:
        lock = _sqlite_writers.setdefault(key, threading.Lock())
    return lock
