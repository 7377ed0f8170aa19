"""A real Kimlik server on loopback, per test, on each storage backend.

The app is built by ``create_app`` from explicit settings and served by uvicorn in a
thread on a free port, so tests speak real HTTP (the SDKs need a URL). Users of every
role, and an API key and a write key, are made through the same services as the CLI.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from kimlik.access.permissions import ROLES
from kimlik.access.service import create_api_key, create_user, create_write_key
from kimlik.app import create_app
from kimlik.config import Settings

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """A running server and the keys to talk to it."""

    url: str
    settings: Settings
    engine: Engine
    write_key: str
    #: role -> an API key whose scopes are exactly that role's permissions
    role_keys: dict[str, str] = field(default_factory=dict)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, role: str | None = "admin", **headers: str) -> httpx.Client:
        """An HTTP client authenticated as ``role`` (None: anonymous), closed at the end."""
        if role:
            headers["Authorization"] = f"Bearer {self.role_keys[role]}"
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self._clients.append(client)
        return client

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=30)


def start_server(settings: Settings, engine: Engine) -> LiveServer:
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    live = LiveServer(
        url=f"http://127.0.0.1:{port}",
        settings=settings,
        engine=engine,
        write_key=create_write_key(engine, "web", "website", "test").token,
    )
    live._server, live._thread = server, thread
    for role, permissions in ROLES.items():
        live.role_keys[role] = create_api_key(
            engine, f"{role} key", sorted(p.value for p in permissions), "test"
        ).token
    return live


@pytest.fixture
def server_settings(database_url: str) -> Settings:
    """Settings of the test server: fast stitching, in-process standardization."""
    return Settings(database_url=database_url, import_workers=0, stitch_interval=0.05)


@pytest.fixture
def live_server(server_settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    live = start_server(server_settings, engine)
    yield live
    live.stop()


@pytest.fixture
def users(engine: Engine) -> dict[str, str]:
    """role -> email of a user with that role (password ``PASSWORD``)."""
    made = {}
    for role in ROLES:
        email = f"{role}@example.com"
        create_user(engine, email, role.title(), role, PASSWORD)
        made[role] = email
    return made
