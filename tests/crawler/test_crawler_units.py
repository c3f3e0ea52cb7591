"""Fast unit tests: the test server's WordPress semantics, state, text, safety rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from crawler.engine.middlewares import host_is_private, is_private_address
from crawler.engine.state import FIRST_RUN_WINDOW, OVERLAP, SourceState
from crawler.parsing.encoding import decode_html
from crawler.parsing.text import html_to_text, plain_title
from demo.wordpress import WordPressSite

BANGKOK = timezone(timedelta(hours=7))


def site_with(count: int) -> WordPressSite:
    return WordPressSite([{"id": n, "title": f"post {n}", "content": f"<p>{n}</p>",
                           "date": f"2024-01-{n:02d}T10:00:00",
                           "modified": f"2024-02-{n:02d}T10:00:00" if n % 2 else f"2024-01-{n:02d}T10:00:00",
                           "categories": ["ข่าว"], "tags": ["แท็ก"]} for n in range(1, count + 1)])


def rest(site: WordPressSite, query: str):
    status, headers, body = site.handle(f"/?rest_route=/wp/v2/posts&{query}")
    return status, headers, json.loads(body)


def test_wp_server_paging_headers_and_the_400_past_the_end():
    site = site_with(7)
    status, headers, posts = rest(site, "per_page=3&page=3")
    assert status == 200 and [p["id"] for p in posts] == [1]
    assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("7", "3")
    status, _, error = rest(site, "per_page=3&page=4")
    assert status == 400 and error["code"] == "rest_post_invalid_page_number"
    assert rest(site, "per_page=101")[0] == 400


def test_wp_server_orders_filters_and_embeds():
    site = site_with(6)
    _, _, posts = rest(site, "orderby=modified&order=desc&per_page=100")
    assert [p["id"] for p in posts] == [5, 3, 1, 6, 4, 2]
    _, headers, posts = rest(site, "modified_after=2024-02-01T10:00:00&per_page=100&orderby=id&order=asc")
    assert [p["id"] for p in posts] == [3, 5]  # exclusive, like WordPress
    _, _, posts = rest(site, "after=2024-01-02T00:00:00&before=2024-01-04T00:00:00")
    assert sorted(p["id"] for p in posts) == [2, 3]
    _, _, posts = rest(site, "modified_after=2024-02-01T03:00:00Z")  # an offset is honoured
    assert sorted(p["id"] for p in posts) == [3, 5]
    _, _, [post] = rest(site, "include=2&_embed=1")
    assert post["_embedded"]["wp:term"][0][0]["name"] == "ข่าว"
    assert post["date_gmt"] == "2024-01-02T03:00:00"
    _, _, [bare] = rest(site, "include=2")
    assert "_embedded" not in bare


def test_wp_server_edits_bump_modified_and_switches_turn_routes_off():
    site = site_with(2)
    site.update_post(1, content="<p>new</p>", modified="2024-03-01T00:00:00")
    _, _, posts = rest(site, "orderby=modified")
    assert posts[0]["id"] == 1 and posts[0]["content"]["rendered"] == "<p>new</p>"
    site.rest_enabled = False
    status, _, body = site.handle("/?rest_route=/wp/v2/posts")
    assert status == 404 and b"rest_no_route" in body
    assert site.handle("/wp-json/wp/v2/posts")[0] == 404  # plain permalinks
    site.fail("feed=rss2", status=503, times=1)
    assert site.handle("/?feed=rss2")[0] == 503
    assert site.handle("/?feed=rss2")[0] == 200


def test_state_round_trip_and_window(tmp_path):
    state = SourceState.load(tmp_path, "pr-bangkok")
    now = datetime(2024, 6, 1, 12, 0, tzinfo=BANGKOK)
    assert state.window_start(now) == now - FIRST_RUN_WINDOW
    state.advance("2024-05-01T10:00:00+07:00")
    state.advance("2024-04-01T10:00:00+07:00")  # never moves back
    state.hashes["abc"] = "123"
    state.save()
    loaded = SourceState.load(tmp_path, "pr-bangkok")
    assert loaded.modified_at == "2024-05-01T10:00:00+07:00" and loaded.hashes == {"abc": "123"}
    assert loaded.window_start(now) == datetime(2024, 5, 1, 10, tzinfo=BANGKOK) - OVERLAP


def test_unreadable_state_is_a_clear_error(tmp_path):
    from core.errors import UserFacingError

    path = tmp_path / "pr-bangkok" / "watermark.json"
    path.parent.mkdir()
    path.write_text("{not json")
    with pytest.raises(UserFacingError, match="unreadable"):
        SourceState.load(tmp_path, "pr-bangkok")


@pytest.mark.parametrize(("address", "private"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("169.254.169.254", True), ("192.168.0.1", True),
    ("172.16.5.4", True), ("::1", True), ("[::1]", True), ("::ffff:10.0.0.1", True),
    ("0.0.0.0", True), ("8.8.8.8", False), ("203.150.0.1", False),
])
def test_private_addresses(address, private):
    assert is_private_address(address) is private


def test_private_host_names():
    assert host_is_private("localhost") and host_is_private("LOCALHOST.")
    assert not host_is_private("pr-bangkok.com", resolve=False)


def test_text_is_one_paragraph_a_line_without_scripts():
    html = ("<div><p>หนึ่ง&nbsp;&amp;&#8203;สอง</p><script>bad()</script><style>p{}</style>"
            "<p>สาม<br/>สี่</p><!-- comment --><noscript>no</noscript>ห้า</div>")
    assert html_to_text(html) == "หนึ่ง &สอง\nสาม\nสี่\nห้า"
    assert plain_title("A &#8211; <b>B</b>\n C") == "A – B C"


def test_deep_nesting_does_not_recurse():
    assert html_to_text("<div>" * 200 + "ลึก" + "</div>" * 200) == "ลึก"
    # libxml2 stops at its depth limit (256) without a huge_tree: text that deep is lost,
    # but the walk is iterative, so a hostile page never crashes the crawl.
    assert isinstance(html_to_text("<div>" * 20000 + "ลึก" + "</div>" * 20000), str)


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    ("ภาษาไทย".encode("cp874"), "text/html; charset=TIS-620", "cp874"),
    ("ภาษาไทย".encode("cp874"), "text/html; charset=utf-8", "cp874"),  # header wrong: detect
    ('<meta charset="windows-874">ภาษาไทย'.encode("cp874"), None, "cp874"),
    ("ภาษาไทย".encode(), None, "utf-8"),
    (b"\xef\xbb\xbf" + "ไทย".encode(), "text/html; charset=tis-620", "utf-8"),  # a BOM wins
])
def test_decoding(body, content_type, expected):
    text, encoding = decode_html(body, content_type)
    assert encoding == expected and "ไทย" in text


def test_a_second_crawl_of_the_same_source_is_refused_while_one_runs(tmp_path):
    from core.errors import UserFacingError
    from crawler.run import _lock

    held = _lock(tmp_path, "pr-bangkok")
    try:
        with pytest.raises(UserFacingError, match="another crawl"):
            _lock(tmp_path, "pr-bangkok")
        _lock(tmp_path, "prbangkok-legacy").close()  # other sources are independent
    finally:
        held.close()
    _lock(tmp_path, "pr-bangkok").close()
