"""The ThaiGov 2024 releases as raw records (docs/CONTRACTS.md), for benchmarks.

Path: BMA_NEWS_THAIGOV, default ../shared/data/thaigov/thaigov-2024.jsonl.gz. Where a
benchmark needs more documents than the corpus has, copies are made with changed ids.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

from core.thai_calendar import UTC_OFFSET

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "thaigov" / "thaigov-2024.jsonl.gz"


def corpus_path() -> Path:
    path = Path(os.environ.get("BMA_NEWS_THAIGOV", DEFAULT_CORPUS))
    if not path.is_file():
        raise SystemExit(f"error: the ThaiGov corpus is not at {path}; set BMA_NEWS_THAIGOV")
    return path


def thaigov_releases(limit: int | None = None) -> Iterator[dict]:
    with gzip.open(corpus_path(), "rt", encoding="utf-8") as fh:
        yield from itertools.islice((json.loads(line) for line in fh), limit)


def distinct_raw_records(limit: int) -> list[dict]:
    """The first `limit` releases with distinct ids (the corpus repeats a few URLs, and the
    id is a hash of the URL)."""
    seen: dict[str, dict] = {}
    for release in thaigov_releases():
        record = as_raw_record(release)
        seen.setdefault(record["id"], record)
        if len(seen) == limit:
            break
    return list(seen.values())


def as_raw_record(release: dict, copy: int = 0) -> dict:
    url = release["url"] + (f"#copy{copy}" if copy else "")
    body = release["body"]
    return {
        "id": hashlib.sha1(url.encode()).hexdigest(),
        "url": url, "canonical_url": url, "source": "thaigov", "source_id": release["id"],
        "title": release["title"], "published_at": f"{release['date']}T09:00:00{UTC_OFFSET}",
        "modified_at": f"{release['date']}T09:00:00{UTC_OFFSET}", "published_raw": None,
        "categories": [release["category"].strip()], "tags": [], "body": body,
        "body_html": "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n")),
        "images": [], "language": "th",
        "content_hash": hashlib.sha256((release["title"] + body).encode()).hexdigest(),
        "fetched_at": f"{release['date']}T10:00:00{UTC_OFFSET}",
    }


def replicate(enriched: list[dict], total: int) -> Iterator[dict]:
    """`total` documents from `enriched`, copies getting new ids (content unchanged)."""
    for n in range(total):
        record = enriched[n % len(enriched)]
        copy = n // len(enriched)
        if copy == 0:
            yield record
            continue
        url = f"{record['url']}#copy{copy}"
        yield record | {"id": hashlib.sha1(url.encode()).hexdigest(), "url": url,
                        "canonical_url": url}
