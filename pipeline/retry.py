"""Retrying dead letters: each record again through the flow's own path (enrich, then load).

A record that now goes through (indexed, or already indexed as it is: unchanged, or
superseded by a later crawl of the article that is indexed) leaves the dead letters for `dead-letter/retried/`; one that fails again stays where it was, as it
was, and the retry says why it failed this time. Retrying twice duplicates nothing: a
retried letter is gone, and documents are written by their stable id.

The caller holds the run lock (`flows.ledger.run_lock`): dead-letter files are rewritten.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from elasticsearch import Elasticsearch, NotFoundError, TransportError

from core.dead_letters import DeadLetterEntry, move_to_retried, reason_kind
from core.errors import ElasticsearchUnavailable
from core.landing import DeadLetter
from pipeline.batch import BatchCounts, enriched_stream
from pipeline.load import Loader


class _Collected(DeadLetter):
    """Catches what a retry would dead-letter again, instead of writing a second letter."""

    def __init__(self) -> None:
        super().__init__(Path("."))
        self.reasons: list[str] = []

    def write(self, record: object, reason: str, stage: str) -> None:
        self.reasons.append(f"{stage}: {reason}")
        self.count += 1


@dataclass
class RetryReport:
    retried: int = 0
    indexed: int = 0
    unchanged: int = 0
    superseded: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)  # why the failed ones failed again
    outcomes: dict[str, str] = field(default_factory=dict)  # letter id → what happened

    def as_dict(self) -> dict:
        return {"retried": self.retried, "indexed": self.indexed, "unchanged": self.unchanged,
                "superseded": self.superseded, "failed": self.failed, "reasons": dict(self.reasons), "outcomes": self.outcomes}


def raw_record(entry: DeadLetterEntry) -> dict | str:
    """The record to process again, or why there is none. An unreadable raw line (stage
    `read`) is read again, so a line repaired in the dead-letter file goes through."""
    record = entry.record
    if entry.stage == "read" and isinstance(record, dict) and isinstance(record.get("line"), str):
        try:
            record = json.loads(record["line"])
        except ValueError as exc:
            return f"read: unreadable JSON: {exc}"
    if not isinstance(record, dict):
        return f"{entry.stage}: no record to retry (a {type(record).__name__})"
    return record


def _moment(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def newer_version_indexed(client: Elasticsearch, index: str, record: dict) -> bool:
    """Whether the index holds a later crawl of this article than the dead-lettered one: a
    retry must not put an old version back over it."""
    record_id, fetched = record.get("id"), _moment(record.get("fetched_at"))
    if not isinstance(record_id, str) or fetched is None:
        return False
    try:
        found = client.get(index=index, id=record_id, source_includes=["fetched_at"])
    except NotFoundError:
        return False
    except TransportError as exc:
        raise ElasticsearchUnavailable(
            f"Elasticsearch stopped answering during the retry ({type(exc).__name__}); what "
            "went through has left the dead letters, run the retry again") from None
    indexed = _moment((found.get("_source") or {}).get("fetched_at"))
    return indexed is not None and indexed > fetched


def retry_one(entry: DeadLetterEntry, loader: Loader, collected: _Collected) -> str:
    """`indexed`, `unchanged`, `superseded` (a later version is indexed: nothing to do), or
    `failed: <reason>`."""
    record = raw_record(entry)
    if isinstance(record, str):
        return f"failed: {record}"
    if newer_version_indexed(loader.client, loader.index, record):
        return "superseded"
    counts = BatchCounts()
    collected.reasons.clear()
    report = loader.load(enriched_stream([record], collected, counts), refresh=False)
    if collected.reasons:
        return f"failed: {collected.reasons[0]}"
    if report.indexed:
        return "indexed"
    if report.unchanged:
        return "unchanged"
    return "failed: " + (", ".join(report.skipped) or "nothing was loaded")


def retry_dead_letters(entries: Iterable[DeadLetterEntry], data_dir: Path, client: Elasticsearch,
                       index: str, *, chunk_size: int = 500,
                       on_progress: Callable[[], None] | None = None) -> RetryReport:
    """Retry `entries`; those that went through move to `dead-letter/retried/`."""
    collected = _Collected()
    loader = Loader(client, index, collected, chunk_size)
    report = RetryReport()
    done: dict[str, str] = {}
    try:
        for entry in entries:
            outcome = retry_one(entry, loader, collected)
            report.retried += 1
            report.outcomes[entry.id] = outcome
            if outcome.startswith("failed"):
                report.failed += 1
                report.reasons[reason_kind(outcome.removeprefix("failed: "))] += 1
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
                done[entry.id] = outcome
            if on_progress:
                on_progress()
        if done:
            client.indices.refresh(index=index)  # searchable when the retry returns
    finally:
        # Even when the node goes away half-way, what went through leaves the dead letters.
        move_to_retried(data_dir, done)
    return report
