"""Merging two spellings of the governor on the web page, in Debian's chromium: the
entity page's form, the confirmation page, the effect on the page and on search.
Screenshots, desktop and a 375 px phone, go to test-artifacts/curate/ to be looked at."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .releases import GOVERNOR
from .test_browser import CHROMIUM, DESKTOP, browser, open_page  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent: make browser-deps"),
]
PHONE_375 = {"width": 375, "height": 812}
SHORT = "ชัชชาติ"


@pytest.fixture
def shots(artifacts_dir):
    folder = artifacts_dir / "curate"
    folder.mkdir(exist_ok=True)
    return folder


def no_sideways_scroll(page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], \
        "nothing wider than the phone"


def thai_renders(page, selector: str) -> None:
    """The Thai text is laid out (has a box) inside the viewport; that its glyphs are
    Thai and not boxes is for a person to see on the screenshots."""
    box = page.locator(selector).first.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 10
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_375], ids=["desktop", "phone-375"])
def test_merge_two_spellings_on_the_entity_page(browser, live_server, curations_file,  # noqa: F811
                                                shots, viewport):
    tag = "desktop" if viewport is DESKTOP else "phone"
    page, problems = open_page(browser, viewport)
    page.goto(live_server + "/entity?type=PERSON&name=" + quote(SHORT))
    assert page.locator("h1.entity-name").inner_text() == SHORT
    page.locator("details.curate summary").click()
    page.fill("#merge-into", GOVERNOR)
    no_sideways_scroll(page, viewport)
    page.screenshot(path=shots / f"01-entity-form-{tag}.png", full_page=True)

    page.locator("#merge-into").press("Enter")  # the keyboard submits the form
    page.wait_for_url("**/entity/curate?*")
    assert page.locator("h1").inner_text().startswith("ยืนยัน")
    assert not curations_file.exists(), "nothing is written before the confirmation"
    thai_renders(page, ".confirm h1")
    no_sideways_scroll(page, viewport)
    page.screenshot(path=shots / f"02-confirm-{tag}.png", full_page=True)

    page.get_by_role("button", name="ยืนยัน / Confirm").click()
    page.wait_for_url("**/entity?*curated=merge*")
    assert page.locator("h1.entity-name").inner_text() == GOVERNOR
    assert "กล่าวถึงใน 3 ข่าว" in page.locator("p.total").inner_text()
    assert page.locator(".spelling-list .spelling").all_inner_texts() == [SHORT]
    assert page.locator(".curated-done").is_visible()
    thai_renders(page, ".spelling-list .spelling")
    no_sideways_scroll(page, viewport)
    page.screenshot(path=shots / f"03-merged-{tag}.png", full_page=True)

    page.goto(live_server + "/?person=" + quote(GOVERNOR))
    assert "พบ 3 รายการ" in page.locator("p.total").inner_text()
    no_sideways_scroll(page, viewport)
    page.screenshot(path=shots / f"04-search-after-merge-{tag}.png", full_page=True)
    assert not problems.dialogs and not problems.errors, (problems.dialogs, problems.errors)

    response = page.goto(live_server + "/entity/curate?op=merge&type=PERSON&name="
                         + quote("ไม่มีใครชื่อนี้") + "&other=" + quote(GOVERNOR))
    assert response.status == 404
    no_sideways_scroll(page, viewport)
    page.screenshot(path=shots / f"05-unknown-entity-{tag}.png", full_page=True)
    assert "ไม่พบหน้า" in page.locator(".error h1").inner_text()
