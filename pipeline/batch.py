"""Files through the pipeline: a raw file → its enriched file → the index, with counts.

Nothing is lost on the way: an unreadable line or a record enrichment rejects goes to the
dead letters with its reason, and the loader dead-letters what the index refuses. A raw
file enriched by an earlier run (same enrichment version) is not enriched again.

Counts reconcile: records = indexed + unchanged + dead_lettered + sum(skipped).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from elasticsearch import Elasticsearch

from core.landing import BadLine, DeadLetter, Landing, read_jsonl, write_jsonl_atomic
from core.records import EnrichedRecord, Rejected
from pipeline.load import Loader, LoadReport


@dataclass
class BatchCounts:
    """What happened to the records of one file (or of the whole archive)."""

    records: int = 0
    enriched: int = 0
    indexed: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    skipped: Counter = field(default_factory=Counter)
    transient_retries: int = 0
    seconds: Counter = field(default_factory=Counter)  # wall time per phase
    indexed_ids: list[str] = field(default_factory=list)  # new or changed, for the watches

    def add_load(self, report: LoadReport) -> None:
        self.indexed += report.indexed
        self.indexed_ids += report.indexed_ids
        self.unchanged += report.unchanged
        self.dead_lettered += report.dead_lettered
        self.skipped.update(report.skipped)
        self.transient_retries += report.transient_retries

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return out | {"skipped": dict(self.skipped), "seconds": dict(self.seconds)}

    @classmethod
    def from_dict(cls, data: dict) -> BatchCounts:
        counts = cls(**{k: v for k, v in data.items() if k in {f.name for f in fields(cls)}})
        counts.skipped, counts.seconds = Counter(counts.skipped), Counter(counts.seconds)
        return counts


def enriched_stream(items: Iterable[dict | BadLine], dead_letter: DeadLetter,
                    counts: BatchCounts, workers: int = 1) -> Iterator[EnrichedRecord]:
    """Enrich the readable records of `items`; unreadable lines and rejected records go to
    the dead letters. Counts `records`, `enriched` and `dead_lettered` as it goes."""
    from pipeline.enrich import enrich_parallel

    def readable() -> Iterator[dict]:
        for item in items:
            counts.records += 1
            if isinstance(item, BadLine):
                dead_letter.reject(item.rejected())
                counts.dead_lettered += 1
                continue
            yield item

    for result in enrich_parallel(readable(), workers):
        if isinstance(result, Rejected):
            dead_letter.write(result.record, f"enrichment failed: {result.reason}", result.stage)
            counts.dead_lettered += 1
            continue
        counts.enriched += 1
        yield result


def enrich_file(raw: Path, landing: Landing, workers: int = 1) -> tuple[Path, BatchCounts]:
    """The enriched copy of `raw` (made now, or reused when an earlier run made it with the
    current enrichment version) and the counts of enriching it."""
    from pipeline import ENRICHMENT_VERSION

    out = landing.enriched_file(raw)
    counts_file = out.with_suffix(".counts.json")
    saved = json.loads(counts_file.read_text()) if counts_file.is_file() else {}
    if out.is_file() and saved.get("version") == ENRICHMENT_VERSION:
        return out, BatchCounts.from_dict(saved)
    counts = BatchCounts()
    stream = enriched_stream(read_jsonl(raw), landing.dead_letters(), counts, workers)
    write_jsonl_atomic(out, (r.model_dump_json() for r in stream))
    counts_file.write_text(json.dumps(counts.as_dict() | {"version": ENRICHMENT_VERSION}))
    return out, counts


def enriched_records(path: Path) -> Iterator[dict]:
    """The records of an enriched file (written by `enrich_file`, so every line reads)."""
    return (r for r in read_jsonl(path) if not isinstance(r, BadLine))


def process_raw_file(raw: Path, landing: Landing, client: Elasticsearch, index: str, *,
                     workers: int = 1, chunk_size: int = 500) -> BatchCounts:
    """Enrich one raw file (or reuse its enriched copy) and load it into `index`.

    The caller marks the file loaded only after this returns, so a failure anywhere leaves
    it pending for the next run; the loader's idempotence makes the re-run exact.
    """
    started = time.perf_counter()
    enriched, counts = enrich_file(raw, landing, workers)
    enrich_s = time.perf_counter() - started
    started = time.perf_counter()
    loader = Loader(client, index, landing.dead_letters(), chunk_size)
    counts.add_load(loader.load(enriched_records(enriched)))
    counts.seconds = Counter({"enrich": round(enrich_s, 3),
                              "load": round(time.perf_counter() - started, 3)})
    return counts


def load_archive(items: Iterable[dict | BadLine], landing: Landing, client: Elasticsearch,
                 index: str, *, workers: int = 1, chunk_size: int = 500) -> BatchCounts:
    """Enrich and load a stream of raw records (the latest version of every archived
    article, for a rebuild or a reprocess) into `index`."""
    counts = BatchCounts()
    dead_letter = landing.dead_letters()
    loader = Loader(client, index, dead_letter, chunk_size)
    counts.add_load(loader.load(enriched_stream(items, dead_letter, counts, workers)))
    return counts
