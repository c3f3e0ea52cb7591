"""The status page in headless Chromium (Debian's package, driven by Playwright): desktop
and a 375 px phone, the node up and down. Screenshots go to test-artifacts/status/."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from tests.flows.test_status import closed_port

from .status_data import write_landing_zone
from .test_browser import DESKTOP, browser, open_page, pytestmark  # noqa: F401 - fixture, marks

PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def shots(artifacts_dir):
    folder = artifacts_dir / "status"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def web_app(request, es_client, search_index, tmp_path):
    """The app over a landing zone of two runs and three dead letters; the node it is
    given answers (`up`, unless a test asks for `down`: a closed port)."""
    from search.web.app import create_app

    write_landing_zone(tmp_path / "data")
    node = getattr(request, "param", "up")
    client = es_client if node == "up" else Elasticsearch(
        f"http://127.0.0.1:{closed_port()}", max_retries=0)
    app = create_app(client=client, index=search_index, data_dir=tmp_path / "data")
    app.state.node = node
    return app


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in (".status-card", "li.run", "li.letter", "table.reasons", "header.site"):
        for box in (el.bounding_box() for el in page.locator(selector).all()):
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, selector


@pytest.mark.parametrize("web_app", ["up", "down"], indirect=True)
def test_status_page_desktop_and_phone(browser, live_server, web_app, shots):  # noqa: F811
    node = web_app.state.node
    for name, viewport in (("desktop", DESKTOP), ("phone-375", PHONE_375)):
        page, problems = open_page(browser, viewport)
        response = page.goto(live_server + "/status")
        assert response.status == 200
        assert page.locator("h1").inner_text().startswith("สถานะระบบ")
        assert page.locator("li.run").count() == 2
        assert page.locator("li.letter").count() == 3
        card = page.locator("#node").inner_text()
        assert ("ไม่ทำงาน" in card) == (node == "down")
        assert page.locator("#dead-letter-total strong").inner_text() == "3"
        assert page.locator("li.run").first.locator("dd").all_inner_texts()[:3] == ["37", "3", "1"]
        assert page.locator("li.run").nth(1).locator("dd").all_inner_texts()[1:3] == ["—", "—"]
        assert page.evaluate("window.__pwned === undefined")
        page.screenshot(path=shots / f"status-{node}-{name}.png", full_page=True)
        page.screenshot(path=shots / f"status-{node}-{name}-top.png")  # the first screen
        if viewport is PHONE_375:
            _fits(page, PHONE_375["width"])
            page.locator("#letters-heading").scroll_into_view_if_needed()
            page.screenshot(path=shots / f"status-{node}-{name}-letters.png")  # as seen
        assert not problems.dialogs and not problems.errors, (problems.dialogs, problems.errors)
        page.context.close()


def test_status_is_reachable_by_keyboard_from_the_search_page(browser, live_server,  # noqa: F811
                                                              web_app):
    page, problems = open_page(browser, PHONE_375)
    page.goto(live_server + "/")
    for _ in range(6):  # the brand, then the header's links (Watches, Names, Status)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/status":
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/status"
    page.keyboard.press("Enter")
    page.wait_for_url("**/status")
    assert page.locator("h1").inner_text().startswith("สถานะระบบ")
    assert not problems.dialogs and not problems.errors, (problems.dialogs, problems.errors)
