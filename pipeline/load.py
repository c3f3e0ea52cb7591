"""Load enriched records into Elasticsearch: idempotent, retried, nothing dropped silently.

- `_id` is the article's stable id, so a re-run overwrites instead of duplicating.
- An article whose `content_hash` and `enrichment_version` match what is indexed is
  counted `unchanged` and not written (its `_version` stays put).
- Three kinds of failure: transient (429, 5xx, connection) are retried with exponential
  backoff and jitter; permanent (a mapping rejection, an invalid record) go to the
  dead-letter file with their reason and are never retried; a duplicate id within one
  batch counts as skipped, with that reason.
- Only the last bulk request of a load asks for `refresh=wait_for`, so when a load
  returns, everything it wrote is searchable without a refresh per batch.

Counts reconcile: received = indexed + unchanged + dead_lettered + sum(skipped).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from elasticsearch import ApiError, Elasticsearch, TransportError
from pydantic import ValidationError

from core.errors import TRANSIENT_HTTP_STATUSES, Transient
from core.landing import DeadLetter
from core.limits import LOAD_BACKOFF_BASE_S, LOAD_BACKOFF_CAP_S, MAX_LOAD_ATTEMPTS
from core.records import EnrichedRecord, PressReleaseDoc

MAX_ATTEMPTS = MAX_LOAD_ATTEMPTS


class LoadInterrupted(Transient):
    """Elasticsearch stayed unreachable or overloaded through every retry."""


@dataclass
class LoadReport:
    received: int = 0
    indexed: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    skipped: Counter = field(default_factory=Counter)
    transient_retries: int = 0
    # the ids written (new or changed), for the watches; unchanged ones are not in it
    indexed_ids: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        accounted = self.indexed + self.unchanged + self.dead_lettered + sum(self.skipped.values())
        return accounted == self.received

    def as_dict(self) -> dict:
        return {
            "received": self.received, "indexed": self.indexed, "unchanged": self.unchanged,
            "dead_lettered": self.dead_lettered, "skipped": dict(self.skipped),
            "transient_retries": self.transient_retries,
        }


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _backoff(attempt: int) -> float:
    return min(LOAD_BACKOFF_CAP_S, LOAD_BACKOFF_BASE_S * 2**attempt) * (0.5 + random.random() / 2)


def _error_reason(error: dict | str) -> str:
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if cause:
            reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
        return reason
    return str(error)


class Loader:
    """Streams enriched records into one index or alias."""

    def __init__(
        self,
        client: Elasticsearch,
        index: str,
        dead_letter: DeadLetter,
        chunk_size: int = 500,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = client
        self.index = index
        self.dead_letter = dead_letter
        self.chunk_size = chunk_size
        self.sleep = sleep
        self._retries = 0

    def load(self, records: Iterable[EnrichedRecord | dict], refresh: bool = True,
             on_progress: Callable[[int], None] | None = None) -> LoadReport:
        report = LoadReport()
        self._retries = 0
        pending: list | None = None
        for chunk in _chunks(records, self.chunk_size):
            if pending is not None:
                self._load_chunk(pending, report, refresh=False)
                if on_progress:
                    on_progress(len(pending))
            pending = chunk
        if pending is not None:
            self._load_chunk(pending, report, refresh=refresh)
            if on_progress:
                on_progress(len(pending))
        report.transient_retries = self._retries
        return report

    # --- one chunk -----------------------------------------------------------------
    def _load_chunk(self, chunk: list[EnrichedRecord | dict], report: LoadReport, refresh: bool) -> None:
        report.received += len(chunk)
        docs: dict[str, tuple[dict, dict]] = {}
        now = datetime.now(UTC)
        for item in chunk:
            record = item.model_dump(mode="json") if isinstance(item, EnrichedRecord) else item
            try:
                doc = PressReleaseDoc.from_enriched(record, indexed_at=now)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                self.dead_letter.write(record, f"invalid record: {where}: {first['msg']}", "load")
                report.dead_lettered += 1
                continue
            if doc.id in docs:
                # Two versions of one article in a batch: the later one wins.
                report.skipped["superseded within batch"] += 1
            docs[doc.id] = (doc.to_source(), record)

        for doc_id in self._unchanged_ids(docs):
            del docs[doc_id]
            report.unchanged += 1
        if docs or refresh:
            self._bulk_index(docs, report, refresh)

    def _unchanged_ids(self, docs: dict[str, tuple[dict, dict]]) -> list[str]:
        if not docs:
            return []
        found = self._call(lambda: self.client.mget(
            index=self.index, ids=list(docs), source_includes=["content_hash",
                                                               "enrichment_version"]))
        unchanged = []
        for hit in found["docs"]:
            if not hit.get("found"):
                continue
            source, _record = docs[hit["_id"]]
            indexed = hit.get("_source", {})
            if (indexed.get("content_hash") == source.get("content_hash")
                    and indexed.get("enrichment_version") == source.get("enrichment_version")):
                unchanged.append(hit["_id"])
        return unchanged

    def _bulk_index(self, docs: dict[str, tuple[dict, dict]], report: LoadReport,
                    refresh: bool) -> None:
        attempt = 0
        todo = dict(docs)
        while True:
            if not todo:
                if refresh:
                    self._call(lambda: self.client.indices.refresh(index=self.index))
                return
            operations: list[dict] = []
            for doc_id, (source, _record) in todo.items():
                operations.append({"index": {"_index": self.index, "_id": doc_id}})
                operations.append(source)
            response = self._call(lambda ops=operations: self.client.bulk(
                operations=ops, refresh="wait_for" if refresh else False))
            retry: dict[str, tuple[dict, dict]] = {}
            for item in response["items"]:
                result = item["index"]
                doc_id, status = result["_id"], result["status"]
                if status < 300:
                    report.indexed += 1
                    report.indexed_ids.append(doc_id)
                elif status in TRANSIENT_HTTP_STATUSES:
                    retry[doc_id] = todo[doc_id]
                else:
                    _source, record = todo[doc_id]
                    self.dead_letter.write(record, _error_reason(result.get("error", status)),
                                           "load")
                    report.dead_lettered += 1
            if not retry:
                return
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                raise LoadInterrupted(
                    f"Elasticsearch kept refusing {len(retry)} documents (429/5xx) after "
                    f"{MAX_ATTEMPTS} attempts; re-run the load when the node is healthy"
                )
            self._retries += 1
            self.sleep(_backoff(attempt))
            todo = retry

    def _call(self, request: Callable[[], dict]) -> dict:
        """Run one request, retrying connection failures and transient statuses."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                return request()
            except ApiError as exc:
                if exc.meta.status not in TRANSIENT_HTTP_STATUSES or attempt == MAX_ATTEMPTS - 1:
                    if exc.meta.status in TRANSIENT_HTTP_STATUSES:
                        break
                    raise
            except TransportError:
                if attempt == MAX_ATTEMPTS - 1:
                    break
            self._retries += 1
            self.sleep(_backoff(attempt))
        raise LoadInterrupted(
            f"Elasticsearch at the configured URL stopped answering during the load "
            f"(index {self.index!r}); nothing is lost: re-run once the node is back"
        )
