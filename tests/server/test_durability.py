"""Crash a real ``kimlik serve`` under SDK traffic: nothing acknowledged is lost or doubled.

Why a subprocess killed with SIGKILL: only a real crash leaves the cases that matter, a
transaction that committed while its ``200`` never reached the SDK (the SDK sends the
batch again: it must not be stored twice) and a request cut before its commit (it must
land on the retry). The SDKs run as an application runs them: queued, batched and sent
by their background thread with their own retries and backoff, the server restarted on
the same port and the same database while they keep sending.

Each run sends a few thousand messages with known messageIds and kills the server while
the SDK still holds undelivered ones. Afterwards every message the SDK did not report as
failed is stored exactly once, a failed one at most once, and nothing else is stored.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rudderstack.analytics as rudder
from segment import analytics as segment
from sqlalchemy import Engine, func, select

from kimlik.access.service import create_write_key
from kimlik.store.server_tables import events

KIMLIK = shutil.which("kimlik", path=str(Path(sys.executable).parent)) or "kimlik"
START_SECONDS = 30  # a cold start on a busy 2-core machine takes ~3 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.02)


class Server:
    """``kimlik serve`` as a subprocess in its own process group, on one fixed port."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self.database_url = database_url
        self.workers: int | None = None  # ``--workers``: a supervisor and worker processes
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = logs
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start and return once it answers HTTP (the port is free again after a kill)."""
        self.starts += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        command = [KIMLIK, "--database", self.database_url, "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers or 0)]  # 0: one process, unless asked
        with open(self.logs / f"serve-{self.starts}.log", "wb") as log:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _until(self._answers, START_SECONDS, f"kimlik serve on port {self.port}")

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            log = (self.logs / f"serve-{self.starts}.log").read_text(errors="replace")
            raise AssertionError(f"kimlik serve exited {self.proc.returncode}:\n{log[-2000:]}")
        try:
            httpx.get(f"{self.url}/v1/batch", timeout=1)  # any answer (405) means it serves
        except httpx.TransportError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL to the group (workers too): no shutdown, whatever was in flight is cut."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, tmp_path / "logs")
    yield running
    running.kill()


def _client(kind: str, key: str, url: str, failed: list[str]) -> Any:
    """The SDK in its normal asynchronous mode, retrying long enough to outlive restarts."""

    def on_error(_error: Exception, batch: list[dict[str, Any]]) -> None:
        failed.extend(str(m.get("messageId")) for m in batch)

    module: Any = segment if kind == "segment" else rudder
    return module.Client(
        key, host=url, on_error=on_error, upload_interval=0.05, max_retries=12, gzip=True
    )


def _send(client: Any, n: int, message_id: str) -> None:
    """One call of a shop's mix: identify, track or page, with a known messageId."""
    user = f"user-{n % 400}"
    if n % 5 == 0:
        traits = {"email": f"customer{n % 400}@example.com", "plan": "pro"}
        ok, _ = client.identify(user, traits, message_id=message_id)
    elif n % 5 in (1, 2):
        properties = {"order_id": f"o-{n}", "total": 10.5 + n % 90, "currency": "TRY"}
        ok, _ = client.track(user, "Order Completed", properties, message_id=message_id)
    else:
        properties = {"path": f"/urun/{n % 300}", "title": "Ürün"}
        ok, _ = client.page(user, "Catalog", "Product", properties, message_id=message_id)
    assert ok


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(events.c.message_id, func.count()).group_by(events.c.message_id)
        )
        return {str(message_id): int(count) for message_id, count in rows}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "total", "kills", "workers"),
    [
        ("segment", 3000, (0.3, 0.6), None),
        ("rudderstack", 1500, (0.5,), None),
        ("segment", 1500, (0.5,), 2),  # `kimlik serve --workers 2`: the stitcher apart
    ],
    ids=["segment", "rudderstack", "segment-workers"],
)
def test_a_killed_server_loses_and_doubles_nothing(
    server: Server,
    engine: Engine,
    kind: str,
    total: int,
    kills: tuple[float, ...],
    workers: int | None,
) -> None:
    key = create_write_key(engine, "web", "durability", "test").token
    server.workers = workers
    server.start()
    failed: list[str] = []
    client = _client(kind, key, server.url, failed)
    ids = [f"{kind}-{n:05d}" for n in range(total)]
    sending_error: list[BaseException] = []

    def app() -> None:
        """An application sending ~1,000 messages a second, whatever the server does."""
        try:
            for n, message_id in enumerate(ids):
                _send(client, n, message_id)
                if n % 50 == 49:
                    time.sleep(0.05)
        except BaseException as exc:  # surfaced below, not lost in the thread
            sending_error.append(exc)

    sender = threading.Thread(target=app, name=f"{kind}-app")
    sender.start()
    stored_at_kill = []
    try:
        for share in kills:
            _until(lambda s=share: _stored(engine) >= s * total, 60, f"{share:.0%} stored")
            stored_at_kill.append(_stored(engine))
            server.kill()
            server.start()
    finally:
        sender.join()
        client.flush()  # returns when every message is acknowledged or reported failed
        client.join()
    assert sending_error == []
    counts = _counts(engine)

    # each crash came mid-stream: the rest had to be delivered after a restart
    assert all(n < total for n in stored_at_kill), stored_at_kill
    assert server.starts == len(kills) + 1
    failed_ids = set(failed)
    assert [m for m in ids if m not in failed_ids and counts.get(m) != 1] == []
    assert {m: n for m, n in counts.items() if n != 1} == {}
    assert set(counts) - set(ids) == set()
    # the SDK's retries outlast a restart: nothing should have been given up on
    assert failed == []
