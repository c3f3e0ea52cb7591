"""The landing zone: one raw record per new or changed article, append-only JSON Lines."""

from __future__ import annotations

import logging

from scrapy import signals

from core.records import RawRecord
from crawler.engine.state import SourceState

logger = logging.getLogger(__name__)

# Save the hashes every so many landed records: a crash loses at most this many
# "already landed" marks (they would be landed again, never lost).
STATE_SAVE_EVERY = 50


class LandingZonePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.state: SourceState | None = None
        self.handle = None
        self.seen_this_run: set[str] = set()
        self.latest_modified: str | None = None
        self.unsaved = 0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.state = SourceState.load(spider.run.state_dir, spider.name)

    def _write(self, record: RawRecord) -> None:
        spider = self.crawler.spider
        if self.handle is None:
            path = spider.run.raw_path(spider.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed at the end
            spider.run.raw_files.append(str(path))
        self.handle.write(record.model_dump_json() + "\n")
        self.handle.flush()

    def process_item(self, item: RawRecord):
        stats = self.crawler.stats
        record = item
        stats.inc_value("bma/articles")
        stamp = record.modified_at or record.published_at
        if stamp and (self.latest_modified is None or stamp > self.latest_modified):
            self.latest_modified = stamp
        if record.id in self.seen_this_run:
            # The same post twice in one run (listing order shifted under us).
            stats.inc_value("bma/duplicate")
            return item
        self.seen_this_run.add(record.id)
        previous = self.state.hashes.get(record.id)
        if previous == record.content_hash:
            stats.inc_value("bma/unchanged")
            return item
        self._write(record)
        stats.inc_value("bma/updated" if previous else "bma/new")
        self.state.hashes[record.id] = record.content_hash
        self.unsaved += 1
        if self.unsaved >= STATE_SAVE_EVERY:
            self.state.save()
            self.unsaved = 0
        return item

    def spider_closed(self, spider, reason):
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.state is None:
            return
        complete = reason == "finished" and not spider.incomplete and not spider.exhausted
        if complete:
            # Only a complete crawl moves the watermark: an interrupted one resumes from
            # its JOBDIR, and a partial one is retried from the old watermark next time.
            self.state.advance(self.latest_modified)
            self.state.last_run_id = spider.run.run_id
        self.state.save()
        self.crawler.stats.set_value("bma/watermark", self.state.modified_at)
