"""What every spider shares. Spiders only navigate; each source's pure `parse` turns pages
into articles, and the landing-zone pipeline (`crawler.engine.pipelines`) decides what is new."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from core.limits import WP_MAX_PER_PAGE
from core.records import RawRecord
from core.thai_calendar import now_bangkok, parse_iso_datetime
from crawler.engine.state import SourceState
from crawler.parsing.article import SkipPage

# Statuses the callbacks see (after retries) instead of Scrapy dropping them silently.
HANDLED_STATUSES = [400, 401, 403, 404, 410, 429, 500, 502, 503, 504]


class BaseSpider(scrapy.Spider):
    source = None  # the site's `crawler.sources.registry.Source`, set by each spider

    def __init__(self, *args, run=None, base_url: str | None = None,
                 window_start: str | None = None, window_end: str | None = None,
                 page_size: int = WP_MAX_PER_PAGE, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.known_hashes: dict[str, str] = {}  # article id -> content hash landed before
        self.term_names: dict[str, dict[str, str]] = {}  # taxonomy -> id -> name
        if run is not None:
            self.known_hashes = dict(SourceState.load(run.state_dir, self.source.name).hashes)
        self.known_ids: set[str] = set(self.known_hashes)

    # --- helpers ---------------------------------------------------------------------
    def site_url(self, path_and_query: str) -> str:
        return f"{self.base_url}{path_and_query}"

    def skip(self, reason: str, url: str = "") -> None:
        self.crawler.stats.inc_value(f"bma/skipped/{reason}")
        self.logger.info("skipped %s (%s)", url, reason)

    def request(self, url: str, callback, *, meta: dict | None = None, priority: int = 0,
                **cb_kwargs) -> scrapy.Request:
        merged = {"handle_httpstatus_list": HANDLED_STATUSES}
        merged.update(meta or {})
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=merged,
                              priority=priority, cb_kwargs=cb_kwargs)

    def in_window(self, record: RawRecord) -> bool:
        stamp = parse_iso_datetime(record.modified_at or record.published_at)
        if stamp is None:
            return True
        if self.window_start and stamp < self.window_start:
            return False
        return not (self.window_end and stamp >= self.window_end)

    def site_url_for(self, link: str) -> str:
        """A link as the crawl requests it; the safety middleware maps the source's hosts."""
        return urljoin(self.base_url + "/", link)

    def emit(self, article) -> RawRecord | None:
        """The article's record, or None (counted) when it falls outside the crawl's window.

        A page that does not say when it was modified (most themes) is judged by what it
        carries: an article landed before whose text changed is an edit seen now (its
        `modified_at` is the fetch time), one whose text did not is passed on to be counted
        unchanged; an article never landed is in the window by its publication time.
        """
        record = article.to_record(now_bangkok())
        previous = self.known_hashes.get(record.id)
        if article.modified_at is None and previous is not None:
            if previous == record.content_hash:
                return record
            record = record.model_copy(update={"modified_at": record.fetched_at})
        if not self.in_window(record):
            self.skip("out_of_window", record.url)
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
        if (record := self.emit(article)) is not None:
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
