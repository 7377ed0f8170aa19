"""The web UI in a real browser: Debian's Chromium driven by Playwright.

One server per test module and backend, on the bundled demo data (the same files
``kimlik demo`` loads), with a user of every role. Every page a test opens is checked
for requests to other hosts and for script errors, and screenshots land in
``test-artifacts/screenshots`` for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from kimlik.access.permissions import ROLES
from kimlik.access.service import create_user
from kimlik.config import Settings
from kimlik.demo.files import demo_data_dir, demo_files
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.store.engine import open_engine
from kimlik.store.migrate import upgrade
from tests.conftest import BACKENDS, POSTGRES_ENV, private_postgres_schema
from tests.server.conftest import (  # noqa: F401  (fixtures for plain-HTTP page tests)
    PASSWORD,
    LiveServer,
    live_server,
    server_settings,
    start_server,
    users,
)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated store of this module's own, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'kimlik.db'}"
        engine = open_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL browser tests skipped")
    with private_postgres_schema(base) as url:
        yield url


@pytest.fixture(scope="module")
def demo_server(demo_url: str) -> Iterator[LiveServer]:
    """A server on the demo data, resolved, with a user of every role (``PASSWORD``)."""
    settings = Settings(database_url=demo_url, import_workers=0, stitch=False)
    engine = open_engine(demo_url)
    for name, source, kind, region in demo_files():
        request = ImportRequest(
            path=demo_data_dir() / name, source=source, kind=kind, region=region
        )
        import_file(engine, settings, request)
    resolve(engine, engine_settings(settings))
    for role in ROLES:
        create_user(engine, f"{role}@example.com", f"Test {role.title()}", role, PASSWORD)
    live = start_server(settings, engine)
    yield live
    live.stop()
    engine.dispose()


@dataclass
class Watch:
    """What a page did that it must not: ask another host, or fail a script."""

    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign == [], "the page asked other hosts"
        assert self.errors == [], "the page had script errors"


@pytest.fixture
def open_page(
    browser: Browser, demo_server: LiveServer
) -> Iterator[Callable[..., tuple[Page, Watch]]]:
    """``open_page(role=None, viewport=DESKTOP)``: a fresh browser page, signed in as
    ``role`` (None: signed out), watched for foreign requests and script errors."""
    contexts = []
    watches: list[Watch] = []

    def make(role: str | None = None, viewport: dict[str, int] | None = None) -> tuple[Page, Watch]:
        context = browser.new_context(base_url=demo_server.url, viewport=viewport or DESKTOP)  # type: ignore[arg-type]
        contexts.append(context)
        watch = Watch()
        watches.append(watch)

        def guard(request: Request) -> None:
            if not request.url.startswith((demo_server.url, "data:", "about:")):
                watch.foreign.append(request.url)

        def console(message: ConsoleMessage) -> None:
            # an error status is an answer the test may want (a wrong password's 401)
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                watch.errors.append(message.text)

        context.on("request", guard)
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: watch.errors.append(str(error)))
        if role is not None:
            sign_in(page, f"{role}@example.com")
        return page, watch

    yield make
    for context in contexts:
        context.close()
    for watch in watches:
        watch.assert_clean()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Page, name: str, request: pytest.FixtureRequest) -> Path:
    """A full-page screenshot named after the test's backend and ``name``."""
    backend = (
        request.node.callspec.params.get("demo_url", "x")
        if hasattr(request.node, "callspec")
        else "x"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{backend}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
