"""pr-bangkok.com's spider: posts through the WordPress REST API, falling back, in order, to
`/wp-json/`, RSS, the core sitemap and HTML listings when the API is off.

Only the API says when a post was modified. An incremental run on the feed therefore also
walks the sitemap for the posts it landed before (`recheck`): their pages are fetched and
an edit is told from the content hash (see `BaseSpider.emit`); the feed finds new posts.
Password-protected posts are skipped on every path (`site.rest_post_is_protected`,
`site.html_is_protected`), drafts are never listed by WordPress."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from core.limits import MAX_LISTING_PAGES, MAX_RECHECKED_POSTS, MAX_SITEMAPS, WP_MAX_PER_PAGE
from core.records import article_id
from core.thai_calendar import BANGKOK, parse_iso_datetime
from crawler.engine.spider import HANDLED_STATUSES, BaseSpider
from crawler.parsing.article import SkipPage
from crawler.sources.pr_bangkok import SOURCE, discovery
from crawler.sources.pr_bangkok import parser as wp


class PrBangkokSpider(BaseSpider):
    name = "pr-bangkok"
    source = SOURCE
    strategies = ("rest_route", "wp_json", "feed", "sitemap", "listing")
    rechecking = False  # the sitemap walk for edits has been asked for
    rechecked = 0  # landed posts re-read for edits in this run

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
        if article is not None and (record := self.emit(article)) is not None:
            yield record

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
        # Not deduplicated: the next API page may ask for the same terms before this
        # answer is cached, and a filtered request would silently drop that page's posts.
        yield scrapy.Request(url, callback=self.parse_terms, errback=self.terms_failed,
                             dont_filter=True, meta={"handle_httpstatus_list": HANDLED_STATUSES},
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
            items = discovery.parse_feed(response.body)
        except SkipPage as skipped:
            if page == 1:
                self.skip(skipped.reason, response.url)
                yield from self.fallback("feed")
            elif response.status not in (404, 410):  # 404 past the last page is the end
                self.skip(skipped.reason, response.url)
                self.incomplete = True
            else:
                yield from self.recheck_landed()
            return
        self.strategy_used = self.strategy_used or "feed"
        older = 0
        for item in items:
            stamp = parse_iso_datetime(item.published)
            if stamp and self.window_start and stamp < self.window_start:
                older += 1
                continue
            if item.protected:
                self.skip("protected", item.link)
                continue
            yield self.request(self.site_url_for(item.link), self.parse_article)
        if items and older < len(items):
            yield self.request(self.site_url(f"/?feed=rss2&paged={page + 1}"), self.parse_feed,
                               meta={"listing": True}, page=page + 1)
        else:
            yield from self.recheck_landed()

    def recheck_landed(self):
        """Once the feed is read: the sitemap, for edits to posts landed before."""
        if self.rechecking or not self.known_ids or self.window_start is None:
            return
        self.rechecking = True
        yield self.request(self.site_url("/?sitemap=index"), self.parse_sitemap,
                           meta={"recheck": True})

    # --- sitemap ---------------------------------------------------------------------
    def parse_sitemap(self, response: Response):
        first = response.meta.get("first_of") == "sitemap"
        recheck = bool(response.meta.get("recheck"))
        try:
            if response.status != 200:
                raise SkipPage(f"http_{response.status}")
            children, urls = discovery.parse_sitemap(response.body)
        except SkipPage as skipped:
            self.skip(skipped.reason, response.url)
            if first:
                yield from self.fallback("sitemap")
            elif not recheck:  # a lost recheck costs edits, never new posts: not partial
                self.incomplete = True
            return
        if not recheck:
            self.strategy_used = self.strategy_used or "sitemap"
        posts_sitemaps = [c for c in children if discovery.is_post_sitemap(c)][:MAX_SITEMAPS]
        for position, child in enumerate(posts_sitemaps, start=1):
            # WordPress lists posts by ascending id: for a recheck the last pages go first.
            yield self.request(self.site_url_for(child), self.parse_sitemap,
                               meta={"listing": not recheck, "recheck": recheck},
                               priority=position if recheck else 0)
        if recheck:
            yield from self.recheck_requests(urls)
            return
        for url, lastmod in urls:
            stamp = parse_iso_datetime(lastmod)
            if stamp and self.window_start and stamp < self.window_start:
                continue
            yield self.request(self.site_url_for(url), self.parse_article)

    def recheck_requests(self, urls: list[tuple[str, str | None]]):
        """Article pages of landed posts, newest first, within MAX_RECHECKED_POSTS a run."""
        landed = sorted(((int(post_id), url) for url, _ in urls
                         if (post_id := wp.post_id_from_url(url)) and self.landed_before(url)),
                        reverse=True)
        for _, url in landed:
            if self.rechecked >= MAX_RECHECKED_POSTS:
                self.crawler.stats.inc_value("bma/recheck_limit")
                continue
            self.rechecked += 1
            yield self.request(self.site_url_for(url), self.parse_article)

    def landed_before(self, url: str) -> bool:
        post_id = wp.post_id_from_url(url)
        return post_id is not None and article_id(wp.canonical_post_url(post_id)) in self.known_ids

    # --- HTML listings ---------------------------------------------------------------
    def parse_listing(self, response: Response, page: int):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        links, next_page = ([], None)
        if response.status == 200:
            links, next_page = discovery.parse_listing(response.body, response.url, content_type)
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
