"""When the REST API is off: RSS, then the sitemap, then HTML listings; and the legacy site."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from demo.wordpress import Route, WordPressSite, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def site_posts() -> list[dict]:
    posts = json.loads((FIXTURES / "pr-bangkok" / "site" / "posts.json").read_text(encoding="utf-8"))
    return [p for p in posts if p["expected"]]


def check_records(records: list[dict], posts: list[dict]) -> None:
    got = {r["source_id"]: r for r in records}
    assert sorted(got) == sorted(str(p["id"]) for p in posts)
    for post in posts:
        record, want = got[str(post["id"])], post["expected"]
        assert (record["title"], record["body"]) == (want["title"], want["body"])
        assert record["published_at"] == want["published_at"]
        assert record["canonical_url"] == f"https://pr-bangkok.com/?p={post['id']}"


# Every fallback (feed, sitemap, listings) against a genuine WordPress, the REST API closed:
# tests/crawler/test_genuine_wordpress.py. The stand-in stays for what WordPress cannot be
# made to do here: a plain-permalink route that 404s while /wp-json/ answers.


def test_pretty_permalink_site_answers_on_wp_json(run_crawl):
    posts = site_posts()
    site = WordPressSite(posts, pretty_permalinks=True)
    site.routes["/?rest_route=/wp/v2/posts"] = Route(404, "<h1>Not Found</h1>")
    with serve(site) as server:
        # A plain-permalink route that 404s (a security plugin) while /wp-json/ works.
        server.site.fail("rest_route=", status=404, times=10)
        result = run_crawl("pr-bangkok", server.url, "--since", "2024-01-01")
        paths = server.paths()
    assert result.returncode == 0, result.stderr
    assert any(p.startswith("/wp-json/wp/v2/posts") for p in paths)
    check_records(result.records, posts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_site_exits_non_zero_with_one_line(run_crawl):
    port = _free_port()  # nothing listens there: connection refused everywhere
    result = run_crawl("pr-bangkok", f"http://127.0.0.1:{port}", "--since", "2024-01-01")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: site unreachable"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.summary["status"] == "unreachable"
    assert result.summary["counts"]["fetched"] == 0


def test_bad_input_is_one_line_not_a_traceback(run_crawl):
    result = run_crawl("pr-bangkok", "ftp://example.org", "--since", "yesterday")
    assert result.returncode != 0
    assert result.stderr.strip().startswith("error:") and "Traceback" not in result.stderr


LEGACY = FIXTURES / "prbangkok-legacy"


def legacy_site() -> WordPressSite:
    """The legacy archive as static routes on the same local server."""
    site = WordPressSite([], rest_enabled=False)
    pages = {}
    for name in ("custom_2019_utf8", "custom_2020_tis620", "joomla_2017_windows874"):
        url = (LEGACY / f"{name}.url").read_text(encoding="utf-8").strip()
        path = url.split("prbangkok.com", 1)[1]
        from urllib.parse import quote

        quoted = quote(path, safe="/?&=-")
        charset = "utf-8" if "utf8" in name else None
        headers = {"Content-Type": f"text/html; charset={charset}" if charset else "text/html"}
        pages[quoted] = Route(200, (LEGACY / f"{name}.html").read_bytes(), headers)
    links = "".join(f'<a href="{p}">ข่าว</a>' for p in pages)
    home = f'<html><head><meta charset="utf-8"></head><body><a href="/th/hotnews">ข่าวเด่น</a>{links}<a href="/th/%E0%B8%97%E0%B8%B1%E0%B9%88%E0%B8%A7%E0%B9%84%E0%B8%9B/view/broken">เสีย</a></body></html>'
    site.routes.update(pages)
    site.routes["/"] = Route(200, home, {"Content-Type": "text/html; charset=utf-8"})
    site.routes["/th/hotnews"] = Route(200, f"<html><body>{links}</body></html>", {"Content-Type": "text/html"})
    site.routes["/th/%E0%B8%97%E0%B8%B1%E0%B9%88%E0%B8%A7%E0%B9%84%E0%B8%9B/view/broken"] = Route(
        200, "<html><body><p>ไม่มีเนื้อหา</p></body></html>", {"Content-Type": "text/html"})
    return site


def test_legacy_crawl_lands_both_eras_and_encodings_then_nothing(run_crawl):
    with serve(legacy_site()) as server:
        first = run_crawl("prbangkok-legacy", server.url)
        second = run_crawl("prbangkok-legacy", server.url)
    assert first.returncode == 0, first.stderr
    expected = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in LEGACY.glob("*.json")}
    got = {r["source_id"]: r for r in first.records}
    assert sorted(got) == ["12918", "20551", "2218"]
    for name in ("custom_2019_utf8", "custom_2020_tis620", "joomla_2017_windows874"):
        want = expected[name]
        record = got[want["source_id"]]
        assert record["canonical_url"] == want["canonical_url"]
        assert (record["title"], record["body"], record["published_at"]) == (
            want["title"], want["body"], want["published_at"])
    # The broken page, and three linked articles this test site does not serve (the
    # "related" links of the 2019-21 pages and the Joomla page's non-print URL).
    assert first.summary["counts"]["skipped"] == {"not_article": 1, "http_404": 3}
    assert second.returncode == 0 and second.records == []
