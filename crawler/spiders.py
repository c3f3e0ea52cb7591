"""Spiders: they only navigate; the parsers in `crawler.sources` turn pages into articles.

`PrBangkokSpider` lists posts through the WordPress REST API and falls back, in order, to
`/wp-json/`, RSS, the core sitemap and HTML listings when the API is off.
`LegacySpider` walks the legacy archive's listings and article pages.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from crawler.models import SkipPage, article_id
from crawler.sources import get_source
from crawler.sources import pr_bangkok as wp
from crawler.sources import prbangkok_legacy as legacy
from crawler.state import SourceState
from crawler.thai_dates import BANGKOK, parse_iso_datetime

# Statuses the callbacks see (after retries) instead of Scrapy dropping them silently.
HANDLED_STATUSES = [400, 401, 403, 404, 410, 429, 500, 502, 503, 504]
# WordPress refuses per_page above 100.
WP_MAX_PER_PAGE = 100
# A sitemap index with more children than this is not WordPress's; stop rather than loop.
MAX_SITEMAPS = 1000
# HTML listings are the last resort; a site with more pages than this is not walked whole.
MAX_LISTING_PAGES = 5000


class BaseSpider(scrapy.Spider):
    source_name = ""

    def __init__(self, *args, run=None, base_url: str | None = None,
                 window_start: str | None = None, window_end: str | None = None,
                 page_size: int = WP_MAX_PER_PAGE, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = get_source(self.source_name)
        self.run = run
        self.base_url = (base_url or self.source.origin).rstrip("/")
        self.base_netloc = urlsplit(self.base_url).netloc.lower() if base_url else None
        self.source_domains = self.source.allowed_domains
        self.window_start = parse_iso_datetime(window_start)
        self.window_end = parse_iso_datetime(window_end)
        self.page_size = max(1, min(int(page_size), WP_MAX_PER_PAGE))
        self.incomplete = False  # a listing page was lost: do not advance the watermark
        self.exhausted = False  # no way of listing articles worked
        self.strategy_used: str | None = None
        self.known_ids: set[str] = set()
        self.term_names: dict[str, dict[str, str]] = {}  # taxonomy -> id -> name
        if run is not None:
            self.known_ids = set(SourceState.load(run.state_dir, self.source_name).hashes)

    # --- helpers ---------------------------------------------------------------------
    def site_url(self, path_and_query: str) -> str:
        return f"{self.base_url}{path_and_query}"

    def skip(self, reason: str, url: str = "") -> None:
        self.crawler.stats.inc_value(f"bma/skipped/{reason}")
        self.logger.info("skipped %s (%s)", url, reason)

    def request(self, url: str, callback, *, meta: dict | None = None, **cb_kwargs) -> scrapy.Request:
        merged = {"handle_httpstatus_list": HANDLED_STATUSES}
        merged.update(meta or {})
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=merged,
                              cb_kwargs=cb_kwargs)

    def in_window(self, record: dict) -> bool:
        stamp = parse_iso_datetime(record.get("modified_at") or record.get("published_at"))
        if stamp is None:
            return True
        if self.window_start and stamp < self.window_start:
            return False
        return not (self.window_end and stamp >= self.window_end)

    def site_url_for(self, link: str) -> str:
        """A link as the crawl requests it; the safety middleware maps the source's hosts."""
        return urljoin(self.base_url + "/", link)

    def emit(self, article, response: Response) -> dict | None:
        record = article.to_record(datetime.now(BANGKOK))
        if not self.in_window(record):
            self.skip("out_of_window", record["url"])
            return None
        return record

    def parse_article(self, response: Response):
        if response.status != 200:
            self.skip(f"http_{response.status}", response.url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        article = self.parse_safely(self.source.parse, response.url, response.body,
                                    response.url, content_type)
        if article is None:
            return
        if (record := self.emit(article, response)) is not None:
            yield record

    def parse_safely(self, parser, where: str, *args):
        """The parser's Article, or None with the page skipped and counted: never a crash."""
        try:
            return parser(*args)
        except SkipPage as skipped:
            self.skip(skipped.reason, where)
        except Exception:  # a parser bug must cost one page, not the crawl
            self.logger.exception("parser failed on %s", where)
            self.skip("parser_error", where)
        return None

    def on_error(self, failure):
        request = failure.request
        message = str(failure.value)
        if failure.check(IgnoreRequest):
            if "MAXSIZE" in message:
                reason = "too_large"  # a decompression bomb or an oversized body
            elif "robots.txt" in message:
                reason = "robots"
            else:
                reason = "refused"  # counted by reason under "blocked" by the middleware
        elif failure.check(DownloadCancelledError):
            reason = "too_large"  # Scrapy cancels a body announced or grown past DOWNLOAD_MAXSIZE
        elif hasattr(failure.value, "response") and failure.value.response is not None:
            reason = f"http_{failure.value.response.status}"
        else:
            reason = "download_error"
            self.crawler.stats.inc_value("bma/download_errors")
        self.skip(reason, request.url)
        strategy = request.meta.get("first_of")
        if strategy:  # the next way of listing takes over; nothing is lost yet
            yield from self.fallback(strategy)
        elif request.meta.get("listing"):
            self.incomplete = True

    def fallback(self, failed: str):
        return iter(())


class PrBangkokSpider(BaseSpider):
    name = "pr-bangkok"
    source_name = "pr-bangkok"
    strategies = ("rest_route", "wp_json", "feed", "sitemap", "listing")

    async def start(self):
        yield self.first_request("rest_route")

    def first_request(self, strategy: str) -> scrapy.Request:
        meta = {"first_of": strategy, "listing": True}
        if strategy in ("rest_route", "wp_json"):
            return self.request(self.rest_url(1, strategy), self.parse_rest, meta=meta,
                                page=1, strategy=strategy)
        if strategy == "feed":
            return self.request(self.site_url("/?feed=rss2&paged=1"), self.parse_feed,
                                meta=meta, page=1)
        if strategy == "sitemap":
            return self.request(self.site_url("/?sitemap=index"), self.parse_sitemap, meta=meta)
        return self.request(self.site_url("/?paged=1"), self.parse_listing, meta=meta, page=1)

    def fallback(self, failed: str):
        position = self.strategies.index(failed)
        if position + 1 < len(self.strategies):
            following = self.strategies[position + 1]
            self.logger.warning("%s gave nothing usable; falling back to %s", failed, following)
            yield self.first_request(following)
        else:
            self.exhausted = True
            self.logger.error("no way of listing posts worked (REST, RSS, sitemap, listings)")

    # --- REST ------------------------------------------------------------------------
    def rest_url(self, page: int, strategy: str) -> str:
        params: dict[str, str | int] = {
            "per_page": self.page_size, "page": page,
            # Newest modification first: a post edited or added during the crawl pushes
            # others down a page (seen twice, deduplicated) instead of up (missed).
            "orderby": "modified", "order": "desc", "_embed": 1,
        }
        # WordPress compares these with the site-local `post_modified` column: send local time.
        if self.window_start:
            params["modified_after"] = self.window_start.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S")
        if self.window_end:
            params["modified_before"] = self.window_end.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S")
        if strategy == "rest_route":
            return self.site_url("/?rest_route=/wp/v2/posts&" + urlencode(params))
        return self.site_url("/wp-json/wp/v2/posts?" + urlencode(params))

    def parse_rest(self, response: Response, page: int, strategy: str):
        if response.status == 400 and page > 1 and b"rest_post_invalid_page_number" in response.body:
            return  # past the last page: the list shrank while we walked it
        posts = None
        if response.status == 200:
            try:
                posts = json.loads(response.body)
            except ValueError:
                posts = None
        if not isinstance(posts, list):
            reason = "not_json" if response.status == 200 else f"http_{response.status}"
            self.skip(reason, response.url)
            if page == 1:
                yield from self.fallback(strategy)
                return
            self.incomplete = True
            total_pages = int(response.meta.get("total_pages", 0))
            if page < total_pages:
                yield self.rest_next(page, strategy, total_pages)
            return
        self.strategy_used = "rest"
        waiting = [p for p in posts if self.needs_term_names(p)]
        for post in posts:
            if not any(post is w for w in waiting):
                yield from self.emit_post(post, response.url)
        if waiting:
            # The site ignored _embed: resolve the term ids, then emit those posts.
            yield from self.term_request(waiting, "categories", strategy)
        header = response.headers.get(b"X-WP-TotalPages")
        try:
            total_pages = int(header) if header else None
        except ValueError:
            total_pages = None
        if total_pages is None:
            total_pages = page + 1 if len(posts) >= self.page_size else page
        if page < total_pages:
            yield self.rest_next(page, strategy, total_pages)

    def emit_post(self, post, source_url: str):
        where = f"{source_url}#{post.get('id') if isinstance(post, dict) else '?'}"
        article = self.parse_safely(wp.parse_rest_post, where, post, source_url)
        if article is None:
            return
        record = article.to_record(datetime.now(BANGKOK))
        if self.in_window(record):
            yield record
        else:
            self.skip("out_of_window", record["url"])

    # --- term names when _embed is not honoured ---------------------------------------
    def needs_term_names(self, post) -> bool:
        if not isinstance(post, dict):
            return False
        embedded = post.get("_embedded")
        if isinstance(embedded, dict) and embedded.get("wp:term"):
            return False
        return bool(post.get("categories") or post.get("tags"))

    def term_request(self, posts: list[dict], taxonomy: str, strategy: str):
        cache = self.term_names.setdefault(taxonomy, {})
        wanted = sorted({i for p in posts for i in (p.get(taxonomy) or [])
                         if isinstance(i, int) and str(i) not in cache})[:WP_MAX_PER_PAGE]
        if not wanted:
            yield from self.after_terms(posts, taxonomy, strategy)
            return
        query = urlencode({"include": ",".join(map(str, wanted)), "per_page": WP_MAX_PER_PAGE})
        route = f"/wp/v2/{taxonomy}"
        url = (self.site_url(f"/?rest_route={route}&{query}") if strategy == "rest_route"
               else self.site_url(f"/wp-json{route}?{query}"))
        yield scrapy.Request(url, callback=self.parse_terms, errback=self.terms_failed,
                             meta={"handle_httpstatus_list": HANDLED_STATUSES},
                             cb_kwargs={"posts": posts, "taxonomy": taxonomy, "strategy": strategy})

    def parse_terms(self, response: Response, posts: list[dict], taxonomy: str, strategy: str):
        try:
            terms = json.loads(response.body) if response.status == 200 else []
        except ValueError:
            terms = []
        cache = self.term_names.setdefault(taxonomy, {})
        for term in terms if isinstance(terms, list) else []:
            if isinstance(term, dict) and isinstance(term.get("id"), int) and term.get("name"):
                cache[str(term["id"])] = str(term["name"])
        yield from self.after_terms(posts, taxonomy, strategy)

    def terms_failed(self, failure):
        kwargs = failure.request.cb_kwargs
        self.skip("terms_unavailable", failure.request.url)
        yield from self.after_terms(kwargs["posts"], kwargs["taxonomy"], kwargs["strategy"])

    def after_terms(self, posts: list[dict], taxonomy: str, strategy: str):
        if taxonomy == "categories":
            yield from self.term_request(posts, "tags", strategy)
            return
        for post in posts:
            groups = []
            for name, wp_taxonomy in (("categories", "category"), ("tags", "post_tag")):
                cache = self.term_names.get(name, {})
                groups.append([{"name": cache[str(i)], "taxonomy": wp_taxonomy}
                               for i in post.get(name) or [] if str(i) in cache])
            embedded = dict(post.get("_embedded") or {})
            embedded["wp:term"] = groups
            yield from self.emit_post({**post, "_embedded": embedded}, self.site_url("/"))

    def rest_next(self, page: int, strategy: str, total_pages: int) -> scrapy.Request:
        return self.request(self.rest_url(page + 1, strategy), self.parse_rest,
                            meta={"listing": True, "total_pages": total_pages},
                            page=page + 1, strategy=strategy)

    # --- RSS -------------------------------------------------------------------------
    def parse_feed(self, response: Response, page: int):
        try:
            if response.status != 200:
                raise SkipPage(f"http_{response.status}")
            items = wp.parse_feed(response.body)
        except SkipPage as skipped:
            if page == 1:
                self.skip(skipped.reason, response.url)
                yield from self.fallback("feed")
            elif response.status not in (404, 410):  # 404 past the last page is the end
                self.skip(skipped.reason, response.url)
                self.incomplete = True
            return
        self.strategy_used = self.strategy_used or "feed"
        older = 0
        for link, published in items:
            stamp = parse_iso_datetime(published)
            if stamp and self.window_start and stamp < self.window_start:
                older += 1
                continue
            yield self.request(self.site_url_for(link), self.parse_article)
        if items and older < len(items):
            yield self.request(self.site_url(f"/?feed=rss2&paged={page + 1}"), self.parse_feed,
                               meta={"listing": True}, page=page + 1)

    # --- sitemap ---------------------------------------------------------------------
    def parse_sitemap(self, response: Response):
        first = response.meta.get("first_of") == "sitemap"
        try:
            if response.status != 200:
                raise SkipPage(f"http_{response.status}")
            children, urls = wp.parse_sitemap(response.body)
        except SkipPage as skipped:
            self.skip(skipped.reason, response.url)
            if first:
                yield from self.fallback("sitemap")
            else:
                self.incomplete = True
            return
        self.strategy_used = self.strategy_used or "sitemap"
        for child in [c for c in children if wp.is_post_sitemap(c)][:MAX_SITEMAPS]:
            yield self.request(self.site_url_for(child), self.parse_sitemap, meta={"listing": True})
        for url, lastmod in urls:
            stamp = parse_iso_datetime(lastmod)
            if stamp and self.window_start and stamp < self.window_start:
                continue
            yield self.request(self.site_url_for(url), self.parse_article)

    # --- HTML listings ---------------------------------------------------------------
    def parse_listing(self, response: Response, page: int):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        links, next_page = ([], None)
        if response.status == 200:
            links, next_page = wp.parse_listing(response.body, response.url, content_type)
        if not links:
            if page == 1:
                self.skip("no_listing" if response.status == 200 else f"http_{response.status}",
                          response.url)
                yield from self.fallback("listing")
            return
        self.strategy_used = self.strategy_used or "listing"
        unknown = 0
        for link in links:
            post_id = wp.post_id_from_url(link)
            if post_id is None or article_id(wp.canonical_post_url(post_id)) not in self.known_ids:
                unknown += 1
            yield self.request(self.site_url_for(link), self.parse_article)
        # Incremental runs stop at the first page with nothing new on it.
        if (unknown or self.window_start is None) and page < MAX_LISTING_PAGES:
            target = next_page or self.site_url(f"/?paged={page + 1}")
            yield self.request(self.site_url_for(target), self.parse_listing,
                               meta={"listing": True}, page=page + 1)


class LegacySpider(BaseSpider):
    name = "prbangkok-legacy"
    source_name = "prbangkok-legacy"

    async def start(self):
        for path in self.source.entry_points:
            yield self.request(self.site_url(path), self.parse_page, meta={"listing": True})

    def parse_page(self, response: Response):
        if response.status != 200:
            if legacy.is_article_url(response.url):
                self.skip(f"http_{response.status}", response.url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if legacy.is_article_url(response.url):
            article = self.parse_safely(legacy.parse, response.url, response.body,
                                        response.url, content_type)
            if article is not None:
                self.strategy_used = "html"
                if (record := self.emit(article, response)) is not None:
                    yield record
        for link in legacy.listing_links(response.body, response.url, content_type):
            # The archive is frozen: without --since an article landed before is not
            # fetched again (listings still are, to find what is not landed yet).
            if (self.window_start is None and legacy.is_article_url(link)
                    and article_id(legacy.canonical_url(link)) in self.known_ids):
                self.crawler.stats.inc_value("bma/known_not_refetched")
                continue
            yield self.request(self.site_url_for(link), self.parse_page)
