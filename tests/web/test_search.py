"""Finding a customer in the browser: type-ahead by phone in another format, and by name."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]


def test_signed_out_visitor_lands_on_sign_in_and_returns(open_page: OpenPage) -> None:
    page, _ = open_page()
    page.goto("/search?q=Davis")
    expect(page).to_have_url("/login?next=%2Fsearch%3Fq%3DDavis")
    page.get_by_label("Email").fill("agent@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")


def test_phone_in_another_format_finds_the_customer(
    open_page: OpenPage, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("agent")
    box = page.get_by_label("Find a customer")
    box.fill("0044 (113) 386-5083")
    result = page.locator("#results a.result").first
    expect(result).to_contain_text("David Davis")
    expect(result).to_contain_text("+441133865083")
    screenshot(page, "search-phone", request)
    box.press("ArrowDown")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/profiles/\d+$"))


def test_search_works_at_phone_width(open_page: OpenPage, request: pytest.FixtureRequest) -> None:
    page, _ = open_page("agent", PHONE)
    page.get_by_label("Find a customer").fill("Davis")
    expect(page.locator("#results a.result").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at phone width"
    screenshot(page, "search-phone-width", request)


def test_misspelled_name_finds_the_customer_as_a_similar_name(
    open_page: OpenPage, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("agent")
    page.get_by_label("Find a customer").fill("Mustafa Uisal")
    result = page.locator("#results a.result", has_text="Mustafa Uysal").first
    expect(result).to_contain_text("similar name")
    screenshot(page, "search-misspelled", request)
    result.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mustafa Uysal")


def test_analyst_cannot_search_by_personal_data(open_page: OpenPage) -> None:
    page, _ = open_page("analyst")
    page.get_by_label("Find a customer").fill("Davis")
    expect(page.locator("#results [role=alert]")).to_contain_text("profiles.personal")
