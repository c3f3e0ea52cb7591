"""The name-list page in headless Chromium (Debian's package): keyboard, table, download,
bad lists, and a 375 px phone. Screenshots go to test-artifacts/search/ to be looked at."""

from __future__ import annotations

import csv
import io

from .releases import DEPUTY, DRAINAGE, GOVERNOR
from .test_browser import DESKTOP, browser, open_page, pytestmark, shots  # noqa: F401

PHONE_375 = {"width": 375, "height": 812}
NAMES = [GOVERNOR, "สนน.", "เขตบางเขน", DEPUTY, "ไม่มีในข่าวใดเลย"]


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, \
        "no sideways scrolling"
    for box in page.locator(".names-table tr, form.search, .downloads").all():
        edge = box.bounding_box()
        assert edge["x"] >= 0 and edge["x"] + edge["width"] <= width + 0.5, edge


def test_names_table_by_keyboard_and_csv_download(browser, live_server, shots):  # noqa: F811
    page, problems = open_page(browser, DESKTOP)
    page.goto(live_server + "/")
    page.get_by_role("link", name="ค้นหาจากรายชื่อ / Names").click()
    page.wait_for_url("**/names")
    page.locator("#names").focus()
    page.keyboard.type("\n".join(NAMES))
    page.keyboard.press("Tab")  # the file input
    page.keyboard.press("Tab")  # the search button
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector(".names-table")
    rows = page.locator(".names-table tbody tr")
    assert rows.count() == len(NAMES)
    assert rows.nth(0).locator("th").inner_text().startswith(GOVERNOR)
    assert f"= {DRAINAGE}" in rows.nth(1).inner_text()
    assert "ไม่พบ / none" in rows.nth(4).inner_text()
    assert page.locator(".names-table time").first.inner_text()  # a Thai date is shown
    page.screenshot(path=shots / "10-names-desktop.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="ดาวน์โหลด CSV / Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8").lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in table] == NAMES
    shown = [int(rows.nth(i).locator("td").first.inner_text()) for i in range(len(NAMES))]
    assert [int(r["releases"]) for r in table] == shown
    # a name found as an entity links to its entity page
    rows.nth(0).locator("th a").click()
    page.wait_for_url("**/entity?*")
    assert GOVERNOR in page.locator("h1").inner_text()
    assert not problems.errors, problems.errors


def test_names_on_a_375px_phone(browser, live_server, shots):  # noqa: F811
    page, problems = open_page(browser, PHONE_375)
    page.goto(live_server + "/names")
    _no_sideways_scroll(page, PHONE_375["width"])
    page.screenshot(path=shots / "11-names-form-phone.png", full_page=True)
    page.locator("#names").fill("\n".join(NAMES))
    page.get_by_role("button", name="ค้นหา / Search").click()
    page.wait_for_selector(".names-table")
    _no_sideways_scroll(page, PHONE_375["width"])
    page.screenshot(path=shots / "12-names-table-phone.png", full_page=True)
    assert not problems.errors, problems.errors


def test_bad_lists_show_the_reason_not_a_server_error(browser, live_server, shots):  # noqa: F811
    page, problems = open_page(browser, PHONE_375)
    page.goto(live_server + "/names")
    with page.expect_response("**/names") as empty:
        page.get_by_role("button", name="ค้นหา / Search").click()
    assert empty.value.status == 400
    assert "ไม่มีรายชื่อ" in page.locator("[role=alert]").inner_text()
    page.screenshot(path=shots / "13-names-empty-phone.png", full_page=True)
    many = "\n".join(f"ชื่อที่ {i}" for i in range(10_000)).encode()
    page.locator("#file").set_input_files(
        {"name": "names.txt", "mimeType": "text/plain", "buffer": many})
    with page.expect_response("**/names") as too_many:
        page.get_by_role("button", name="ค้นหา / Search").click()
    assert too_many.value.status == 400
    alert = page.locator("[role=alert]").inner_text()
    assert "10,000" in alert and "500" in alert
    _no_sideways_scroll(page, PHONE_375["width"])
    page.screenshot(path=shots / "14-names-10000-lines-phone.png", full_page=True)
    assert not [e for e in problems.errors if "400" not in e], problems.errors
