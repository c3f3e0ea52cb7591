"""Files through the pipeline: a raw file → its enriched file → the index, with counts.

Nothing is lost on the way: an unreadable line or a record enrichment rejects goes to the
dead letters with its reason, and the loader dead-letters what the index refuses. A raw
file enriched by an earlier run (same enrichment version) is not enriched again.

Counts reconcile: records = indexed + unchanged + dead_lettered + sum(skipped), and
indexed = created + updated.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from elasticsearch import Elasticsearch

from core.landing import BadLine, DeadLetter, Landing, atomic_jsonl, read_jsonl
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
    created: int = 0  # of `indexed`: new to the index
    updated: int = 0  # of `indexed`: replaced a different version
    indexed_ids: list[str] = field(default_factory=list)  # new or changed, for the watches

    def add_load(self, report: LoadReport) -> None:
        self.indexed += report.indexed
        self.created += report.created
        self.updated += report.updated
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


def _saved_counts(out: Path) -> BatchCounts | None:
    """The counts of `out`, when an earlier run finished it with the current enrichment
    version (so it is reused rather than enriched again)."""
    from pipeline import ENRICHMENT_VERSION

    counts_file = out.with_suffix(".counts.json")
    saved = json.loads(counts_file.read_text()) if counts_file.is_file() else {}
    if out.is_file() and saved.get("version") == ENRICHMENT_VERSION:
        return BatchCounts.from_dict(saved)
    return None


def _enrich_into(raw: Path, out: Path, landing: Landing, counts: BatchCounts,
                 workers: int) -> Iterator[EnrichedRecord]:
    """The enriched records of `raw`, each written to `out` as it passes; `out` and its
    counts appear only once the stream is exhausted, so an interrupted run re-enriches."""
    from pipeline import ENRICHMENT_VERSION

    stream = enriched_stream(read_jsonl(raw), landing.dead_letters(), counts, workers)
    with atomic_jsonl(out) as write:
        for record in stream:
            write(record.model_dump_json())
            yield record
    out.with_suffix(".counts.json").write_text(
        json.dumps(counts.as_dict() | {"version": ENRICHMENT_VERSION}))


def enriched_records(path: Path) -> Iterator[dict]:
    """The records of an enriched file (written whole by `process_raw_file`, so every line reads)."""
    return (r for r in read_jsonl(path) if not isinstance(r, BadLine))


def _timed(items: Iterator, clock: list[float]) -> Iterator:
    """`items`, adding the time spent producing them to clock[0]."""
    while True:
        started = time.perf_counter()
        item = next(items, _timed)
        clock[0] += time.perf_counter() - started
        if item is _timed:
            return
        yield item


def process_raw_file(raw: Path, landing: Landing, client: Elasticsearch, index: str, *,
                     workers: int = 1, chunk_size: int = 500) -> BatchCounts:
    """Enrich one raw file (or reuse its enriched copy) and load it into `index`.

    The load runs while the file is enriched: the loader takes each record as it comes out
    of enrichment (and into the enriched file), and its bulk requests are in flight while
    the next records are enriched. `seconds` says how long enrichment took and how much
    longer the load ran beyond it.

    The caller marks the file loaded only after this returns, so a failure anywhere leaves
    it pending for the next run; the loader's idempotence makes the re-run exact.
    """
    started = time.perf_counter()
    out = landing.enriched_file(raw)
    counts = _saved_counts(out)
    clock = [0.0]
    if counts is None:
        counts = BatchCounts()
        records = _timed(_enrich_into(raw, out, landing, counts, workers), clock)
    else:
        records = enriched_records(out)
    loader = Loader(client, index, landing.dead_letters(), chunk_size)
    counts.add_load(loader.load(records))
    wall = time.perf_counter() - started
    counts.seconds = Counter({"enrich": round(clock[0], 3), "load": round(wall - clock[0], 3)})
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
