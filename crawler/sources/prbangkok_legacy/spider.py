"""prbangkok.com's spider: it walks the legacy archive's listings and article pages."""

from __future__ import annotations

from scrapy.http import Response

from core.records import article_id
from crawler.engine.spider import BaseSpider
from crawler.sources.prbangkok_legacy import SOURCE, site
from crawler.sources.prbangkok_legacy import parser as legacy


class LegacySpider(BaseSpider):
    name = "prbangkok-legacy"
    source = SOURCE

    async def start(self):
        for path in self.source.entry_points:
            yield self.request(self.site_url(path), self.parse_page, meta={"listing": True})

    def parse_page(self, response: Response):
        if response.status != 200:
            if site.is_article_url(response.url):
                self.skip(f"http_{response.status}", response.url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if site.is_article_url(response.url):
            article = self.parse_safely(legacy.parse, response.url, response.body,
                                        response.url, content_type)
            if article is not None:
                self.strategy_used = "html"
                if (record := self.emit(article)) is not None:
                    yield record
        for link in site.listing_links(response.body, response.url, content_type):
            # The archive is frozen: without --since an article landed before is not
            # fetched again (listings still are, to find what is not landed yet).
            if (self.window_start is None and site.is_article_url(link)
                    and article_id(site.canonical_url(link)) in self.known_ids):
                self.crawler.stats.inc_value("bma/known_not_refetched")
                continue
            yield self.request(self.site_url_for(link), self.parse_page)
