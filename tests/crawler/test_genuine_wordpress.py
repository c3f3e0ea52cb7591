"""Real crawls of a genuine WordPress 6.1 (Debian's package, default block theme, plain
permalinks, Asia/Bangkok, Thai locale), seeded through WordPress's own PHP API with
tests/fixtures/pr-bangkok/genuine/posts.json: Thai text in block-editor and classic markup,
media, captions, a table, texturised text, a password-protected post, a draft, an empty post.

The same checks run with the REST API open and closed (401 from a must-use plugin): the
fallbacks must give exactly what the API gives.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from core.records import article_id, content_hash
from core.thai_calendar import BANGKOK, parse_iso_datetime
from crawler.engine.state import OVERLAP
from crawler.sources.pr_bangkok import parser as wp

POSTS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "pr-bangkok" / "genuine" / "posts.json"
POSTS = {p["key"]: p for p in json.loads(POSTS_FILE.read_text(encoding="utf-8"))}
NEVER_LANDED = ("protected", "draft")
# The empty post lands with its title and no text: nothing may be invented for it.
EMPTY = "empty"
EMPTY_EXPECTED = {"title": POSTS[EMPTY]["title"], "body": "", "images": [],
                  "categories": POSTS[EMPTY]["categories"], "tags": [],
                  "published_at": POSTS[EMPTY]["date"].replace(" ", "T") + "+07:00"}
# The default theme's footer and comment form, and the media players' fallback links.
CHROME_LINES = {"Posted", "in", "by", "admin", "Tags:", "Comments", "ใส่ความเห็น"}
CHROME_TEXT = (".mp4", ".mp3", "password protected", "Uncategorized")


def expected(key: str) -> dict:
    return EMPTY_EXPECTED if key == EMPTY else POSTS[key]["expected"]


def public_keys() -> list[str]:
    return sorted(k for k in POSTS if k not in NEVER_LANDED)


def check_records(records: list[dict], site) -> None:
    key_of = {str(i): k for k, i in site.keys.items()}
    got = {key_of[r["source_id"]]: r for r in records}
    assert sorted(got) == public_keys()  # every public post, once; no protected, no draft
    assert len(records) == len(got)
    for key, record in got.items():
        want = expected(key)
        assert record["title"] == want["title"], key
        assert record["body"] == want["body"], key
        assert record["published_at"] == want["published_at"], key
        assert record["categories"] == want["categories"], key
        assert record["tags"] == want["tags"], key
        assert record["images"] == want["images"], key
        assert record["canonical_url"] == f"https://pr-bangkok.com/?p={site.keys[key]}"
        assert record["id"] == article_id(record["canonical_url"])
        assert record["content_hash"] == content_hash(record["title"], record["body"])
        assert not CHROME_LINES & set(record["body"].split("\n")), key
        assert not [c for c in CHROME_TEXT if c in record["body"]], key
    secret = POSTS["protected"]["content"]
    assert all("ข้อความลับ" not in r["body"] and "ร่างที่ต้องไม่ออกไป" not in r["body"] for r in records)
    assert "ข้อความลับ" in secret  # the check above looks for the right words


@pytest.mark.parametrize("rest_open", [True, False], ids=["rest-open", "rest-closed"])
def test_every_public_post_exact_then_nothing_then_exactly_the_edit_and_the_addition(
        genuine_wp, run_crawl, data_dir, rest_open):
    genuine_wp.rest(open=rest_open)
    edited_key = "thaigov-010"
    edited_id = genuine_wp.keys[edited_key]
    added_id = None
    try:
        first = run_crawl("pr-bangkok", genuine_wp.url, "--since", "2024-01-01")
        assert first.returncode == 0, first.stderr
        source = first.summary["sources"]["pr-bangkok"]
        assert source["strategy"] == ("rest" if rest_open else "feed"), source
        check_records(first.records, genuine_wp)
        skipped = first.summary["counts"]["skipped"]
        assert skipped.get("protected") == 1, skipped
        if not rest_open:
            assert skipped.get("http_401") == 1, skipped

        second = run_crawl("pr-bangkok", genuine_wp.url)
        assert second.returncode == 0, second.stderr
        assert second.records == [], [r["title"] for r in second.records]
        assert second.summary["status"] == "ok"
        # It continued from the watermark less the overlap, not from the beginning.
        watermark = json.loads((data_dir / "state" / "pr-bangkok" / "watermark.json").read_text())
        start = parse_iso_datetime(watermark["modified_at"]) - OVERLAP
        uris = archived_uris(second.summary["archive_files"])
        if rest_open:
            after = quote(start.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S"), safe="")
            assert any(f"modified_after={after}" in uri for uri in uris), uris[:5]
        else:  # the feed, then the sitemap for the posts landed before (edits)
            assert any("sitemap=posts" in uri for uri in uris)

        new_text = "ข้อความที่แก้ไขหลังการเก็บรอบแรก กรุงเทพมหานครปรับแผนการจราจร"
        genuine_wp.update_post(edited_id, content=f"<!-- wp:paragraph -->\n<p>{new_text}</p>\n"
                                                   "<!-- /wp:paragraph -->")
        stamp = (datetime.now(BANGKOK) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
        added_id = genuine_wp.insert_post({
            "title": "ข่าวใหม่หลังการเก็บรอบแรก", "date": stamp, "categories": ["ข่าวเขต"],
            "content": "<!-- wp:paragraph -->\n<p>เนื้อหาข่าวใหม่ของสำนักงานเขต</p>\n<!-- /wp:paragraph -->"})
        third = run_crawl("pr-bangkok", genuine_wp.url)
        assert third.returncode == 0, third.stderr
        assert sorted(int(r["source_id"]) for r in third.records) == sorted([edited_id, added_id])
        counts = third.summary["counts"]
        assert (counts["new"], counts["updated"]) == (1, 1), counts
        by_id = {int(r["source_id"]): r for r in third.records}
        assert by_id[edited_id]["body"] == new_text
        assert by_id[edited_id]["title"] == expected(edited_key)["title"]
        assert by_id[added_id]["body"] == "เนื้อหาข่าวใหม่ของสำนักงานเขต"
        assert by_id[added_id]["published_at"] == stamp.replace(" ", "T") + "+07:00"
        assert by_id[added_id]["categories"] == ["ข่าวเขต"]
    finally:
        genuine_wp.update_post(edited_id, content=POSTS[edited_key]["content"])
        if added_id is not None:
            genuine_wp.delete_post(added_id)
        genuine_wp.rest(open=True)


def archived(archives: list[str]) -> list[tuple[str, bytes]]:
    """(URI, body) of every response the crawl archived."""
    from warcio.archiveiterator import ArchiveIterator

    responses = []
    for archive in archives:
        with open(archive, "rb") as handle:
            responses += [(r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                          for r in ArchiveIterator(handle) if r.rec_type == "response"]
    return responses


def archived_uris(archives: list[str]) -> list[str]:
    return [uri for uri, _ in archived(archives)]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_block_theme_version_reads_the_genuine_pages(genuine_wp):
    from lxml import html as lxml_html

    key = "texturised"
    status, body = _get(f"{genuine_wp.url}/?p={genuine_wp.keys[key]}")
    assert status == 200
    doc = lxml_html.document_fromstring(body.decode("utf-8"))
    assert wp.parser_for(doc).version == "v2-block"
    # What a stand-in hides: no <article>, no h1.entry-title, no date meta; texturised text.
    assert not doc.xpath("//article") and not doc.xpath('//h1[contains(@class, "entry-title")]')
    assert not doc.xpath('//meta[@property="article:published_time"]')
    assert "&#8220;" in body.decode("utf-8") and "&#215;" in body.decode("utf-8")
    article = wp.parse(body, f"{genuine_wp.url}/?p={genuine_wp.keys[key]}", "text/html; charset=UTF-8")
    assert (article.title, article.body) == (expected(key)["title"], expected(key)["body"])
    assert article.modified_at is None  # the page does not say: the spider judges by the hash
    # The protected post's page and its feed item are both recognised as protected.
    status, body = _get(f"{genuine_wp.url}/?p={genuine_wp.keys['protected']}")
    assert status == 200 and "post-password-form" in body.decode("utf-8")
    with pytest.raises(wp.SkipPage) as skipped:
        wp.parse(body, f"{genuine_wp.url}/?p={genuine_wp.keys['protected']}")
    assert skipped.value.reason == "protected"


def test_feed_past_the_end_is_a_404_and_the_sitemap_has_no_lastmod(genuine_wp):
    from crawler.sources.pr_bangkok import discovery

    status, body = _get(f"{genuine_wp.url}/?feed=rss2&paged=1")
    items = discovery.parse_feed(body)
    assert status == 200 and len(items) == 10
    status, _ = _get(f"{genuine_wp.url}/?feed=rss2&paged=999")
    assert status == 404
    protected = [i for i in items if i.protected]
    assert [wp.post_id_from_url(i.link) for i in protected] == [str(genuine_wp.keys["protected"])]
    status, body = _get(f"{genuine_wp.url}/?sitemap=posts&sitemap-subtype=post&paged=1")
    children, urls = discovery.parse_sitemap(body)
    assert status == 200 and not children
    assert all(lastmod is None for _, lastmod in urls)
    listed = {wp.post_id_from_url(u) for u, _ in urls}
    assert str(genuine_wp.keys["protected"]) in listed  # listed, skipped when its page is read
    assert str(genuine_wp.keys["draft"]) not in listed


@pytest.mark.parametrize(("closed", "strategy"), [
    (("rest", "feed"), "sitemap"),
    (("rest", "feed", "sitemap"), "listing"),
], ids=["sitemap", "listing"])
def test_each_further_fallback_lands_every_public_post_exactly(genuine_wp, run_crawl, closed, strategy):
    genuine_wp.close(*closed)
    try:
        result = run_crawl("pr-bangkok", genuine_wp.url, "--since", "2024-01-01")
    finally:
        genuine_wp.close()
    assert result.returncode == 0, result.stderr
    assert result.summary["sources"]["pr-bangkok"]["strategy"] == strategy
    check_records(result.records, genuine_wp)
    assert result.summary["counts"]["skipped"].get("protected") == 1


def test_until_bounds_the_backfill_out_and_state_move_the_files_and_warc_keeps_the_responses(
        genuine_wp, run_crawl, tmp_path):
    out, state = tmp_path / "elsewhere-raw", tmp_path / "elsewhere-state"
    result = run_crawl("pr-bangkok", genuine_wp.url, "--since", "2024-11-21", "--until", "2024-11-23",
                       "--out", str(out), "--state", str(state))
    assert result.returncode == 0, result.stderr
    # Modified from 21 to 23 November (Bangkok time, both days included): these three.
    want = sorted(genuine_wp.keys[k] for k in ("video-shortcode", "audio-shortcode", "block-media"))
    assert sorted(int(r["source_id"]) for r in result.records) == want
    summary = result.summary
    assert summary["status"] == "ok"
    [raw_file] = summary["raw_files"]
    assert raw_file.startswith(str(out / "pr-bangkok"))
    assert (state / "pr-bangkok" / "watermark.json").exists()
    assert not (state / "pr-bangkok" / "jobdir").exists()  # a finished crawl leaves no JOBDIR
    [archive] = summary["archive_files"]
    assert archive.endswith(".warc.gz")
    responses = archived([archive])
    assert f"{genuine_wp.url}/robots.txt" in [uri for uri, _ in responses]
    [api_body] = [body for uri, body in responses if "rest_route=/wp/v2/posts" in uri]
    assert sorted(p["id"] for p in json.loads(api_body)) == want  # the raw page as served


def test_term_names_come_from_the_terms_endpoints_when_embed_is_ignored(genuine_wp, run_crawl):
    genuine_wp.close("embed")
    try:
        result = run_crawl("pr-bangkok", genuine_wp.url, "--since", "2024-01-01")
    finally:
        genuine_wp.close()
    assert result.returncode == 0, result.stderr
    check_records(result.records, genuine_wp)
    responses = archived(result.summary["archive_files"])
    pages = [json.loads(body) for uri, body in responses if "rest_route=/wp/v2/posts" in uri]
    assert pages and not any("_embedded" in post for page in pages for post in page)
    uris = [uri for uri, _ in responses]
    assert any("rest_route=/wp/v2/categories" in uri for uri in uris)
    assert any("rest_route=/wp/v2/tags" in uri for uri in uris)
