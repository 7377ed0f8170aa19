"""Every page passes axe-core's WCAG 2.1 A/AA checks (labels, contrast, landmarks, names).

axe-core ships inside the ``axe-playwright-python`` wheel and is injected by the test
browser (the pages themselves load nothing foreign). Each page is checked at desktop
and at phone width, signed in as the role that sees the most of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.web.conftest import DESKTOP, PHONE, Watch

OpenPage = Callable[..., tuple[Page, Watch]]
#: (role, address) of each page to check; None role: signed out.
PAGES = [
    (None, "/login"),
    ("agent", "/"),
    ("agent", "/search?q=Davis"),
    ("agent", "/profiles/1"),
    ("analyst", "/profiles/1"),
    ("agent", "/profiles/1/merge?other=2"),
    ("agent", "/profiles/1/unmerge"),
    ("agent", "/review"),
    ("agent", "first pair of /review"),
    ("admin", "/imports"),
    ("admin", "/imports/new"),
    ("analyst", "/quality"),
    ("admin", "/admin/sources"),
    ("admin", "/admin/sources/crm"),
    ("admin", "/admin/users"),
    ("admin", "/admin/audit"),
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_pages_have_no_accessibility_violations(
    open_page: OpenPage, viewport: dict[str, int]
) -> None:
    axe = Axe()
    problems = {}
    for role, address in PAGES:
        page, _ = open_page(role, viewport)
        if address.startswith("first pair of "):
            page.goto(address.removeprefix("first pair of "))
            page.locator('a[href^="/review/"]').first.click()
            page.wait_for_url(re.compile(r"/review/\d+"))
        else:
            page.goto(address)
        page.wait_for_load_state("networkidle")
        results = axe.run(page, options=WCAG)
        if results.violations_count:
            problems[address] = results.generate_snapshot()
        page.context.close()
    assert problems == {}, "\n".join(f"{a}:\n{s}" for a, s in problems.items())
