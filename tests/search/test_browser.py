"""The web page end to end in headless Chromium (Debian's package, driven by Playwright).

Screenshots go to test-artifacts/search/ for a person to look at.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest

from .releases import GOVERNOR, PERMANENT_SECRETARY

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent: install Debian's chromium "
                              "(make browser-deps) for the browser tests"),
]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(artifacts_dir):
    folder = artifacts_dir / "search"
    folder.mkdir(exist_ok=True)
    return folder


class PageProblems:
    """Dialogs (alert from an injected script), page errors and CSP console errors."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))


def open_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="th-TH",
                                  device_scale_factor=1 if viewport is DESKTOP else 2)
    page = context.new_page()
    return page, PageProblems(page)


def test_search_filter_by_facet_and_open_an_entity_page(browser, live_server, shots,
                                                        releases):
    page, problems = open_page(browser, DESKTOP)
    page.goto(live_server + "/")
    page.screenshot(path=shots / "01-home-desktop.png", full_page=True)

    page.keyboard.press("/")  # the shortcut to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("น้ำท่วม")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    titles = page.locator("article.hit h2").all_inner_texts()
    assert set(titles) == {releases["flood-bangkhen"].title,
                           releases["deputy-clerk-2023"].title}
    marks = page.locator("article.hit mark").all_inner_texts()
    assert marks and all("น้ำท่วม" in m for m in marks)
    page.screenshot(path=shots / "02-results-desktop.png", full_page=True)

    page.get_by_role("link", name="บางเขน 1").click()  # the place facet
    page.wait_for_url("**place=*")
    assert page.locator("article.hit h2").all_inner_texts() == [
        releases["flood-bangkhen"].title]
    assert page.locator(".active-filters").inner_text().count("บางเขน") == 1
    page.screenshot(path=shots / "03-filtered-desktop.png", full_page=True)

    page.locator("article.hit .chips a", has_text=GOVERNOR).first.click()
    page.wait_for_url("**/entity?*")
    assert page.locator("h1.entity-name").inner_text() == GOVERNOR
    assert page.locator("figure.chart svg rect.bar").count() >= 2
    assert page.locator("table.positions").inner_text().count("ผู้ว่าราชการกรุงเทพมหานคร") == 1
    page.screenshot(path=shots / "04-entity-desktop.png", full_page=True)
    assert not problems.dialogs and not problems.errors, (problems.dialogs, problems.errors)


def test_script_in_a_release_never_runs(browser, live_server, shots):
    page, problems = open_page(browser, DESKTOP)
    page.goto(live_server + "/?q=" + quote("ประกาศทดสอบความปลอดภัย"))
    snippet = page.locator("article.hit .snippet").first.inner_text()
    assert "<script>window.__pwned = 1; alert('xss')</script>" in snippet, "shown as text"
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("article.hit script, article.hit img").count() == 0
    page.screenshot(path=shots / "05-script-as-text.png", full_page=True)
    assert not problems.dialogs and not problems.errors, (problems.dialogs, problems.errors)


def test_lucene_syntax_and_huge_queries_get_a_clear_page(browser, live_server, shots):
    page, problems = open_page(browser, DESKTOP)
    page.goto(live_server + "/")
    page.fill("#q", '/.*/ {!lucene} [qqq TO www] OR "zzz"~')
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    assert "พบ 0 รายการ" in page.locator("p.total").inner_text()
    assert page.locator("p.empty").is_visible()

    response = page.goto(live_server + "/?q=" + quote("ก" * 10_000))
    assert response.status == 400
    message = page.locator(".error").inner_text()
    assert "เกินกำหนด 500 ตัวอักษร" in message and "the limit is 500" in message
    page.screenshot(path=shots / "06-long-query.png")
    assert not problems.dialogs


def test_phone_layout(browser, live_server, shots):
    page, problems = open_page(browser, PHONE)
    page.goto(live_server + "/?q=" + quote(GOVERNOR))
    first = page.locator("article.hit").first
    assert first.bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], \
        "no sideways scrolling on a phone"
    page.screenshot(path=shots / "07-results-phone.png", full_page=True)
    page.goto(live_server + "/entity?type=PERSON&name=" + quote(PERMANENT_SECRETARY))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=shots / "08-entity-phone.png", full_page=True)
    # keyboard: the first Tab reaches the skip link, which is visible when focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.screenshot(path=shots / "09-skip-link-focus-phone.png")
    assert not problems.errors, problems.errors
