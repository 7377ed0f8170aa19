"""The admin pages in the browser: sources and write keys that really collect, users and
API keys, the audit log, and that nobody else gets in."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.server.conftest import PASSWORD, LiveServer
from tests.web.conftest import DESKTOP, PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]
ADMIN_PAGES = ("/admin/sources", "/admin/users", "/admin/audit")


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def track(server: LiveServer, key: str, n: int) -> httpx.Response:
    event = {"userId": f"kiosk-{n}", "event": "Kiosk Visited", "messageId": f"kiosk-m-{n}"}
    return httpx.post(f"{server.url}/v1/track", json=event, headers=basic(key), timeout=30)


def session(server: LiveServer, role: str) -> httpx.Client:
    """An HTTP client signed in as ``role`` through the sign-in form."""
    client = httpx.Client(base_url=server.url, timeout=30)
    answer = client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def confirm(page: Page, button: str, label: str) -> None:
    """Press ``button`` and accept the confirmation dialog's ``label``."""
    page.get_by_role("button", name=button).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=label).click()


def test_a_write_key_is_shown_once_collects_and_stops_when_revoked(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin")
    page.goto("/admin/sources")
    expect(page.get_by_role("row", name=re.compile(r"^crm"))).to_be_visible()
    screenshot(page, "admin-sources", request)

    page.get_by_label("Name", exact=True).fill("kiosk app!")
    page.get_by_label("Trust rank").fill("many")
    page.get_by_role("button", name="Create source").click()
    expect(page.get_by_role("alert")).to_contain_text("Name: use 1 to 64 letters")
    page.get_by_label("Trust rank").fill("30")
    page.get_by_role("button", name="Create source").click()
    expect(page.get_by_role("alert")).to_contain_text("Name: use 1 to 64 letters")
    expect(page.get_by_label("Trust rank")).to_have_value("30")
    page.get_by_label("Name", exact=True).fill("kiosk")
    page.get_by_role("button", name="Create source").click()
    expect(page).to_have_url(re.compile(r"/admin/sources/kiosk\?done=created$"))
    expect(page.get_by_role("status")).to_contain_text("Source kiosk created")

    page.get_by_label("Key name").fill("lobby kiosk")
    page.get_by_role("button", name="Create write key").click()
    expect(page).to_have_url(re.compile(r"/admin/sources/kiosk/write-keys/\d+$"))
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("kw_")
    codes = page.locator("pre code")
    expect(page.get_by_role("heading", name="Segment: analytics-python")).to_be_visible()
    expect(page.get_by_role("heading", name="RudderStack: rudder-sdk-python")).to_be_visible()
    for index in (1, 2):
        expect(codes.nth(index)).to_contain_text(token)
        expect(codes.nth(index)).to_contain_text(demo_server.url)
    expect(page.get_by_role("button", name="Copy key")).to_be_visible()
    screenshot(page, "admin-write-key", request)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the new key's page scrolls sideways at phone width"
    screenshot(page, "admin-write-key-phone", request)

    page.reload()
    expect(page.get_by_role("status")).to_contain_text("shown once")
    assert token not in page.content()

    assert track(demo_server, token, 1).status_code == 200
    late = {"userId": "kiosk-9", "event": "Kiosk Visited", "timestamp": "yesterday"}
    refused = httpx.post(f"{demo_server.url}/v1/track", json=late, headers=basic(token))
    assert refused.status_code == 400

    page.set_viewport_size(DESKTOP)
    page.goto("/admin/sources/kiosk")
    expect(page.get_by_role("row", name=re.compile("invalid_timestamp"))).to_be_visible()
    row = page.get_by_role("row", name=re.compile("lobby kiosk"))
    expect(row).to_contain_text("live")
    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status")).to_contain_text("Write key revoked")
    expect(page.get_by_role("row", name=re.compile("lobby kiosk"))).to_contain_text("revoked")
    assert track(demo_server, token, 2).status_code == 401

    page.goto("/admin/sources")
    expect(page.get_by_role("row", name=re.compile(r"^kiosk"))).to_contain_text("30")


def test_an_admin_adds_changes_and_disables_a_user(
    open_page: OpenPage, browser_page_for: Callable[[], Page], request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin")
    page.goto("/admin/users")
    page.get_by_label("Email", exact=True).fill("new.colleague@example.com")
    page.get_by_label("Name", exact=True).fill("New Colleague")
    page.get_by_label("Role", exact=True).select_option("analyst")
    page.get_by_label("Initial password").fill("short")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Password: a password needs at least 10 characters."
    )
    expect(page.get_by_label("Email", exact=True)).to_have_value("new.colleague@example.com")
    expect(page.get_by_label("Role", exact=True)).to_have_value("analyst")
    page.get_by_label("Initial password").fill("a long enough secret")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_contain_text("User new.colleague@example.com created")

    row = page.get_by_role("row", name=re.compile("new.colleague@example.com"))
    row.get_by_label("Role of new.colleague@example.com").select_option("marketer")
    row.get_by_role("button", name="Change").click()
    expect(page.get_by_role("status")).to_contain_text("new.colleague@example.com is now marketer")

    row = page.get_by_role("row", name=re.compile("new.colleague@example.com"))
    row.get_by_role("button", name="Disable").click()
    page.get_by_role("dialog").get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("status")).to_contain_text("is disabled")
    expect(page.get_by_role("row", name=re.compile("new.colleague"))).to_contain_text("disabled")
    screenshot(page, "admin-users", request)

    other = browser_page_for()
    other.goto("/login")
    other.get_by_label("Email").fill("new.colleague@example.com")
    other.get_by_label("Password").fill("a long enough secret")
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("alert")).to_contain_text("Wrong email or password")

    # the only admin can neither disable nor demote themselves
    me = page.get_by_role("row", name=re.compile("admin@example.com"))
    me.get_by_role("button", name="Disable").click()
    page.get_by_role("dialog").get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("alert")).to_contain_text("last active admin")

    # the audit log holds all three changes, and filters by action
    page.goto("/admin/audit?action=user.role")
    entries = page.locator("table.audit tbody tr")
    expect(entries.first).to_contain_text("analyst → marketer")
    expect(page.locator("table.audit")).not_to_contain_text("user.create")
    target = entries.first.locator("td").nth(3).inner_text().strip()
    page.get_by_role("link", name=target).first.click()
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(3)
    for action in ("user.disable", "user.role", "user.create"):
        expect(page.locator("table.audit")).to_contain_text(action)
    screenshot(page, "admin-audit", request)


def test_an_api_key_is_shown_once_and_revoked(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin")
    page.goto("/admin/users#api-keys")
    page.get_by_label("Key name").fill("quality board")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("alert")).to_contain_text("Scopes: tick at least one scope")
    page.get_by_label("quality.read").check()
    page.get_by_role("button", name="Create API key").click()
    expect(page).to_have_url(re.compile(r"/admin/users/api-keys/\d+$"))
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("ka_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{demo_server.url}/api/v1/quality", headers=bearer).status_code == 200
    assert httpx.get(f"{demo_server.url}/api/v1/users", headers=bearer).status_code == 403
    page.reload()
    assert token not in page.content()

    page.goto("/admin/users")
    row = page.get_by_role("row", name=re.compile("quality board"))
    expect(row).to_contain_text("quality.read")
    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status")).to_contain_text("API key revoked")
    assert httpx.get(f"{demo_server.url}/api/v1/quality", headers=bearer).status_code == 401


def test_bad_audit_filters_are_named(open_page: OpenPage) -> None:
    page, _ = open_page("admin")
    page.goto("/admin/audit?since=2026-13-40&until=yesterday&action=auth.login")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("From: enter a date as YYYY-MM-DD")
    expect(alert).to_contain_text("To: enter a date as YYYY-MM-DD")
    expect(page.get_by_label("Action")).to_have_value("auth.login")
    page.goto("/admin/audit?since=2030-01-02&until=2030-01-01")
    expect(page.get_by_role("alert")).to_contain_text("To: must be on or after From")
    page.goto("/admin/audit?action=auth.login&since=2000-01-01")
    expect(page.locator("table.audit tbody tr").first).to_contain_text("auth.login")
    page.goto("/admin/audit?action=auth.login&until=2000-01-01")
    expect(page.get_by_text("No entries match these filters")).to_be_visible()


def test_agents_get_no_admin_pages_and_visitors_sign_in(demo_server: LiveServer) -> None:
    agent = session(demo_server, "agent")
    for path in ADMIN_PAGES:
        answer = agent.get(path)
        assert answer.status_code == 403, path
        assert "Not allowed" in answer.text
    home = agent.get("/")
    assert home.status_code == 200
    for path in ADMIN_PAGES:
        assert f'href="{path}"' not in home.text
    assert agent.post("/admin/users", data={"email": "x@example.com"}).status_code == 403
    agent.close()
    with httpx.Client(base_url=demo_server.url, timeout=30) as visitor:
        for path in ADMIN_PAGES:
            answer = visitor.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login?next=%2Fadmin%2F")


def test_admin_pages_fit_a_phone(open_page: OpenPage, request: pytest.FixtureRequest) -> None:
    page, _ = open_page("admin", PHONE)
    for path in (*ADMIN_PAGES, "/admin/sources/crm"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at phone width"
        name = path.strip("/").replace("/", "-")
        screenshot(page, f"{name}-phone", request)


def test_admin_pages_at_desktop(open_page: OpenPage, request: pytest.FixtureRequest) -> None:
    page, _ = open_page("admin")
    page.goto("/admin/sources/crm")
    expect(page.get_by_role("heading", name="Write keys")).to_be_visible()
    screenshot(page, "admin-source", request)


@pytest.fixture
def browser_page_for(open_page: OpenPage) -> Callable[[], Page]:
    """Another, signed-out browser page."""

    def make() -> Page:
        page, _ = open_page()
        return page

    return make
