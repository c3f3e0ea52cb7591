"""The watch list in headless Chromium (Debian's package): Thai renders, the feed links are
reachable by keyboard, and nothing overflows a 375 px phone. Screenshots go to
test-artifacts/watches/ for a person to look at."""

from __future__ import annotations

import pytest

from search.watches import add_watch, evaluate_watches

from .releases import DRAINAGE, GOVERNOR, RELEASES
from .test_browser import CHROMIUM, DESKTOP, browser, open_page  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent: install Debian's chromium "
                              "(make browser-deps) for the browser tests"),
]
PHONE_375 = {"width": 375, "height": 812}
# A long name without spaces: Thai is written that way, and it must wrap, not overflow.
LONG_NAME = "ติดตามการระบายน้ำท่วมขังของสำนักการระบายน้ำกรุงเทพมหานครทุกเขตทุกแขวงตลอดฤดูฝน"


@pytest.fixture
def watched(es_client, search_index):
    drainage = add_watch(es_client, search_index, LONG_NAME, organizations=[DRAINAGE])
    governor = add_watch(es_client, search_index, "ผู้ว่าฯ ชัชชาติ", persons=[GOVERNOR])
    add_watch(es_client, search_index, "ฝุ่น PM2.5 ดินแดง", "ฝุ่น", places=["ดินแดง"])
    evaluate_watches(es_client, search_index, [r.id for r in RELEASES], "run-1")
    return drainage, governor


@pytest.fixture
def shots(artifacts_dir):
    folder = artifacts_dir / "watches"
    folder.mkdir(exist_ok=True)
    return folder


def _no_horizontal_overflow(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"page {widths[0]} px wide in a {widths[1]} px viewport"


def test_watch_list_desktop_and_phone(browser, live_server, shots, watched):  # noqa: F811
    drainage, governor = watched
    for name, viewport in (("desktop", DESKTOP), ("phone-375", PHONE_375)):
        page, problems = open_page(browser, viewport)
        page.goto(live_server + "/watches")
        assert page.locator("h1").inner_text().startswith("การติดตามข่าว")
        names = page.locator("section.watch h2").all_inner_texts()
        assert sorted(names) == sorted([LONG_NAME, "ผู้ว่าฯ ชัชชาติ", "ฝุ่น PM2.5 ดินแดง"])
        section = page.locator(f"#watch-{drainage.id}")
        assert section.locator(".matches li").count() == 2
        assert section.locator(".badge").count() == 2, "both are new in the latest run"
        # Thai is shaped by a Thai font: the vowel and tone marks above a consonant take no
        # width of their own (without one, each would be a box of its own)
        widths = page.evaluate("""() => ['ก', 'กิ่'].map(text => {
            const s = document.createElement('span'); s.textContent = text;
            document.querySelector('main').append(s);
            const w = s.getBoundingClientRect().width; s.remove(); return w; })""")
        assert abs(widths[0] - widths[1]) < 1, widths
        _no_horizontal_overflow(page)
        page.screenshot(path=shots / f"watches-{name}.png", full_page=True)
        assert not problems.errors and not problems.dialogs, problems.errors
        page.context.close()


def test_feed_link_is_reached_by_keyboard(browser, live_server, watched):  # noqa: F811
    drainage, _governor = watched
    page, _problems = open_page(browser, PHONE_375)
    page.goto(live_server + "/watches")
    target = f"/watch/{drainage.id}.atom"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == target:
            break
    else:
        pytest.fail("the feed link was never focused by Tab")
    with page.expect_response(lambda r: r.url.endswith(target)) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/atom+xml")
    page.context.close()
