"""What a parser returns: one article as a page shows it (a pure function's output).

`Article.to_record()` makes the landing zone's `RawRecord` (core.records) of it: the id,
the content hash and the fetch time are derived, never parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.records import Image, RawRecord, article_id, content_hash
from core.thai_calendar import bangkok_timestamp


class SkipPage(Exception):  # noqa: N818 - a control-flow signal, not an error
    """A page that is not an article (empty, broken, a listing...): skipped and counted."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Article:
    url: str
    canonical_url: str
    source: str
    source_id: str | None
    title: str
    body: str
    body_html: str = ""
    published_at: str | None = None
    modified_at: str | None = None
    published_raw: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    language: str = "th"

    @property
    def id(self) -> str:
        return article_id(self.canonical_url)

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)

    def to_record(self, fetched_at: datetime | str | None = None) -> RawRecord:
        if not isinstance(fetched_at, str):
            fetched_at = bangkok_timestamp(fetched_at)
        return RawRecord(
            id=self.id, url=self.url, canonical_url=self.canonical_url, source=self.source,
            source_id=self.source_id, title=self.title, published_at=self.published_at,
            # A page that does not say when it was modified: no later than published (the
            # spider tells an edit from the content hash, see BaseSpider.emit).
            modified_at=self.modified_at or self.published_at, published_raw=self.published_raw,
            categories=list(self.categories), tags=list(self.tags), body=self.body,
            body_html=self.body_html, images=[Image(**i) for i in self.images],
            language=self.language, content_hash=self.content_hash, fetched_at=fetched_at,
        )
