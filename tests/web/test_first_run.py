"""A first-time user, from `kimlik demo` to a customer's timeline, with no documentation.

Runs the real commands as a person would: the demo into a fresh SQLite file, then
`kimlik serve` as the demo's last lines say, then the browser with the printed sign-in.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.server.conftest import free_port
from tests.web.conftest import screenshot

#: the installed command, as a person runs it
KIMLIK = [str(Path(sys.executable).parent / "kimlik")]


@pytest.fixture
def first_run(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(address, email, password) after `kimlik demo` and `kimlik serve` as printed."""
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    environment.pop("KIMLIK_DATABASE_URL", None)
    demo = subprocess.run(
        [*KIMLIK, "demo"], cwd=tmp_path, env=environment, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-2000:]
    said = " ".join(demo.stdout.split())
    found = re.search(
        r"run (\S+) serve, open (http://127\.0\.0\.1:8000/) and sign in as (\S+) with password (\S+)",
        said,
    )
    assert found, said[-800:]
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*KIMLIK, "serve", "--port", str(port)], cwd=tmp_path, env=environment,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(address, server, log)
        yield address, found[3], found[4]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(address: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"kimlik serve exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(address + "/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("kimlik serve did not start within 60 s")


def test_from_demo_to_a_customers_timeline(
    browser: Browser, first_run: tuple[str, str, str], request: pytest.FixtureRequest
) -> None:
    address, email, password = first_run
    context = browser.new_context(base_url=address)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Find a customer").fill("davis")
    page.locator("#results a.result", has_text="David Davis").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("David Davis")
    timeline = page.get_by_role("region", name=re.compile("Timeline"))
    expect(timeline).to_contain_text("O-7173")
    screenshot(page, "first-run-timeline", request)
    context.close()
