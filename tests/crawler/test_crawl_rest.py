"""Real Scrapy crawls of pr-bangkok against a local WordPress-like site (REST API path)."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from pathlib import Path

from crawler.parsing.article import article_id, content_hash

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


BANGKOK = timezone(timedelta(hours=7))


def fixture_posts() -> list[dict]:
    return json.loads((FIXTURES / "pr-bangkok" / "site" / "posts.json").read_text(encoding="utf-8"))


def by_source_id(records: list[dict]) -> dict[str, dict]:
    return {r["source_id"]: r for r in records}


def test_every_post_lands_once_with_its_title_date_and_body(wp_site, run_crawl):
    posts = fixture_posts()
    with wp_site(posts) as server:
        added = {}

        def shift_order(path: str) -> None:
            # A post published while we read page 1 pushes page 1's last post onto page 2.
            if "rest_route=/wp/v2/posts" in path and "page=1&" in path and not added:
                added["post"] = server.site.add_post({
                    "id": 399999, "title": "ข่าวด่วนระหว่างการเก็บข้อมูล",
                    "content": "<p>เพิ่งเผยแพร่</p>", "date": "2024-08-20T09:00:00"})

        server.site.after_request = shift_order
        server.site.fail("rest_route=/wp/v2/posts", status=500, times=1, when="page=2&")
        result = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01",
                           env={"BMA_NEWS_CRAWL_PAGE_SIZE": "5"})
        paths = server.paths()
    assert result.returncode == 0, result.stderr
    counts = result.summary["counts"]
    expected = {str(p["id"]): p["expected"] for p in posts if p["expected"]}
    got = by_source_id(result.records)
    # Exactly once each: the shifted post was seen twice and counted as a duplicate.
    assert sorted(r["source_id"] for r in result.records) == sorted(expected)
    assert counts["duplicate"] == 1, counts
    assert counts["skipped"] == {"empty": 1}, counts
    assert sum(1 for p in paths if "page=2&" in p and "rest_route" in p) == 2  # 500, then retry
    for source_id, want in expected.items():
        record = got[source_id]
        assert record["title"] == want["title"]
        assert record["body"] == want["body"]
        assert record["published_at"] == want["published_at"]
        assert record["modified_at"] == want["modified_at"]
        assert "<script" not in record["body_html"] and "<style" not in record["body_html"]
        assert record["canonical_url"] == f"https://pr-bangkok.com/?p={source_id}"
        assert record["id"] == article_id(record["canonical_url"])
        assert record["content_hash"] == content_hash(record["title"], record["body"])
        assert record["url"] == f"{server.url}/?p={source_id}"
        assert record["source"] == "pr-bangkok" and record["language"] == "th"
    assert got["384079"]["categories"] == ["ข่าวผู้บริหาร"]
    assert got["384079"]["tags"] == ["PM2.5", "ฝุ่น"]
    assert got["384082"]["images"] == [{
        "url": "https://pr-bangkok.com/wp-content/uploads/2024/08/a.jpg",
        "caption": "ภาพทางเท้าหลังซ่อม"}]
    # Counts reconcile: every article seen is new, updated, unchanged or a duplicate.
    assert counts["articles"] == counts["new"] + counts["updated"] + counts["unchanged"] + counts["duplicate"]
    assert counts["new"] == len(expected)


# The re-run and the edit + add delta against a genuine WordPress (REST open and closed):
# tests/crawler/test_genuine_wordpress.py.


# --until, --out/--state, the WARC archive and term names without _embed: against a genuine
# WordPress in tests/crawler/test_genuine_wordpress.py. The stand-in stays for the faults.


def test_a_list_that_shrinks_mid_crawl_ends_on_the_400_without_error(wp_site, run_crawl):
    posts = fixture_posts()  # 15 posts: pages of 5 are 3
    with wp_site(posts) as server:
        oldest = sorted(server.site.posts.values(), key=lambda p: (p["modified"], p["id"]))[:5]

        def delete_after_page_2(path: str) -> None:
            # Posts on the last page are deleted after page 2 announced 3 pages.
            if "rest_route=/wp/v2/posts" in path and "page=2&" in path:
                for post in oldest:
                    server.site.delete_post(post["id"])

        server.site.after_request = delete_after_page_2
        result = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01",
                           env={"BMA_NEWS_CRAWL_PAGE_SIZE": "5"})
        statuses = [r.status for r in server.requests if "page=3&" in r.path]
    assert statuses == [400]
    assert result.returncode == 0 and result.summary["status"] == "ok", result.stderr
    assert len(result.records) == 10 - 1  # pages 1 and 2, less the empty post


def test_429_is_retried_after_the_retry_after_delay(wp_site, run_crawl):
    with wp_site(fixture_posts()) as server:
        server.site.fail("rest_route=/wp/v2/posts", status=429, times=1, headers={"Retry-After": "2"})
        result = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01")
        attempts = [r for r in server.requests if "rest_route" in r.path]
    assert result.returncode == 0, result.stderr
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.9
    assert len(result.records) == 14


def test_a_page_lost_after_retries_keeps_the_watermark_and_the_next_run_recovers(wp_site, run_crawl, data_dir):
    with wp_site(fixture_posts()) as server:
        server.site.fail("rest_route=/wp/v2/posts", status=503, times=4, when="page=2&")
        first = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01",
                          env={"BMA_NEWS_CRAWL_PAGE_SIZE": "5"})
        assert first.returncode == 0, first.stderr
        assert first.summary["status"] == "partial"
        # Page 2 (posts 6-10 by modification, the empty post among them) is lost.
        assert first.summary["counts"]["skipped"] == {"http_503": 1}
        assert len(first.records) == 10
        watermark = json.loads((data_dir / "state" / "pr-bangkok" / "watermark.json").read_text())
        assert watermark["modified_at"] is None  # not moved past the lost page
        second = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01",
                           env={"BMA_NEWS_CRAWL_PAGE_SIZE": "5"})
    assert second.summary["status"] == "ok"
    landed = [r["source_id"] for r in first.records + second.records]
    assert len(landed) == len(set(landed)) == 14  # the lost page's posts, and only them
    assert len(second.records) == 4 and second.summary["counts"]["skipped"] == {"empty": 1}
