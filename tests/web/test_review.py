"""Deciding duplicates in the browser: the queue, one pair by keyboard, the three answers,
bulk decisions, and what a person sees when something is off.

The demo data leaves open review items. Tests in this module share one server, so each
takes pairs no other test touches: open items whose records appear in no other item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Page, expect

from kimlik.identity import review
from kimlik.identity.decisions import list_decisions, never_merge
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.review import ReviewItem
from tests.server.conftest import PASSWORD, LiveServer
from tests.web.conftest import PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]


def lone_pairs(live: LiveServer, count: int) -> list[ReviewItem]:
    """``count`` open items, strongest first, whose records appear in no other item and
    no active decision."""
    everything = review.review_list(live.engine, "all", 10_000)
    seen = Counter(rid for item in everything for rid in (item.left.rid, item.right.rid))
    for decision in list_decisions(live.engine, active_only=True, limit=10_000):
        seen.update([decision.left.rid, decision.right.rid])
    lone = [
        item
        for item in everything
        if item.status == "open" and seen[item.left.rid] == seen[item.right.rid] == 1
    ]
    assert len(lone) >= count, "the demo data has too few open review items left"
    return lone[:count]


def status_of(live: LiveServer, item: int) -> str:
    return review.review_pair(live.engine, item).item.status


@contextmanager
def signed_in(live: LiveServer, role: str) -> Iterator[httpx.Client]:
    """A plain HTTP client with ``role``'s session cookie, as a browser without script."""
    with httpx.Client(base_url=live.url, timeout=30, follow_redirects=False) as client:
        login = {"email": f"{role}@example.com", "password": PASSWORD}
        assert client.post("/login", data=login).status_code == 303
        yield client


def csrf_of(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_queue_lists_pairs_strongest_first(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("agent")
    page.get_by_role("link", name="Duplicates").click()
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.get_by_role("heading", name="Duplicates to review")).to_be_visible()
    rows = page.locator("table.queue tbody tr")
    expect(rows.first).to_be_visible()
    first = review.review_list(demo_server.engine, "open", 1)[0]
    expect(rows.first).to_contain_text(first.left.label)
    expect(rows.first).to_contain_text(first.right.label)
    expect(rows.first).to_contain_text(f"weight {first.weight:.2f}")
    screenshot(page, "review-queue", request)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the queue scrolls sideways at phone width"
    screenshot(page, "review-queue-phone", request)


def test_accept_by_keyboard_merges_and_moves_on(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    (pair,) = lone_pairs(demo_server, 1)
    page, _ = open_page("agent")
    page.goto(f"/review/{pair.id}")
    expect(page.get_by_role("heading", name=f"Pair #{pair.id}")).to_be_visible()
    table = page.locator("table.compare")
    expect(table).to_contain_text(pair.left.record_id)
    expect(table).to_contain_text(pair.right.record_id)
    expect(page.locator(".evidence")).to_contain_text("first_name:")
    expect(page.locator("#shortcuts")).to_contain_text("Never merge")
    screenshot(page, "review-pair", request)
    page.keyboard.press("a")
    expect(page.get_by_role("status").first).to_contain_text(f"Pair #{pair.id} accepted")
    expect(page).not_to_have_url(re.compile(rf"/review/{pair.id}$"))
    expect(page).to_have_url(re.compile(r"/review/\d+$"))
    expect(page.get_by_role("button", name=re.compile("^Accept"))).to_be_visible()
    after = review.review_pair(demo_server.engine, pair.id).item
    assert after.status == "accepted"
    assert after.left.profile_id is not None and after.left.profile_id == after.right.profile_id
    # The pair just decided is closed: its page says so and offers no decision.
    page.goto(f"/review/{pair.id}")
    expect(page.get_by_role("status").first).to_contain_text("already decided: accepted")
    expect(page.get_by_role("button", name=re.compile("^Accept"))).to_have_count(0)


def test_reject_closes_without_a_pin_and_undo_reopens(
    open_page: OpenPage, demo_server: LiveServer
) -> None:
    (pair,) = lone_pairs(demo_server, 1)
    page, _ = open_page("agent")
    page.goto(f"/review/{pair.id}")
    page.get_by_role("button", name=re.compile("^Reject")).click()
    note = page.get_by_role("status").first
    expect(note).to_contain_text(f"Pair #{pair.id} rejected")
    assert status_of(demo_server, pair.id) == "dismissed"
    after = review.review_pair(demo_server.engine, pair.id).item
    assert after.left.profile_id != after.right.profile_id
    pinned = {(d.left.rid, d.right.rid) for d in list_decisions(demo_server.engine)}
    assert (pair.left.rid, pair.right.rid) not in pinned


def test_never_merge_then_undo(open_page: OpenPage, demo_server: LiveServer) -> None:
    (pair,) = lone_pairs(demo_server, 1)
    page, _ = open_page("admin")
    page.goto(f"/review/{pair.id}")
    page.keyboard.press("n")
    expect(page.get_by_role("status").first).to_contain_text("kept apart for good")
    assert status_of(demo_server, pair.id) == "rejected"
    page.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(re.compile(rf"/review/{pair.id}$"))
    expect(page.get_by_role("status").first).to_contain_text(f"pair #{pair.id} is open again")
    assert status_of(demo_server, pair.id) == "open"


def test_skip_and_previous_keys_walk_the_queue(
    open_page: OpenPage, demo_server: LiveServer
) -> None:
    first, second = review.review_list(demo_server.engine, "open", 2)
    page, _ = open_page("agent")
    page.goto(f"/review/{first.id}")
    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(rf"/review/{second.id}$"))
    page.keyboard.press("k")
    expect(page).to_have_url(re.compile(rf"/review/{first.id}$"))
    page.keyboard.press("s")
    expect(page).to_have_url(re.compile(rf"/review/{second.id}$"))
    page.keyboard.press("?")
    expect(page.locator("#shortcuts dl")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts dl")).to_be_visible()


def test_bulk_merge_two_pairs_after_confirming(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    pairs = lone_pairs(demo_server, 2)
    page, _ = open_page("agent")
    page.goto("/review")
    page.get_by_role("button", name="Same person (merge)").click()
    expect(page.locator("#bulk-count")).to_contain_text("Select at least one pair")
    for pair in pairs:
        page.get_by_label(f"Select pair #{pair.id}").check()
    expect(page.locator("#bulk-count")).to_have_text("2 pairs selected")
    page.get_by_role("button", name="Same person (merge)").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("2 pairs will be merged")
    dialog.get_by_role("button", name="Yes, merge 2 pairs").click()
    summary = page.locator(".bulk-summary")
    expect(summary).to_contain_text("2 pairs merged")
    screenshot(page, "review-bulk-done", request)
    for pair in pairs:
        after = review.review_pair(demo_server.engine, pair.id).item
        assert after.status == "accepted" and after.left.profile_id == after.right.profile_id


def test_bulk_reports_failures_and_works_without_script(demo_server: LiveServer) -> None:
    """Without script the confirmation is a page of its own; a pair kept apart for good
    fails to merge and the summary names it and why."""
    kept, fine = lone_pairs(demo_server, 2)
    # someone kept the records apart outside the queue: the item stays open
    never_merge(
        demo_server.engine, engine_settings(demo_server.settings), str(kept.left.rid),
        str(kept.right.rid), "someone-else",
    )  # fmt: skip
    assert status_of(demo_server, kept.id) == "open"
    with signed_in(demo_server, "agent") as client:
        token = csrf_of(client, "/review")
        form = {"csrf_token": token, "action": "merge", "item": [str(kept.id), str(fine.id)]}
        asked = client.post("/review/bulk", data=form)
        assert asked.status_code == 200 and "Merge 2 pairs?" in asked.text
        done = client.post("/review/bulk", data={**form, "confirmed": "yes"})
        assert done.status_code == 303 and done.headers["location"] == "/review"
        summary = client.get("/review").text
        assert "1 pair merged" in summary and "1 could not be merged" in summary
        assert f"Pair #{kept.id}</a>: cannot merge review item {kept.id}" in summary
        assert "never-merge decision" in summary
        # the message shows once
        assert "1 pair merged" not in client.get("/review").text
    assert status_of(demo_server, kept.id) == "open"
    assert status_of(demo_server, fine.id) == "accepted"


def test_bad_input_gets_clear_messages(demo_server: LiveServer) -> None:
    with signed_in(demo_server, "agent") as client:
        token = csrf_of(client, "/review")
        missing = client.get("/review/987654")
        assert missing.status_code == 404 and "no review item 987654" in missing.text
        assert client.get("/review/not-a-number").status_code == 422
        stale = client.get("/review", params={"cursor": "bogus"})
        assert stale.status_code == 200 and "no longer exists" in stale.text
        empty = client.post("/review/bulk", data={"csrf_token": token, "action": "merge"})
        assert empty.status_code == 303
        assert "Select at least one pair first" in client.get("/review").text
        odd = {"csrf_token": token, "action": "merge", "item": ["12; drop"]}
        client.post("/review/bulk", data=odd)
        assert "is not a review item number" in client.get("/review").text
        nothing = client.post(
            "/review/bulk", data={"csrf_token": token, "action": "explode", "item": ["1"]}
        )
        assert nothing.status_code == 303
        assert "Choose Same person (merge) or Different people" in client.get("/review").text
        # a pair someone decided meanwhile: the page says so and changes nothing
        everything = review.review_list(demo_server.engine, "all", 10_000)
        closed = next((i for i in everything if i.status != "open"), None)
        if closed is None:
            closed = lone_pairs(demo_server, 1)[0]
            review.review_dismiss(demo_server.engine, closed.id, "someone-else")
        status = status_of(demo_server, closed.id)
        late = client.post(f"/review/{closed.id}/accept", data={"csrf_token": token})
        assert late.status_code == 303 and late.headers["location"] == f"/review/{closed.id}"
        shown = client.get(f"/review/{closed.id}").text
        assert f"review item {closed.id} is already {status}" in shown
        assert "This pair was already decided" in shown and 'action="/review/' not in shown
        assert status_of(demo_server, closed.id) == status
        forged = client.post("/review/1/accept", data={"csrf_token": "nope"})
        assert forged.status_code == 403
        unknown = client.post("/review/1/explode", data={"csrf_token": token})
        assert unknown.status_code == 404


@pytest.mark.parametrize("role", ["analyst", "marketer"])
def test_roles_without_identity_decide_get_403_and_no_menu_entry(
    open_page: OpenPage, role: str
) -> None:
    page, _ = open_page(role)
    expect(page.get_by_role("link", name="Duplicates")).to_have_count(0)
    answer = page.goto("/review")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    answer = page.goto("/review/1")
    assert answer is not None and answer.status == 403


def test_signed_out_lands_on_sign_in(open_page: OpenPage) -> None:
    page, _ = open_page()
    page.goto("/review/1")
    expect(page).to_have_url("/login?next=%2Freview%2F1")


def test_pair_page_at_phone_width(
    open_page: OpenPage, demo_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    first = review.review_list(demo_server.engine, "open", 1)[0]
    page, _ = open_page("agent", PHONE)
    page.goto(f"/review/{first.id}")
    expect(page.get_by_role("button", name=re.compile("^Never merge"))).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the pair page scrolls sideways at phone width"
    screenshot(page, "review-pair-phone", request)
