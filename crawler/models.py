"""The raw record: one article as the crawler lands it (see docs/CONTRACTS.md)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime

from crawler.thai_dates import BANGKOK

RAW_RECORD_FIELDS = (
    "id", "url", "canonical_url", "source", "source_id", "title", "published_at",
    "modified_at", "published_raw", "categories", "tags", "body", "body_html", "images",
    "language", "content_hash", "fetched_at",
)


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

    def to_record(self, fetched_at: datetime | str | None = None) -> dict:
        if fetched_at is None:
            fetched_at = datetime.now(BANGKOK)
        if isinstance(fetched_at, datetime):
            fetched_at = fetched_at.astimezone(BANGKOK).isoformat(timespec="seconds")
        record = asdict(self)
        record.update(id=self.id, content_hash=self.content_hash, fetched_at=fetched_at)
        return {name: record[name] for name in RAW_RECORD_FIELDS}


def article_id(canonical_url: str) -> str:
    """sha1 hex of the canonical URL: the same article keeps its id across runs and mirrors."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


def content_hash(title: str, body: str) -> str:
    """sha256 of title and body: view counters and fetch times are never part of it."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
