"""The data-quality page in the browser: the demo's figures, masking by role, refreshing."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Page, expect

from kimlik.quality.service import QualityReport, build_report
from kimlik.quality.snapshot import Snapshot
from kimlik.web.quality_pages import STALE_DAYS, freshness, summarize
from kimlik.web.templating import percent
from tests.server.conftest import PASSWORD, LiveServer
from tests.web.conftest import PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]


@pytest.fixture(scope="module", autouse=True)
def sdk_events(demo_server: LiveServer) -> Iterator[None]:
    """A few SDK events on the ``web`` source (the demo has none), before any report."""
    basic = base64.b64encode(f"{demo_server.write_key}:".encode()).decode()
    batch = [
        {"type": "track", "event": "Viewed", "userId": "quality-user", "messageId": "q-1"},
        {"type": "page", "anonymousId": "quality-visitor", "messageId": "q-2"},
    ]
    reply = httpx.post(
        f"{demo_server.url}/v1/batch",
        json={"batch": batch},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert reply.status_code == 200, reply.text
    yield


def report_of(demo_server: LiveServer) -> QualityReport:
    return build_report(demo_server.engine)


def wait_for_report(page: Page) -> None:
    """The first visit starts the build; the page fills in by itself when it is done."""
    page.goto("/quality")
    expect(page.locator("#quality-report .asof time")).to_be_visible(timeout=30_000)


@contextmanager
def signed_in_client(demo_server: LiveServer, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_server.url, timeout=30) as client:
        answer = client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
        assert answer.status_code == 303
        yield client


def test_analyst_sees_the_demo_figures_and_masked_identifiers(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("analyst")
    wait_for_report(page)
    report = report_of(demo_server)
    people = {
        s.source: next(k for k in s.kinds if k.kind == "people")
        for s in report.sources
        if any(k.kind == "people" for k in s.kinds)
    }
    matrix = page.locator("table.matrix")
    headings = [text.split()[0] for text in matrix.locator("thead th").all_inner_texts()][1:]
    assert headings == sorted(people), "one column per source with people records"
    for source, attribute in (("crm", "email"), ("webshop", "phone"), ("support", "company")):
        figures = next(a for a in people[source].attributes if a.attribute == attribute)
        header = page.get_by_role("rowheader", name=attribute, exact=True)
        row = matrix.locator("tbody tr").filter(has=header)
        cell = row.locator("td").nth(headings.index(source))
        expect(cell).to_contain_text(percent(figures.completeness))
        if figures.invalid:
            expect(cell).to_contain_text(f"{figures.invalid} invalid")
    totals = page.get_by_label("Totals")
    records = sum(k.records for s in report.sources for k in s.kinds)
    expect(totals).to_contain_text(f"{records:,}".replace(",", "\u202f"))
    chart = page.get_by_role("img", name="Rejected rows by reason")
    expect(chart).to_be_visible()
    for code in {c for s in report.sources for k in s.kinds for c in k.rejected}:
        expect(chart).to_contain_text(code)
        expect(page.locator("#quality-report table").filter(has_text=code)).to_be_visible()
    values = page.locator("#quality-report td.value")
    expect(values.first).to_have_text("•••")
    assert set(values.all_inner_texts()) == {"•••"}
    expect(page.get_by_text("Values are hidden")).to_be_visible()
    events = page.locator("section[aria-labelledby=events-h] tbody tr").filter(has_text="web")
    expect(events).to_contain_text("2")
    page.locator("details.source summary").first.click()
    screenshot(page, "quality-analyst", request)


def test_marketer_sees_shared_identifiers_unmasked(
    open_page: OpenPage, demo_server: LiveServer
) -> None:
    page, _ = open_page("marketer")
    wait_for_report(page)
    emails = next(group for group in report_of(demo_server).shared if group.identifier == "email")
    first = page.locator("section[aria-labelledby=shared-h] .panel").first
    expect(first).to_contain_text(f"{emails.shared} values shared by {emails.records} records")
    expect(first.locator("td.value").first).to_have_text(emails.top[0].value)
    expect(page.get_by_text("Values are hidden")).to_have_count(0)


def test_refresh_builds_a_new_report_and_the_page_shows_it(open_page: OpenPage) -> None:
    page, _ = open_page("admin")
    wait_for_report(page)
    before = page.locator("#quality-report .asof time").get_attribute("datetime")
    page.get_by_role("button", name="Refresh now").click()
    expect(page.locator("#quality-report .asof time")).not_to_have_attribute(
        "datetime", before or "", timeout=30_000
    )
    expect(page.locator("#quality-status")).not_to_have_attribute("data-poll", re.compile("."))


def test_the_page_works_at_phone_width(open_page: OpenPage, request: pytest.FixtureRequest) -> None:
    page, _ = open_page("marketer", PHONE)
    wait_for_report(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at phone width"
    screenshot(page, "quality-phone", request)


def test_an_agent_gets_the_not_allowed_page_and_no_menu_item(open_page: OpenPage) -> None:
    page, _ = open_page("agent")
    expect(page.get_by_role("link", name="Data quality")).to_have_count(0)
    answer = page.goto("/quality")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_signed_out_visitors_are_sent_to_sign_in(open_page: OpenPage) -> None:
    page, _ = open_page()
    page.goto("/quality")
    expect(page).to_have_url("/login?next=%2Fquality")


def test_refresh_needs_the_form_token_and_the_permission(demo_server: LiveServer) -> None:
    with signed_in_client(demo_server, "analyst") as client:
        forged = client.post("/quality/refresh", data={"csrf_token": "not it"})
        assert forged.status_code == 403
        assert "out of date" in forged.text
        too_long = client.get("/quality/status", params={"since": "x" * 65})
        assert too_long.status_code == 422
        assert "<html" in too_long.text
    with signed_in_client(demo_server, "agent") as client:
        for answer in (client.get("/quality/status"), client.get("/quality/report")):
            assert answer.status_code == 403


def test_stale_sources_are_flagged_after_a_week() -> None:
    now = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
    assert freshness(None, now).stale
    assert freshness(now - dt.timedelta(days=STALE_DAYS), now).days == STALE_DAYS
    assert not freshness(now - dt.timedelta(days=STALE_DAYS), now).stale
    assert freshness(now - dt.timedelta(days=STALE_DAYS + 1), now).stale
    assert freshness(now + dt.timedelta(hours=1), now).days == 0  # clocks disagree a little


def test_an_empty_store_summarizes_to_zeros() -> None:
    report = QualityReport(generated_at=dt.datetime(2026, 6, 30, tzinfo=dt.UTC), sources=[],
                           shared=[])  # fmt: skip
    view = summarize(Snapshot(report, 0, 0.01), report.to_json(), masked=True)
    assert view["totals"] == {
        "records": 0, "people": 0, "profiles": 0, "sources": 0, "rejected": 0, "events": 0
    }  # fmt: skip
    assert view["reasons_chart"] is None
    assert view["matrix"]["rows"] == []
