"""A WordPress stand-in (not WordPress): the demo's sample site, and the faults a genuine
WordPress cannot be made to produce (a 500 mid-listing, a gzip bomb, a private redirect).

It follows the semantics of the real WordPress REST API closely enough that a crawler
which works against it works against pr-bangkok.com (plain permalinks):

    from demo.wordpress import WordPressSite, serve

    site = WordPressSite([
        {"id": 101, "title": "กทม. &#8211; ข่าว", "content": "<p>เนื้อหา</p>",
         "date": "2024-05-23T16:30:00", "categories": ["ข่าวผู้บริหาร"], "tags": ["PM2.5"]},
    ])
    with serve(site) as server:          # 127.0.0.1, ephemeral port, threaded
        print(server.url)                 # http://127.0.0.1:PORT
        site.update_post(101, content="<p>แก้ไข</p>")   # bumps `modified` like an edit
        site.add_post({...})
        site.fail("rest_route=/wp/v2/posts", status=500, times=1, when="page=2")
        server.requests                   # every request served: list of RequestLog

Post dicts: `id` (int, required), `title`, `content` (HTML as WordPress renders it),
`excerpt`, `date` and `modified` (site-local time, Bangkok, "YYYY-MM-DDTHH:MM:SS";
`modified` defaults to `date`), `categories` and `tags` (names; ids are assigned),
`slug`, `featured_image` ({"url", "caption"}).

Routes (plain permalinks, as pr-bangkok.com):
- `/?rest_route=/wp/v2/posts` with `per_page` (1-100, default 10), `page`, `orderby`
  (date|modified|id|title), `order` (asc|desc), `after`, `before`, `modified_after`,
  `modified_before` (exclusive, ISO 8601, site-local unless an offset is given),
  `include`, `_embed` (`wp:term` and `wp:featuredmedia`); headers `X-WP-Total` and
  `X-WP-TotalPages`; HTTP 400 `rest_post_invalid_page_number` past the last page and
  `rest_invalid_param` for a bad `per_page`. `/wp-json/wp/v2/...` answers the same when
  `pretty_permalinks=True`, else 404 (as on a plain-permalink site).
- `/?rest_route=/wp/v2/categories` and `/wp/v2/tags` (`include`, `per_page`, `page`).
- `/?p=ID`: the article page (theme chrome, `article:published_time`, shortlink).
- `/?feed=rss2&paged=N` (10 items a page, newest first), `/?sitemap=index` and
  `/?sitemap=posts&sitemap-subtype=post&paged=N`, `/` and `/?paged=N` listings.
- `/robots.txt`: `robots_txt` (a string; None answers 404).
- `rest_enabled=False` answers the REST routes with 404 `rest_no_route` (API switched off);
  `feed_enabled` / `sitemap_enabled` likewise switch those off; `embed_enabled=False`
  ignores `_embed` (as sites that strip `_embedded` do).
- `routes`: extra exact paths (`"/x?y=1"`) to a `Route(status, body, headers, delay)`.
- `delay`: seconds to sleep before every response (for interrupt tests).
- `after_request`: a callable given each path once it is answered (change the site mid-crawl).
"""

from __future__ import annotations

import html
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from core.thai_calendar import BANGKOK

RSS_PAGE_SIZE = 10
LISTING_PAGE_SIZE = 10
SITEMAP_PAGE_SIZE = 2000


@dataclass
class Route:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Fault:
    contains: str
    status: int
    times: int
    when: str = ""
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestLog:
    method: str
    path: str  # path and query as requested
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


def _parse_site_time(value: str) -> datetime:
    """A REST date parameter: naive values are site-local (Bangkok), like WordPress."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BANGKOK)
    return parsed


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=BANGKOK)


def _gmt(value: str) -> str:
    return _local(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class WordPressSite:
    """The in-memory site: posts, terms and switches. Thread-safe for the server."""

    def __init__(
        self,
        posts: list[dict] | None = None,
        *,
        robots_txt: str | None = "User-agent: *\nDisallow: /wp-admin/\n",
        rest_enabled: bool = True,
        feed_enabled: bool = True,
        sitemap_enabled: bool = True,
        pretty_permalinks: bool = False,
        embed_enabled: bool = True,
        delay: float = 0.0,
    ):
        self.lock = threading.RLock()
        self.posts: dict[int, dict] = {}
        self.terms: dict[str, dict[str, int]] = {"category": {}, "post_tag": {}}
        self.robots_txt = robots_txt
        self.rest_enabled = rest_enabled
        self.feed_enabled = feed_enabled
        self.sitemap_enabled = sitemap_enabled
        self.pretty_permalinks = pretty_permalinks
        self.embed_enabled = embed_enabled
        self.delay = delay
        self.routes: dict[str, Route] = {}
        self.faults: list[Fault] = []
        self.base_url = "http://127.0.0.1"
        # Called with each request's path after it is answered (to change the site mid-crawl).
        self.after_request: Callable[[str], None] | None = None
        for post in posts or []:
            self.add_post(post)

    # --- changing the site ------------------------------------------------------------
    def add_post(self, post: dict) -> dict:
        with self.lock:
            stored = dict(post)
            stored["id"] = int(stored["id"])
            stored.setdefault("title", "")
            stored.setdefault("content", "")
            stored.setdefault("excerpt", "")
            stored.setdefault("date", datetime.now(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S"))
            stored.setdefault("modified", stored["date"])
            stored.setdefault("categories", [])
            stored.setdefault("tags", [])
            stored.setdefault("slug", f"post-{stored['id']}")
            for name in stored["categories"]:
                self._term_id("category", name)
            for name in stored["tags"]:
                self._term_id("post_tag", name)
            self.posts[stored["id"]] = stored
            return stored

    def update_post(self, post_id: int, *, modified: str | None = None, **changes) -> dict:
        """Edit a post; `modified` moves to now (or the given time), as WordPress does."""
        with self.lock:
            post = self.posts[post_id]
            post.update(changes)
            post["modified"] = modified or datetime.now(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S")
            for name in post["categories"]:
                self._term_id("category", name)
            for name in post["tags"]:
                self._term_id("post_tag", name)
            return post

    def delete_post(self, post_id: int) -> None:
        with self.lock:
            self.posts.pop(post_id, None)

    def fail(self, contains: str, *, status: int = 500, times: int = 1, when: str = "",
             body: str = "", headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests whose path contains `contains` (and `when`)."""
        with self.lock:
            self.faults.append(Fault(contains, status, times, when, body, dict(headers or {})))

    def _term_id(self, taxonomy: str, name: str) -> int:
        ids = self.terms[taxonomy]
        if name not in ids:
            ids[name] = (1 if taxonomy == "category" else 1001) + len(ids)
        return ids[name]

    # --- rendering --------------------------------------------------------------------
    def link(self, post_id: int) -> str:
        return f"{self.base_url}/?p={post_id}"

    def _term_json(self, taxonomy: str, name: str) -> dict:
        term_id = self.terms[taxonomy][name]
        return {
            "id": term_id, "name": html.escape(name, quote=False), "slug": f"term-{term_id}",
            "taxonomy": taxonomy, "link": f"{self.base_url}/?"
            + ("cat" if taxonomy == "category" else "tag") + f"={term_id}",
        }

    def post_json(self, post: dict, embed: bool) -> dict:
        document = {
            "id": post["id"],
            "date": post["date"], "date_gmt": _gmt(post["date"]),
            "guid": {"rendered": f"{self.base_url}/?p={post['id']}"},
            "modified": post["modified"], "modified_gmt": _gmt(post["modified"]),
            "slug": post["slug"], "status": "publish", "type": "post",
            "link": self.link(post["id"]),
            "title": {"rendered": post["title"]},
            "content": {"rendered": post["content"], "protected": False},
            "excerpt": {"rendered": post["excerpt"], "protected": False},
            "author": 1,
            "featured_media": 9000 + post["id"] if post.get("featured_image") else 0,
            "categories": [self.terms["category"][n] for n in post["categories"]],
            "tags": [self.terms["post_tag"][n] for n in post["tags"]],
            "_links": {"self": [{"href": f"{self.base_url}/?rest_route=/wp/v2/posts/{post['id']}"}]},
        }
        if embed:
            embedded: dict = {
                "author": [{"id": 1, "name": "pr-bangkok"}],
                "wp:term": [
                    [self._term_json("category", n) for n in post["categories"]],
                    [self._term_json("post_tag", n) for n in post["tags"]],
                ],
            }
            image = post.get("featured_image")
            if image:
                embedded["wp:featuredmedia"] = [{
                    "id": 9000 + post["id"], "source_url": image["url"],
                    "caption": {"rendered": f"<p>{html.escape(image.get('caption') or '')}</p>"},
                    "alt_text": "",
                }]
            document["_embedded"] = embedded
        return document

    def article_html(self, post: dict) -> str:
        cats = "".join(
            f'<a href="{self.base_url}/?cat={self.terms["category"][n]}" rel="category">{html.escape(n)}</a> '
            for n in post["categories"]
        )
        tags = "".join(
            f'<a href="{self.base_url}/?tag={self.terms["post_tag"][n]}" rel="tag">{html.escape(n)}</a> '
            for n in post["tags"]
        )
        published = _local(post["date"]).isoformat()
        modified = _local(post["modified"]).isoformat()
        return f"""<!DOCTYPE html>
<html lang="th"><head><meta charset="UTF-8">
<title>{post['title']} &#8211; ประชาสัมพันธ์กรุงเทพมหานคร</title>
<link rel="canonical" href="{self.link(post['id'])}">
<link rel='shortlink' href='{self.base_url}/?p={post['id']}'>
<meta property="og:title" content="{html.escape(html.unescape(post['title']))}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{modified}">
<style>.site-header{{color:red}}</style><script>var ga = 1;</script>
</head><body class="post-template-default single single-post postid-{post['id']}">
<header class="site-header"><form role="search"><input type="search"><button>Search</button></form>
<a href="#">Close this search box.</a><nav><ul><li><a href="/">หน้าแรก</a></li></ul></nav></header>
<main><article id="post-{post['id']}" class="post-{post['id']} post type-post">
<h1 class="entry-title">{post['title']}</h1>
<div class="entry-meta"><time class="entry-date published" datetime="{published}">{post['date']}</time></div>
<div class="entry-content">{post['content']}</div>
<footer class="entry-footer"><span class="cat-links">{cats}</span><span class="tags-links">{tags}</span></footer>
</article></main>
<footer class="site-footer">© กรุงเทพมหานคร</footer></body></html>"""

    def _sorted(self, orderby: str = "date", order: str = "desc") -> list[dict]:
        key = {
            "date": lambda p: (p["date"], p["id"]),
            "modified": lambda p: (p["modified"], p["id"]),
            "id": lambda p: (p["id"],),
            "title": lambda p: (p["title"], p["id"]),
        }[orderby]
        return sorted(self.posts.values(), key=key, reverse=order == "desc")

    # --- request handling -------------------------------------------------------------
    def handle(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.contains in path and fault.when in path:
                    fault.times -= 1
                    return (fault.status, {"Content-Type": "text/html", **fault.headers},
                            fault.body.encode())
            if path in self.routes:
                route = self.routes[path]
                body = route.body.encode() if isinstance(route.body, str) else route.body
                return route.status, dict(route.headers), body
            parts = urlsplit(path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if parts.path == "/robots.txt":
                if self.robots_txt is None:
                    return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
                return 200, {"Content-Type": "text/plain"}, self.robots_txt.encode()
            if parts.path.startswith("/wp-json/"):
                if not self.pretty_permalinks:
                    return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
                return self.rest(parts.path[len("/wp-json"):], query)
            if "rest_route" in query:
                return self.rest(query["rest_route"], query)
            if parts.path not in ("/", "/index.php"):
                return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
            if "p" in query:
                post = self.posts.get(int(query["p"])) if query["p"].isdigit() else None
                if post is None:
                    return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
                return 200, {"Content-Type": "text/html; charset=UTF-8"}, self.article_html(post).encode()
            if "feed" in query:
                return self.feed(int(query.get("paged", "1") or 1))
            if "sitemap" in query:
                return self.sitemap(query)
            return self.listing(int(query.get("paged", "1") or 1))

    def rest(self, route: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self.rest_enabled:
            return self._json(404, {"code": "rest_no_route", "message": "No route was found.",
                                    "data": {"status": 404}})
        if route.rstrip("/") == "/wp/v2/posts":
            return self.rest_posts(query)
        if route.rstrip("/") in ("/wp/v2/categories", "/wp/v2/tags"):
            taxonomy = "category" if route.rstrip("/").endswith("categories") else "post_tag"
            terms = [self._term_json(taxonomy, n) for n in self.terms[taxonomy]]
            if query.get("include"):
                wanted = {int(x) for x in query["include"].split(",") if x.strip().isdigit()}
                terms = [t for t in terms if t["id"] in wanted]
            return self._paged(terms, query)
        if route.startswith("/wp/v2/posts/"):
            post = self.posts.get(int(route.rsplit("/", 1)[1] or 0))
            if post is None:
                return self._json(404, {"code": "rest_post_invalid_id", "data": {"status": 404}})
            return self._json(200, self.post_json(post, "_embed" in query and self.embed_enabled))
        return self._json(404, {"code": "rest_no_route", "message": "No route was found.",
                                "data": {"status": 404}})

    def rest_posts(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        orderby = query.get("orderby", "date")
        order = query.get("order", "desc")
        if orderby not in ("date", "modified", "id", "title") or order not in ("asc", "desc"):
            return self._json(400, {"code": "rest_invalid_param", "data": {"status": 400}})
        try:
            bounds = {
                name: _parse_site_time(query[name])
                for name in ("after", "before", "modified_after", "modified_before")
                if query.get(name)
            }
        except ValueError:
            return self._json(400, {"code": "rest_invalid_param", "data": {"status": 400}})
        posts = self._sorted(orderby, order)
        for name, bound in bounds.items():
            column = "modified" if name.startswith("modified") else "date"
            if name.endswith("after"):
                posts = [p for p in posts if _local(p[column]) > bound]
            else:
                posts = [p for p in posts if _local(p[column]) < bound]
        if query.get("include"):
            wanted = {int(x) for x in query["include"].split(",") if x.strip().isdigit()}
            posts = [p for p in posts if p["id"] in wanted]
        embed = "_embed" in query and self.embed_enabled
        return self._paged([self.post_json(p, embed) for p in posts], query,
                           invalid_page_code="rest_post_invalid_page_number")

    def _paged(self, items: list, query: dict[str, str],
               invalid_page_code: str = "rest_invalid_page_number"):
        try:
            per_page = int(query.get("per_page", "10"))
            page = int(query.get("page", "1"))
        except ValueError:
            return self._json(400, {"code": "rest_invalid_param", "data": {"status": 400}})
        if not 1 <= per_page <= 100 or page < 1:
            return self._json(400, {"code": "rest_invalid_param",
                                    "message": "Invalid parameter(s): per_page",
                                    "data": {"status": 400}})
        total = len(items)
        total_pages = math.ceil(total / per_page)
        if page > total_pages and total > 0:
            return self._json(400, {
                "code": invalid_page_code,
                "message": "The page number requested is larger than the number of pages available.",
                "data": {"status": 400},
            })
        chunk = items[(page - 1) * per_page: page * per_page]
        return self._json(200, chunk, {"X-WP-Total": str(total), "X-WP-TotalPages": str(total_pages)})

    def feed(self, page: int) -> tuple[int, dict[str, str], bytes]:
        if not self.feed_enabled:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
        posts = self._sorted("date", "desc")[(page - 1) * RSS_PAGE_SIZE: page * RSS_PAGE_SIZE]
        if not posts and page > 1:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
        items = "".join(
            f"<item><title>{html.escape(html.unescape(p['title']))}</title>"
            f"<link>{self.link(p['id'])}</link>"
            f'<guid isPermaLink="false">{self.base_url}/?p={p["id"]}</guid>'
            f"<pubDate>{format_datetime(_local(p['date']).astimezone(UTC), usegmt=True)}</pubDate>"
            + "".join(f"<category><![CDATA[{c}]]></category>" for c in p["categories"])
            + "</item>"
            for p in posts
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>pr-bangkok</title><link>{self.base_url}</link>{items}</channel></rss>"
        )
        return 200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, body.encode()

    def sitemap(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self.sitemap_enabled:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if query.get("sitemap") == "index":
            pages = max(1, math.ceil(len(self.posts) / SITEMAP_PAGE_SIZE))
            entries = "".join(
                f"<sitemap><loc>{self.base_url}/?sitemap=posts&amp;sitemap-subtype=post&amp;paged={n}</loc></sitemap>"
                for n in range(1, pages + 1)
            ) + f"<sitemap><loc>{self.base_url}/?sitemap=users&amp;paged=1</loc></sitemap>"
            body = f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {ns}>{entries}</sitemapindex>'
        elif query.get("sitemap") == "posts":
            page = int(query.get("paged", "1") or 1)
            posts = self._sorted("id", "asc")[(page - 1) * SITEMAP_PAGE_SIZE: page * SITEMAP_PAGE_SIZE]
            entries = "".join(
                f"<url><loc>{self.link(p['id'])}</loc><lastmod>{_local(p['modified']).isoformat()}</lastmod></url>"
                for p in posts
            )
            body = f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}>{entries}</urlset>'
        else:
            body = f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}></urlset>'
        return 200, {"Content-Type": "application/xml; charset=UTF-8"}, body.encode()

    def listing(self, page: int) -> tuple[int, dict[str, str], bytes]:
        posts = self._sorted("date", "desc")
        chunk = posts[(page - 1) * LISTING_PAGE_SIZE: page * LISTING_PAGE_SIZE]
        if not chunk and page > 1:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
        links = "".join(
            f'<article><h2 class="entry-title"><a href="{self.link(p["id"])}" rel="bookmark">{p["title"]}</a></h2></article>'
            for p in chunk
        )
        more = len(posts) > page * LISTING_PAGE_SIZE
        nav = f'<a class="next page-numbers" href="{self.base_url}/?paged={page + 1}">ถัดไป</a>' if more else ""
        body = f'<!DOCTYPE html><html><head><meta charset="UTF-8"><title>pr-bangkok</title></head><body><main>{links}</main><nav>{nav}</nav></body></html>'
        return 200, {"Content-Type": "text/html; charset=UTF-8"}, body.encode()

    @staticmethod
    def _json(status: int, payload, headers: dict[str, str] | None = None):
        merged = {"Content-Type": "application/json; charset=UTF-8"}
        merged.update(headers or {})
        return status, merged, json.dumps(payload, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.server.site
        entry = RequestLog("GET", self.path, dict(self.headers.items()))
        self.server.requests.append(entry)
        status, headers, body = site.handle(self.path)
        route = site.routes.get(self.path)
        delay = site.delay + (route.delay if route else 0.0)
        if delay:
            time.sleep(delay)
        entry.status = status
        try:
            self.send_response(status)
            headers.setdefault("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if site.after_request is not None:
            site.after_request(self.path)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep tests quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        # Clients that give up (timeouts, cancelled oversized downloads) are part of the tests.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def __init__(self, site: WordPressSite, host: str, port: int):
        super().__init__((host, port), _Handler)
        self.site = site
        self.requests: list[RequestLog] = []


@dataclass
class RunningServer:
    url: str
    site: WordPressSite
    requests: list[RequestLog]
    port: int

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


@contextmanager
def serve(site: WordPressSite, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    """Serve `site` on a background thread until the block ends."""
    server = _Server(site, host, port)
    actual_port = server.server_address[1]
    site.base_url = f"http://{host}:{actual_port}"
    thread = threading.Thread(target=server.serve_forever, name="wp-server", daemon=True)
    thread.start()
    try:
        yield RunningServer(site.base_url, site, server.requests, actual_port)
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """`python -m demo.wordpress POSTS.json [PORT]`: serve a site by hand."""
    import sys
    from pathlib import Path

    posts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else []
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8765
    with serve(WordPressSite(posts), port=port) as server:
        print(f"serving {len(posts)} posts at {server.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
