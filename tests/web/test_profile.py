"""The customer 360 page in the browser: lineage, records side by side, the timeline's
filters and pages, merging and splitting with a confirmation, masking, bad input.

Tests share one demo server per backend, so each uses its own customers (by record id,
which leads to the same person whatever profile number the backend gave them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Page, expect

from kimlik.web.templating import environment
from kimlik.web.timeline_view import ACTIONS, ENTRY_LABELS, KIND_LABELS, event_pairs
from tests.server.conftest import PASSWORD, LiveServer
from tests.web.conftest import PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]


def open_profile(page: Page, record: str) -> int:
    """Open the profile holding ``record`` (``source:record_id``); its number."""
    page.goto(f"/profiles/{record}")
    expect(page).to_have_url(re.compile(r"/profiles/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


@contextmanager
def client(server: LiveServer, role: str) -> Iterator[httpx.Client]:
    """An HTTP client signed in as ``role`` (for status codes and raw HTML)."""
    with httpx.Client(base_url=server.url) as session:
        sign = {"email": f"{role}@example.com", "password": PASSWORD}
        assert session.post("/login", data=sign).status_code == 303
        yield session


def test_open_a_customer_from_search_and_read_where_a_value_came_from(
    open_page: OpenPage, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("agent")
    page.get_by_label("Find a customer").fill("Davis")
    page.locator("#results a.result", has_text="David Davis").first.click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("David Davis")
    figures = page.locator("dl.figures")
    expect(figures).to_contain_text("Orders6")
    expect(figures).to_contain_text("495.98 GBP")
    expect(figures).to_contain_text("First seen2021-10-12")
    golden = page.locator("table.golden")
    first_name = golden.locator("tr", has=page.locator("th", has_text="First name"))
    expect(first_name.locator("td.value")).to_have_text("David")
    lineage = first_name.locator("details")
    expect(lineage.locator("p").first).to_be_hidden()
    first_name.locator("summary").click()
    expect(lineage).to_contain_text("crm/C100111")
    expect(lineage).to_contain_text("(most_trusted)")
    expect(lineage).to_contain_text("the most trusted source")
    # keyboard: the next lineage opens with Enter
    last_name = golden.locator("tr", has=page.locator("th", has_text="Last name"))
    last_name.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(last_name.locator("details")).to_have_attribute("open", "")
    identities = page.locator("table.identities")
    expect(identities).to_contain_text("daviddavis@outlook.com")
    members = page.locator("table.members")
    expect(members.locator("thead th")).to_have_count(6)
    differs = members.locator("tr.differs")
    expect(differs.first).to_contain_text("(records differ)")
    expect(members.locator("tr.differs", has_text="Street")).to_have_count(1)
    expect(members.locator("tr:not(.differs)", has_text="Last name")).to_have_count(1)
    entries = page.locator("#timeline-entries > li")
    expect(entries).to_have_count(14)
    expect(entries.first).to_contain_text("Profile created")  # newest first
    expect(page.locator(".entry-interaction").first).to_contain_text("agent Tom")
    screenshot(page, "profile-desktop", request)


def test_the_page_fits_a_phone(open_page: OpenPage, request: pytest.FixtureRequest) -> None:
    page, _ = open_page("agent", PHONE)
    open_profile(page, "crm:C100111")
    expect(page.get_by_role("heading", level=1)).to_have_text("David Davis")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at phone width"
    wrap = page.locator("#records .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth"), "records scroll in their box"
    screenshot(page, "profile-phone", request)


def test_timeline_filters_by_kind_and_dates_and_order(open_page: OpenPage) -> None:
    page, _ = open_page("agent")
    pid = open_profile(page, "crm:C100111")
    form = page.locator("form.timeline-filters")
    for kind in ("Interactions", "Feedback", "Consents", "Tracked events", "Merges and changes"):
        form.get_by_label(kind).uncheck()
    form.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"/profiles/{pid}\?kind=order"))
    entries = page.locator("#timeline-entries > li")
    expect(entries).to_have_count(6)
    expect(page.locator("#timeline-entries > li.entry-order")).to_have_count(6)
    expect(entries.first).to_contain_text("GBP")
    expect(entries.first).to_contain_text("item")
    bought = page.locator("#timeline-entries > li", has_text="O-7173").locator("details.lines")
    bought.locator("summary").click()
    expect(bought.locator("tbody tr").first).to_be_visible()
    quantities = bought.locator("tbody td:nth-child(3)").all_inner_texts()
    assert sum(int(q) for q in quantities) == 7  # the entry's "7 items"
    form = page.locator("form.timeline-filters")
    form.get_by_label("From").fill("2024-01-01")
    form.get_by_label("To").fill("2024-12-31")
    form.get_by_role("button", name="Apply").click()
    times = page.locator("#timeline-entries time").evaluate_all(
        "items => items.map(t => t.getAttribute('datetime'))"
    )
    assert times and all(moment.startswith("2024") for moment in times)
    assert times == sorted(times, reverse=True)
    expect(page.locator("#timeline-entries > li.entry-order")).to_have_count(len(times))
    page.get_by_role("link", name="Show oldest first").click()
    expect(page.get_by_label("Order", exact=True)).to_have_value("asc")
    oldest = page.locator("#timeline-entries time").evaluate_all(
        "items => items.map(t => t.getAttribute('datetime'))"
    )
    assert oldest == sorted(times)
    expect(page.locator("form.timeline-filters").get_by_label("Orders")).to_be_checked()
    expect(page.locator("form.timeline-filters").get_by_label("Consents")).not_to_be_checked()


def test_timeline_pages_with_and_without_script(open_page: OpenPage, browser: object) -> None:
    page, _ = open_page("agent")
    pid = open_profile(page, "crm:C100111")
    page.get_by_label("Per page").select_option("10")
    page.locator("form.timeline-filters").get_by_role("button", name="Apply").click()
    entries = page.locator("#timeline-entries > li")
    expect(entries).to_have_count(10)
    more = page.get_by_role("link", name="Show more")
    href = more.get_attribute("href")
    assert href is not None and "cursor=" in href
    more.click()
    expect(entries).to_have_count(14)
    expect(page.locator("#timeline-live")).to_have_text("4 more entries shown.")
    expect(entries.nth(10)).to_be_focused()
    expect(page.get_by_text("End of the timeline.")).to_be_visible()
    times = entries.locator("time").evaluate_all("t => t.map(e => e.getAttribute('datetime'))")
    assert times == sorted(times, reverse=True), "appended entries continue the order"
    # without the script the link opens the next page
    page.goto(href)
    expect(page).to_have_url(re.compile(rf"/profiles/{pid}\?.*cursor="))
    expect(entries).to_have_count(4)
    expect(page.get_by_role("link", name="Back to the start")).to_be_visible()


def test_bad_timeline_input_is_explained_on_the_page(open_page: OpenPage) -> None:
    page, _ = open_page("marketer")
    pid = open_profile(page, "crm:C100087")
    answer = page.goto(f"/profiles/{pid}?from=2024-05-01&to=2024-01-01")
    assert answer is not None and answer.status == 200
    problems = page.locator("#timeline-problems")
    expect(problems).to_contain_text("To: 2024-01-01 is before the from-date 2024-05-01")
    page.goto(f"/profiles/{pid}?from=31.12.2024&kind=gossip&limit=7")
    expect(problems).to_contain_text("From: “31.12.2024” is not a date; write it as YYYY-MM-DD")
    expect(problems).to_contain_text("“gossip” is not a kind of entry")
    expect(problems).to_contain_text("Entries per page: choose 10, 25, 50, 100")
    expect(page.locator("#timeline-entries > li").first).to_be_visible()  # the rest still shows
    page.goto(f"/profiles/{pid}?cursor=not-a-cursor")
    expect(problems).to_contain_text("not a cursor this server gave out")
    expect(page.locator("h1")).to_have_text("Hüseyin Kaplan")


def test_feedback_shows_its_survey_and_score(open_page: OpenPage) -> None:
    page, _ = open_page("agent")
    pid = open_profile(page, "crm:C100087")
    page.goto(f"/profiles/{pid}?kind=feedback")
    entry = page.locator("#timeline-entries > li.entry-feedback").first
    expect(entry).to_contain_text("NPS")
    expect(entry.locator(".badge.score")).to_contain_text("score")
    expect(page.locator("dl.figures")).to_contain_text("Latest NPS")


def test_merge_with_confirmation_then_split_a_record_off(
    open_page: OpenPage, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("agent")
    doris = open_profile(page, "crm:C100015")
    ufuk = open_profile(page, "crm:C100039")
    kept, absorbed = min(doris, ufuk), max(doris, ufuk)
    page.get_by_text("Merge with another profile…").click()
    page.get_by_label("Other profile number").fill(str(doris))
    page.get_by_role("button", name="Review merge").click()
    expect(page).to_have_url(re.compile(rf"/profiles/{ufuk}/merge\?other={doris}$"))
    what = page.locator("#what-happens")
    absorbed_name = "Ufuk Kaya" if absorbed == ufuk else "Doris Myers"
    expect(what).to_contain_text(
        f"Profile {absorbed} ({absorbed_name}, 3 records) will be merged into profile {kept}"
    )
    expect(what).to_contain_text("can be undone by splitting")
    expect(page.locator(".pair .card")).to_have_count(2)
    expect(page.locator(".pair")).to_contain_text("crm/C100015")
    expect(page.locator(".pair")).to_contain_text("crm/C100039")
    screenshot(page, "profile-merge-confirm", request)
    page.get_by_label("Reason").fill("same person, two accounts")
    page.get_by_role("button", name=f"Merge profile {absorbed} into {kept}").click()
    expect(page).to_have_url(re.compile(rf"/profiles/{kept}\?merged={absorbed}$"))
    expect(page.locator("p.success")).to_contain_text(
        f"Profile {absorbed} was merged into profile {kept}"
    )
    expect(page.locator(".facts-line")).to_contain_text("6 records")
    expect(page.locator("#timeline-entries")).to_contain_text("Merged by a person")
    # the old number leads here, with a notice
    page.goto(f"/profiles/{absorbed}")
    expect(page).to_have_url(re.compile(rf"/profiles/{kept}\?from={absorbed}$"))
    expect(page.locator("p.notice")).to_contain_text(
        f"Profile {absorbed} was merged into profile {kept}"
    )
    # split Ufuk's CRM record off again
    page.get_by_label("Split off crm/C100039").check()
    page.get_by_role("button", name="Review split…").click()
    what = page.locator("#what-happens")
    expect(what).to_contain_text("Record crm/C100039 will leave profile")
    expect(what).to_contain_text("kept apart from the other records")
    expect(page.get_by_role("table", name="Moving to a new profile")).to_contain_text("Ufuk")
    expect(page.get_by_role("table", name=f"Staying in profile {kept}")).to_contain_text("Doris")
    screenshot(page, "profile-split-confirm", request)
    page.get_by_role("button", name="Split off 1 record").click()
    expect(page).to_have_url(re.compile(rf"/profiles/{kept}\?split=\d+$"))
    expect(page.locator("p.success")).to_contain_text("Split off into new profile")
    expect(page.locator(".facts-line")).to_contain_text("5 records")
    new = int(page.url.rsplit("=", 1)[1])
    expect(page.locator("p.success a")).to_have_attribute("href", f"/profiles/{new}")
    # merging it back is refused: the split keeps it apart for good
    page.goto(f"/profiles/{kept}/merge?other={new}")
    page.get_by_role("button", name=re.compile("^Merge profile")).click()
    expect(page.get_by_role("alert")).to_contain_text("Cannot merge")
    expect(page.get_by_role("alert")).to_contain_text("apart")
    expect(page.get_by_label("Reason")).to_be_visible()


def test_merge_refuses_bad_profile_numbers(open_page: OpenPage, demo_server: LiveServer) -> None:
    page, _ = open_page("admin")
    lale = open_profile(page, "crm:C100072")
    cases = {
        str(lale): "a profile cannot merge with itself",
        "abc": "“abc” is not a profile number",
        "": "enter the number of the profile to merge with",
        "999999999": "no profile",
    }
    for typed, message in cases.items():
        answer = page.goto(f"/profiles/{lale}/merge?other={typed}")
        assert answer is not None and answer.status == 422
        expect(page.get_by_role("alert")).to_contain_text(message)
        expect(page.get_by_label("Other profile number")).to_have_value(typed)
    with client(demo_server, "agent") as session:
        _refused_posts(session, lale)


def _refused_posts(session: httpx.Client, lale: int) -> None:
    form = session.get(f"/profiles/{lale}/merge?other=1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"csrf_token": token.group(1), "other": str(lale)}
    answer = session.post(f"/profiles/{lale}/merge", data=data)
    assert answer.status_code == 422 and "cannot merge with itself" in answer.text
    answer = session.post(
        f"/profiles/{lale}/merge", data={**data, "other": "1", "reason": "x" * 2001}
    )
    assert answer.status_code == 422 and "Reason: at most 2000 characters" in answer.text
    answer = session.post(f"/profiles/{lale}/merge", data={"other": "1"})
    assert answer.status_code == 403, "a form without the CSRF token is refused"
    split = session.get(f"/profiles/{lale}/unmerge")
    assert split.status_code == 422 and "choose at least one record" in split.text
    split = session.get(f"/profiles/{lale}/unmerge?record=123456789")
    assert split.status_code == 422 and "is not in profile" in split.text


def test_analyst_sees_masked_values_and_cannot_merge(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    agent, _ = open_page("agent")
    pid = open_profile(agent, "crm:C100097")
    page, _ = open_page("analyst")
    page.goto(f"/profiles/{pid}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Profile {pid}")
    expect(page.get_by_text("Personal data hidden for your role")).to_be_visible()
    email = page.locator("table.golden tr", has=page.locator("th", has_text="Email"))
    expect(email.locator("td.value")).to_have_text("•••")
    email.locator("summary").click()
    expect(email.locator("details")).to_contain_text("/•••")
    expect(page.get_by_text("Merge with another profile…")).to_have_count(0)
    expect(page.locator("input[name=record]")).to_have_count(0)
    expect(page.locator("table.members")).not_to_contain_text("Alper")
    screenshot(page, "profile-analyst", request)
    with client(demo_server, "analyst") as session:
        assert session.get(f"/profiles/{pid}/merge?other=1").status_code == 403
        assert session.get(f"/profiles/{pid}/unmerge?record=1").status_code == 403
        assert session.get("/profiles/crm:C100097").status_code == 403  # by a record id


def test_unknown_profile_signed_out_and_no_permission(demo_server: LiveServer) -> None:
    with client(demo_server, "agent") as session:
        missing = session.get("/profiles/999999999")
        assert missing.status_code == 404 and "Not found" in missing.text
        assert session.get("/profiles/999999999/timeline").status_code == 404
        assert session.get("/profiles/0").status_code == 404
    with httpx.Client(base_url=demo_server.url) as anonymous:
        answer = anonymous.get("/profiles/1?kind=order")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=%2Fprofiles%2F1%3Fkind%3Dorder"
        assert anonymous.post("/profiles/1/merge", data={"other": "2"}).status_code == 303


def test_every_kind_of_entry_reads_well() -> None:
    """Entries the demo data lacks (tracked events), rendered from API-shaped data."""
    at = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC).isoformat()
    entries = [
        {"at": at, "kind": "order", "source": "webshop", "record_id": "O-1",
         "details": {"total": "12.50", "currency": "EUR", "status": "refunded", "channel": "web",
                     "items": 2}},
        {"at": at, "kind": "interaction", "source": "support", "record_id": "T-1",
         "details": {"channel": "chat", "department": "Billing", "agent": "Ece",
                     "reason": "Invoice", "outcome": "Solved"}},
        {"at": at, "kind": "feedback", "source": "survey", "record_id": "R-1",
         "details": {"survey": "NPS", "question": "Recommend us?", "score": 4,
                     "comment": "slow <b>delivery</b>"}},
        {"at": at, "kind": "consent", "source": "crm", "record_id": "•••",
         "details": {"purpose": "marketing", "channel": "email", "status": "granted"}},
        {"at": at, "kind": "event", "source": "web", "record_id": "m-1",
         "details": {"type": "track", "event": "Product Viewed",
                     "properties": {"sku": "SKU-1", "price": 9.5}}},
        {"at": at, "kind": "profile", "source": None, "record_id": None,
         "details": {"action": "manual_merge", "profile_id": 3, "other_profile_id": 9,
                     "actor": "agent@example.com", "records": 2}},
        {"at": None, "kind": "order", "source": "pos", "record_id": "P-1",
         "details": {"total": None, "currency": None, "status": None, "channel": None,
                     "items": 1}},
    ]  # fmt: skip
    html = environment().get_template("_timeline_entries.html").render(
        entries=entries, entry_labels=ENTRY_LABELS, kind_labels=KIND_LABELS, actions=ACTIONS,
        event_pairs=event_pairs,
    )  # fmt: skip
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for expected in (
        "12.50 EUR", "2 items", "refunded", "Invoice", "→ Solved", "agent Ece",
        "score 4", "slow &lt;b&gt;delivery&lt;/b&gt;", "marketing by email", "granted",
        "Product Viewed", "sku SKU-1", "Merged by a person", "by agent@example.com",
        "No date", "1 item",
    ):  # fmt: skip
        assert expected in text, expected
    assert 'href="/profiles/9"' in html and 'class="badge bad">refunded' in html
