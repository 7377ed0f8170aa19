"""Importing a file in the browser: upload, check the mapping, run, watch, read the result.

An operations lead uploads last month's point-of-sale export: the preview shows each
column's attribute and the first rows standardized, with the values the cleaner flags;
one column is remapped; the run is followed to its end and the rejected row is listed
with its row number and reason. Roles without ``imports.run`` or ``imports.read`` are
refused, and bad uploads are answered on the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.server.conftest import PASSWORD, LiveServer
from tests.web.conftest import PHONE, Watch, screenshot

OpenPage = Callable[..., tuple[Page, Watch]]

POS_EXPORT = (
    "Müşteri No,Ad Soyad,E-posta,Cep,Doğum Tarihi,Mağaza\n"
    "P-9001,AYŞE KARACA,Ayse.Karaca@Example.COM,0532 111 22 33,12.03.1985,Kadıköy\n"
    "P-9002,mehmet öztürk,mehmet.ozturk@example.com,0533 222 33 44,31.02.1990,Beşiktaş\n"
    ",,not-an-email,,,Üsküdar\n"
    "P-9004,zeynep aksoy,zeynep.aksoy@example.com,0534 333 44 55,1992-07-01,Kadıköy\n"
)


@pytest.fixture(scope="module")
def uploads_dir(demo_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Uploads of this module's server go to a directory the tests can look into."""
    directory = tmp_path_factory.mktemp("uploads")
    demo_server.settings.upload_dir = directory
    return directory


@pytest.fixture
def small_limit(demo_server: LiveServer) -> Iterator[int]:
    """A 2 KB upload limit for one test."""
    before = demo_server.settings.upload_max_bytes
    demo_server.settings.upload_max_bytes = 2048
    yield 2048
    demo_server.settings.upload_max_bytes = before


def upload(
    page: Page,
    name: str,
    content: bytes,
    *,
    source: str = "",
    kind: str = "people",
    region: str = "",
) -> None:
    page.goto("/imports/new")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    if source:
        page.get_by_label("New source name").fill(source)
    page.get_by_label("The file holds").select_option(kind)
    if region:
        page.get_by_label("Default phone region").fill(region)
    page.get_by_role("button", name="Upload and preview").click()


def test_upload_preview_remap_run_and_result(
    open_page: OpenPage, uploads_dir: Path, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin")
    page.goto("/imports")
    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", name="Import a file")).to_be_visible()
    screenshot(page, "imports-upload", request)
    upload(page, "pos-november.csv", POS_EXPORT.encode(), source="pos-web", region="tr")
    expect(page).to_have_url(re.compile(r"/imports/uploads/[\w-]+$"))
    expect(page.get_by_role("heading", name="Check the mapping")).to_be_visible()

    # the detected mapping: the customer number is the id, the others by their Turkish names
    expect(page.get_by_label("Record id column")).to_have_value("Müşteri No")
    expect(page.get_by_label("Attribute for column Cep")).to_have_value("phone")
    expect(page.get_by_label("Attribute for column E-posta")).to_have_value("email")
    expect(page.get_by_label("Attribute for column Mağaza")).to_have_value("")
    # the first rows after standardization, with the cleaner's problems per cell
    rows = page.locator("table.preview-rows tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("+905321112233")
    expect(rows.nth(0)).to_contain_text("Ayse.Karaca@example.com")
    expect(rows.nth(0)).to_contain_text("Ayşe")
    expect(rows.nth(1).locator("td.cell-problem")).to_contain_text("31.02.1990")
    expect(rows.nth(1)).to_contain_text("flagged")
    expect(rows.nth(2)).to_contain_text("rejected")
    expect(rows.nth(2)).to_contain_text("record_id is empty")
    screenshot(page, "imports-preview", request)

    # the store column is a city: remap it and preview again
    page.get_by_label("Attribute for column Mağaza").select_option("city")
    page.get_by_role("button", name="Preview again").click()
    expect(page.get_by_label("Attribute for column Mağaza")).to_have_value("city")
    expect(page.locator("table.mapping tr.changed")).to_contain_text("Mağaza")
    expect(page.locator("table.preview-rows thead")).to_contain_text("city")
    expect(page.locator("table.preview-rows tbody tr").nth(0)).to_contain_text("Kadıköy")
    token = page.url.rsplit("/", 1)[-1]
    assert (uploads_dir / token / "pos-november.csv").exists()

    page.get_by_role("button", name="Run import").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)
    figures = page.locator("dl.figures")
    expect(figures.locator("div", has_text="Read")).to_contain_text("4")
    expect(figures.locator("div", has_text="New")).to_contain_text("3")
    expect(figures.locator("div", has_text="Rejected")).to_contain_text("1")
    # one rejected row, row 4 of the file, with each of its reasons
    rejected = page.locator("table.rejections tbody tr")
    expect(rejected).to_have_count(2)
    expect(rejected.nth(0).locator("td").nth(0)).to_have_text("4")
    expect(rejected.nth(1).locator("td").nth(0)).to_have_text("4")
    id_reason = page.locator("table.rejections tbody tr", has_text="Müşteri No")
    expect(id_reason).to_contain_text("record_id is empty")
    expect(page.locator("table.rejections")).to_contain_text("needs a valid value in one of")
    screenshot(page, "imports-result", request)
    assert not (uploads_dir / token).exists(), "the upload outlived its import"

    # the history lists the run first, linking to its result
    run_url = page.url
    page.goto("/imports")
    first = page.locator("table.runs tbody tr").first
    expect(first).to_contain_text("pos-november.csv")
    expect(first).to_contain_text("pos-web")
    screenshot(page, "imports-history", request)
    first.get_by_role("link", name="pos-november.csv").click()
    expect(page).to_have_url(run_url)


def test_progress_is_shown_while_a_larger_file_imports(
    open_page: OpenPage, uploads_dir: Path, request: pytest.FixtureRequest
) -> None:
    lines = ["customer_id,first_name,last_name,email,phone,city"]
    lines += [
        f"B-{n},Kişi{n},Soyad{n % 97},kisi{n}@example.com,+90532{n:07d},Ankara"
        for n in range(40_000)
    ]
    page, _ = open_page("admin")
    upload(page, "pos-bulk.csv", "\n".join(lines).encode(), source="pos-bulk")
    expect(page.get_by_role("heading", name="Check the mapping")).to_be_visible()
    page.get_by_role("button", name="Run import").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    counted = page.locator("progress[value]")
    try:  # a fast machine may finish before the page shows a share of the file read
        counted.wait_for(timeout=15_000)
        screenshot(page, "imports-progress", request)
    except PlaywrightTimeoutError:
        pass
    expect(page.get_by_text("Finished")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.locator("dl.figures div", has_text="New")).to_contain_text("40")


def test_phone_width(
    open_page: OpenPage, uploads_dir: Path, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin", PHONE)
    page.goto("/imports/new")
    screenshot(page, "imports-upload-phone", request)
    _no_sideways_scroll(page)
    text = POS_EXPORT.replace("P-90", "Q-90").encode()
    upload(page, "pos-phone.csv", text, source="pos-phone", region="TR")
    expect(page.get_by_role("heading", name="Check the mapping")).to_be_visible()
    screenshot(page, "imports-preview-phone", request)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Run import").click()
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)
    screenshot(page, "imports-result-phone", request)
    _no_sideways_scroll(page)
    page.goto("/imports")
    screenshot(page, "imports-history-phone", request)
    _no_sideways_scroll(page)


def test_a_mapping_the_import_would_refuse_says_why(open_page: OpenPage, uploads_dir: Path) -> None:
    page, _ = open_page("admin")
    orders = b"order_id,customer_id,amount,day\nO-1,C-1,10,2026-11-03\n"
    upload(page, "orders.csv", orders, source="pos-orders", kind="orders")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Every row would be rejected")
    expect(alert).to_contain_text("ordered_at")
    expect(page.get_by_role("button", name="Run import")).to_be_disabled()
    page.get_by_label("Attribute for column day").select_option("ordered_at")
    page.get_by_role("button", name="Preview again").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("button", name="Run import")).to_be_enabled()
    expect(page.locator("table.preview-rows tbody tr").first).to_contain_text("2026-11-03")
    # an unknown region is the import's own refusal, named on the page
    page.get_by_label("Default phone region").fill("XX")
    page.get_by_role("button", name="Preview again").click()
    expect(page.get_by_role("alert").first).to_contain_text("unknown region 'XX'")
    page.get_by_role("button", name="Cancel and delete the upload").click()
    page.get_by_role("button", name="Delete upload").click()
    expect(page).to_have_url(re.compile(r"/imports$"))


def test_a_failed_run_shows_its_error(open_page: OpenPage, uploads_dir: Path) -> None:
    """Bytes that are not UTF-8 far into the file: the preview (first rows) is fine, the
    run fails midway, keeps nothing and says why."""
    good = "".join(f"F-{n},Ad{n},Soyad{n},f{n}@example.com\n" for n in range(6000))
    content = (
        "customer_id,first_name,last_name,email\n" + good
    ).encode() + b"F-x,\xff\xfe,X,x@x.co\n"
    page, _ = open_page("admin")
    upload(page, "pos-broken.csv", content, source="pos-broken")
    expect(page.locator("table.preview-rows tbody tr")).to_have_count(10)
    page.get_by_role("button", name="Run import").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The import failed", timeout=60_000)
    expect(alert).to_contain_text("not valid utf-8-sig text")
    expect(page.locator("dl.figures div", has_text="New")).to_contain_text("0")
    page.goto("/imports")
    expect(page.locator("table.runs tbody tr").first).to_contain_text("failed")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("notes.txt", b"a,b\n1,2\n", "is not a CSV or JSON Lines file"),
        ("latin.csv", "Ad,Şehir\nAyşe,İzmir\n".encode("cp1254"), "not readable in the chosen"),
        ("blank.csv", b"\n\n", "The file is empty"),
    ],
)
def test_bad_uploads_are_answered_on_the_form(
    open_page: OpenPage, uploads_dir: Path, name: str, content: bytes, message: str
) -> None:
    page, _ = open_page("admin")
    upload(page, name, content, source="pos-bad")
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator(".field-error")).to_contain_text(message)
    expect(page.get_by_label("New source name")).to_have_value("pos-bad")  # input kept
    assert list(uploads_dir.iterdir()) == [] or all(
        (entry / "draft.json").exists() for entry in uploads_dir.iterdir()
    ), "a refused upload left its file behind"


def test_too_large_and_missing_fields(
    open_page: OpenPage, uploads_dir: Path, small_limit: int, request: pytest.FixtureRequest
) -> None:
    page, _ = open_page("admin")
    big = b"email\n" + b"someone@example.com\n" * 200
    upload(page, "big.csv", big, source="pos-big")
    expect(page.get_by_role("alert")).to_contain_text("larger than the limit of 2.0 KB")
    page.goto("/imports/new")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#file-error")).to_contain_text("Choose a file")
    expect(page.locator("#source-error, #new_source-error")).to_contain_text("Choose the source")
    expect(page.get_by_label("File", exact=True)).to_have_attribute("aria-invalid", "true")
    screenshot(page, "imports-upload-errors", request)


def test_analyst_sees_history_but_cannot_upload(open_page: OpenPage) -> None:
    page, _ = open_page("analyst")
    page.goto("/imports")
    expect(page.get_by_role("heading", name="Imports")).to_be_visible()
    expect(page.locator("table.runs tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="Import a file")).to_have_count(0)
    page.locator("table.runs tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Rejected rows")).to_be_visible()
    answer = page.goto("/imports/new")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_agent_gets_the_403_page(open_page: OpenPage) -> None:
    page, _ = open_page("agent")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Imports")
    answer = page.goto("/imports")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


@contextmanager
def _client(live: LiveServer, role: str | None = "admin") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, follow_redirects=False, timeout=30) as client:
        if role:
            form = {"email": f"{role}@example.com", "password": PASSWORD}
            assert client.post("/login", data=form).status_code == 303
        yield client


def test_http_answers(demo_server: LiveServer, uploads_dir: Path, small_limit: int) -> None:
    with _client(demo_server, None) as anonymous:
        answer = anonymous.get("/imports")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    with _client(demo_server) as admin:
        huge: dict[str, Any] = {"file": ("huge.csv", b"x" * (small_limit + (80 << 10)))}
        answer = admin.post("/imports/new", files=huge, data={"new_source": "pos"})
        assert answer.status_code == 413
        assert "larger than the limit" in answer.text
        assert admin.get("/imports/999999").status_code == 404
        assert admin.get("/imports/uploads/not-a-token-at-all-xxxxxx").status_code == 404
        assert admin.get("/imports?page=0").status_code == 422
        beyond = admin.get("/imports?page=999")
        assert beyond.status_code == 200 and "Back to the newest" in beyond.text
        runs = admin.get("/imports")
        run_id = re.search(r'href="/imports/(\d+)"', runs.text)
        assert run_id is not None
        fragment = admin.get(f"/imports/{run_id.group(1)}/progress")
        assert fragment.status_code == 200 and "data-poll" not in fragment.text


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at phone width"
