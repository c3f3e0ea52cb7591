"""pr-bangkok's page versions and the rules the genuine WordPress showed were missing, on
pages and a feed captured from it (tests/fixtures/pr-bangkok/article_*_block_*.html,
genuine/feed_page1.xml), without a WordPress running."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html
from scrapy.utils.test import get_crawler

from crawler.parsing.article import Article
from crawler.parsing.text import html_to_text
from crawler.sources.pr_bangkok import discovery
from crawler.sources.pr_bangkok import parser as wp
from crawler.sources.pr_bangkok.spider import PrBangkokSpider

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pr-bangkok"


def doc(name: str):
    return lxml_html.document_fromstring((FIXTURES / name).read_bytes().decode("utf-8"))


@pytest.mark.parametrize(("name", "version"), [
    ("article_124_block_texturised.html", "v2-block"),
    ("article_132_block_empty.html", "v2-block"),
    ("article_324510.html", "v1-classic"),
    ("article_202535_unknown_theme.html", "v1-classic"),
])
def test_the_version_is_chosen_by_what_the_page_says(name, version):
    assert wp.parser_for(doc(name)).version == version


def test_an_empty_block_page_has_an_empty_body_not_its_chrome():
    # What the crawler did before versions: with no .entry-content, the footer became the body.
    page = doc("article_132_block_empty.html")
    assert "Posted" in page.xpath("string(//main)")
    article = wp.VERSIONS[1].parse(page, "https://pr-bangkok.com/?p=132")
    assert article.body == "" and article.body_html == ""
    assert article.categories == ["กทม.ชี้แจง"] and article.tags == []


def test_media_players_fallback_is_not_text():
    fragment = ('<p>ก่อน</p><div class="wp-video"><video class="wp-video-shortcode" controls>'
                '<source type="video/mp4" src="https://x/bma-clip.mp4?_=1" />'
                '<a href="https://x/bma-clip.mp4">https://x/bma-clip.mp4</a></video></div>'
                '<audio class="wp-audio-shortcode" controls><a href="https://x/a.mp3">https://x/a.mp3</a>'
                '</audio><p>หลัง</p>')
    assert html_to_text(fragment) == "ก่อน\nหลัง"


def test_the_feed_marks_the_protected_item_by_its_password_form():
    items = discovery.parse_feed((FIXTURES / "genuine" / "feed_page1.xml").read_bytes())
    assert len(items) == 10
    assert [wp.post_id_from_url(i.link) for i in items if i.protected] == ["130"]
    assert all(i.published and i.published.endswith("+07:00") for i in items)


def _spider(known: dict[str, str]) -> PrBangkokSpider:
    spider = PrBangkokSpider.from_crawler(get_crawler(PrBangkokSpider),
                                          window_start="2024-06-01T00:00:00+07:00")
    spider.known_hashes = known
    spider.known_ids = set(known)
    return spider


def _article(body: str, modified_at: str | None = None) -> Article:
    return Article(url="https://pr-bangkok.com/?p=5", canonical_url="https://pr-bangkok.com/?p=5",
                   source="pr-bangkok", source_id="5", title="ข่าวเก่า", body=body,
                   published_at="2024-01-10T09:00:00+07:00", modified_at=modified_at)


def test_a_page_without_a_modified_time_is_judged_by_its_content_hash():
    landed = _article("ข้อความเดิม")
    spider = _spider({landed.id: landed.content_hash})
    unchanged = spider.emit(_article("ข้อความเดิม"))
    assert unchanged is not None and unchanged.modified_at == "2024-01-10T09:00:00+07:00"
    edited = spider.emit(_article("ข้อความแก้ไข"))
    assert edited is not None and edited.modified_at == edited.fetched_at
    # Never landed and published before the window: out of it.
    assert _spider({}).emit(_article("ข้อความเดิม")) is None
    # A time stamp the source gives (REST, article:modified_time) is believed.
    assert spider.emit(_article("ข้อความแก้ไข", "2024-01-11T09:00:00+07:00")) is None


def test_the_recheck_reads_the_newest_landed_posts_first_within_its_limit(monkeypatch):
    from scrapy.http import Request, XmlResponse

    from crawler.sources.pr_bangkok import spider as spider_module

    landed = {wp.canonical_post_url(i): "hash" for i in range(1, 11)}  # posts 1-10 landed
    spider = _spider({Article(url=u, canonical_url=u, source="pr-bangkok", source_id=None,
                              title="", body="").id: h for u, h in landed.items()})
    monkeypatch.setattr(spider_module, "MAX_RECHECKED_POSTS", 3)
    url = "http://127.0.0.1:8080/?sitemap=posts&sitemap-subtype=post&paged=1"
    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>http://127.0.0.1:8080/?p={i}</loc></url>" for i in range(1, 13))
            + "</urlset>").encode()
    response = XmlResponse(url=url, body=body, request=Request(url, meta={"recheck": True}))
    requests = list(spider.parse_sitemap(response))
    # Ids 11 and 12 were never landed (the feed finds new posts); of 1-10 the newest three.
    assert [wp.post_id_from_url(r.url) for r in requests] == ["10", "9", "8"]
    assert spider.crawler.stats.get_value("bma/recheck_limit") == 7


def test_without_its_heading_the_title_comes_from_the_document_title():
    page = doc("article_124_block_texturised.html")
    for heading in page.xpath('//*[contains(@class, "wp-block-post-title")]'):
        heading.drop_tree()
    assert "&#8211;" in (FIXTURES / "article_124_block_texturised.html").read_text(encoding="utf-8")
    article = wp.VERSIONS[1].parse(page, "https://pr-bangkok.com/?p=124")
    assert article.title == "ผู้ว่าฯ “ชัชชาติ” ตรวจถนน — ขนาด 5×7 เมตร & ทางเท้า"
