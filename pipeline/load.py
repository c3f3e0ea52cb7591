"""Load enriched records into Elasticsearch: idempotent, retried, nothing dropped silently.

- `_id` is the article's stable id, so a re-run overwrites instead of duplicating.
- An article whose `content_hash` and `enrichment_version` match what is indexed is
  counted `unchanged` and not written (its `_version` stays put).
- The unchanged check costs no request of its own for new articles: a batch is first
  sent as `create` operations, which the node refuses (409) for ids it already holds;
  only those are looked up (`mget` of the two hash fields) and the changed ones indexed.
  When most of a batch already existed (a re-run, a reprocess), the next batches look
  up first and index only what changed, so an unchanged archive is never sent in full.
- Batches are bounded by bytes (`core.limits.MAX_BULK_BYTES`) and by count, and up to
  `connections` bulk requests are in flight at once while the next batch is prepared (by
  default one fewer than the node's write threads, so one on a 2-core node);
  two batches holding the same id are never in flight together, so the later version wins.
- Three kinds of failure: transient (429, 5xx, connection) are retried with exponential
  backoff and jitter; permanent (a mapping rejection, an invalid record) go to the
  dead-letter file with their reason and are never retried; a duplicate id within one
  batch counts as skipped, with that reason.
- One refresh when the load ends, so when it returns, everything it wrote is searchable.

Counts reconcile: received = indexed + unchanged + dead_lettered + sum(skipped), and
indexed = created + updated (each bulk item's `result`).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError
from pydantic import ValidationError

from core.errors import TRANSIENT_HTTP_STATUSES, Transient
from core.landing import DeadLetter
from core.limits import (
    LOAD_BACKOFF_BASE_S,
    LOAD_BACKOFF_CAP_S,
    MAX_BULK_BYTES,
    MAX_BULK_CONNECTIONS,
    MAX_LOAD_ATTEMPTS,
)
from core.records import EnrichedRecord, PressReleaseDoc

MAX_ATTEMPTS = MAX_LOAD_ATTEMPTS
# Only what the loader reads of a bulk response: a 500-item response shrinks about 5x.
BULK_RESPONSE_FIELDS = "items.*._id,items.*.status,items.*.result,items.*.error"
HASH_FIELDS = ["content_hash", "enrichment_version"]


class LoadInterrupted(Transient):
    """Elasticsearch stayed unreachable or overloaded through every retry."""


@dataclass
class LoadReport:
    received: int = 0
    indexed: int = 0  # created + updated
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    skipped: Counter = field(default_factory=Counter)
    transient_retries: int = 0
    # the ids written (new or changed), for the watches; unchanged ones are not in it
    indexed_ids: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        accounted = self.indexed + self.unchanged + self.dead_lettered + sum(self.skipped.values())
        return accounted == self.received and self.indexed == self.created + self.updated

    def add(self, other: LoadReport) -> None:
        for name in ("received", "indexed", "created", "updated", "unchanged", "dead_lettered",
                     "transient_retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.update(other.skipped)
        self.indexed_ids += other.indexed_ids

    def as_dict(self) -> dict:
        return {
            "received": self.received, "indexed": self.indexed, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged,
            "dead_lettered": self.dead_lettered, "skipped": dict(self.skipped),
            "transient_retries": self.transient_retries,
        }


@dataclass(frozen=True)
class _Doc:
    source: bytes  # the document as the bulk request sends it
    nbytes: int  # its share of a bulk request: action line, source, two newlines
    content_hash: str
    enrichment_version: str
    record: dict  # as received, for the dead letters


@dataclass
class _Batch:
    docs: dict[str, _Doc] = field(default_factory=dict)
    received: int = 0
    nbytes: int = 0


@dataclass
class _Outcome:
    """What one batch's requests did; merged into the report by the loading thread, which
    also writes the dead letters."""

    counts: LoadReport = field(default_factory=LoadReport)
    existing: int = 0  # ids the index already held
    sent: int = 0
    dead: list[tuple[dict, str]] = field(default_factory=list)


def _action(op: str, doc_id: str) -> bytes:
    return orjson.dumps({op: {"_id": doc_id}})


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
        max_bytes: int = MAX_BULK_BYTES,
        connections: int | None = None,
    ):
        """`chunk_size` and `max_bytes` bound each bulk request; `connections` is how
        many are in flight at once (None: one fewer than the node's write threads, at
        least 1, at most MAX_BULK_CONNECTIONS)."""
        self.client = client
        self.index = index
        self.dead_letter = dead_letter
        self.chunk_size = chunk_size
        self.max_bytes = max_bytes
        self.connections = connections
        self.sleep = sleep

    def load(self, records: Iterable[EnrichedRecord | dict], refresh: bool = True,
             on_progress: Callable[[int], None] | None = None) -> LoadReport:
        report = LoadReport()
        own = _Outcome()  # the load's own requests (node info, the final refresh)
        connections = self.connections or self._write_threads(own)
        look_up_first = False
        in_flight: list[tuple[Future, _Batch]] = []

        def collect(done: tuple[Future, _Batch]) -> None:
            nonlocal look_up_first
            future, batch = done
            outcome = future.result()
            self._merge(outcome, report)
            if outcome.sent:
                look_up_first = 2 * outcome.existing > outcome.sent
            if on_progress:
                on_progress(batch.received)

        with ThreadPoolExecutor(connections, thread_name_prefix="bulk") as pool:
            try:
                for batch in self._batches(records, report):
                    # The same id in flight twice could land in either order: wait.
                    if any(not batch.docs.keys().isdisjoint(b.docs) for _f, b in in_flight):
                        while in_flight:
                            collect(in_flight.pop(0))
                    while len(in_flight) >= connections:
                        collect(in_flight.pop(0))
                    in_flight.append((pool.submit(self._load_batch, batch, look_up_first),
                                      batch))
                while in_flight:
                    collect(in_flight.pop(0))
            finally:
                # On a failure, what the other batches did still counts and is dead-lettered.
                for future, _batch in in_flight:
                    if not future.cancel() and future.exception() is None:
                        self._merge(future.result(), report)
        if refresh:
            self._call(lambda: self.client.indices.refresh(index=self.index), own)
        report.add(own.counts)
        return report

    def _merge(self, outcome: _Outcome, report: LoadReport) -> None:
        report.add(outcome.counts)
        for record, reason in outcome.dead:
            self.dead_letter.write(record, reason, "load")
            report.dead_lettered += 1

    def _write_threads(self, own: _Outcome) -> int:
        """Bulk requests in flight: one fewer than the data nodes' write threads (a request
        to one shard is indexed by one thread), at least one. The one left over is the
        core the loader prepares the next batch on: with the node on the same 2 cores, one
        connection measured 1.12 of a plain `_bulk` and two 0.96 (docs/features/loader.md)."""
        try:
            info = self._call(lambda: self.client.nodes.info(
                metric="thread_pool", filter_path="nodes.*.thread_pool.write.size"), own)
        except ApiError:  # a user without the monitor privilege: one connection
            return 1
        sizes = [node["thread_pool"]["write"]["size"] for node in info.get("nodes", {}).values()]
        return max(1, min(MAX_BULK_CONNECTIONS, sum(sizes) - 1))

    # --- preparing batches -------------------------------------------------------------
    def _batches(self, records: Iterable[EnrichedRecord | dict],
                 report: LoadReport) -> Iterator[_Batch]:
        batch = _Batch()
        now = datetime.now(UTC)
        for item in records:
            record = item.model_dump(mode="json") if isinstance(item, EnrichedRecord) else item
            report.received += 1
            batch.received += 1
            try:
                doc = PressReleaseDoc.from_enriched(record, indexed_at=now)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                self.dead_letter.write(record, f"invalid record: {where}: {first['msg']}", "load")
                report.dead_lettered += 1
                continue
            source = doc.to_source_json()
            prepared = _Doc(source, len(_action("create", doc.id)) + len(source) + 2,
                            doc.content_hash, doc.enrichment_version, record)
            previous = batch.docs.pop(doc.id, None)
            if previous is not None:
                # Two versions of one article in a batch: the later one wins.
                report.skipped["superseded within batch"] += 1
                batch.nbytes -= previous.nbytes
            elif batch.docs and (len(batch.docs) >= self.chunk_size
                                 or batch.nbytes + prepared.nbytes > self.max_bytes):
                batch.received -= 1
                yield batch
                batch, now = _Batch(received=1), datetime.now(UTC)
            batch.docs[doc.id] = prepared
            batch.nbytes += prepared.nbytes
        if batch.received:
            yield batch

    # --- one batch, in a worker thread -------------------------------------------------
    def _load_batch(self, batch: _Batch, look_up_first: bool) -> _Outcome:
        outcome = _Outcome(sent=len(batch.docs))
        if not batch.docs:
            return outcome
        if look_up_first:
            changed = self._changed(batch.docs, outcome)
            self._bulk(changed, "index", outcome)
            return outcome
        existing = self._bulk(batch.docs, "create", outcome)
        if existing:
            changed = self._changed({i: batch.docs[i] for i in existing}, outcome)
            self._bulk(changed, "index", outcome)
        return outcome

    def _changed(self, docs: dict[str, _Doc], outcome: _Outcome) -> dict[str, _Doc]:
        """`docs` without those indexed with the same content hash and enrichment version."""
        found = self._call(lambda: self.client.mget(
            index=self.index, ids=list(docs), source_includes=HASH_FIELDS), outcome)
        changed = dict(docs)
        for hit in found["docs"]:
            if not hit.get("found"):
                continue
            outcome.existing += 1
            doc, indexed = docs[hit["_id"]], hit.get("_source", {})
            if (indexed.get("content_hash") == doc.content_hash
                    and indexed.get("enrichment_version") == doc.enrichment_version):
                del changed[hit["_id"]]
                outcome.counts.unchanged += 1
        return changed

    def _bulk(self, docs: dict[str, _Doc], op: str, outcome: _Outcome) -> list[str]:
        """Write `docs` with `op` (create or index), retrying transient item failures; the
        ids a `create` found already indexed are returned, not counted."""
        attempt = 0
        todo = docs
        existing: list[str] = []
        while todo:
            operations: list[bytes] = []
            for doc_id, doc in todo.items():
                operations.append(_action(op, doc_id))
                operations.append(doc.source)
            response = self._call(lambda ops=operations: self.client.bulk(
                index=self.index, operations=ops, filter_path=BULK_RESPONSE_FIELDS), outcome)
            retry: dict[str, _Doc] = {}
            for item in response.get("items", []):
                result = item[op]
                doc_id, status = result["_id"], result["status"]
                if status < 300:
                    outcome.counts.indexed += 1
                    outcome.counts.indexed_ids.append(doc_id)
                    if result.get("result") == "updated":
                        outcome.counts.updated += 1
                    else:
                        outcome.counts.created += 1
                elif status == 409 and op == "create":
                    existing.append(doc_id)
                elif status in TRANSIENT_HTTP_STATUSES:
                    retry[doc_id] = todo[doc_id]
                else:
                    outcome.dead.append((todo[doc_id].record,
                                         _error_reason(result.get("error", status))))
            if not retry:
                break
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                raise LoadInterrupted(
                    f"Elasticsearch kept refusing {len(retry)} documents (429/5xx) after "
                    f"{MAX_ATTEMPTS} attempts; re-run the load when the node is healthy"
                )
            outcome.counts.transient_retries += 1
            self.sleep(_backoff(attempt))
            todo = retry
        return existing

    def _call(self, request: Callable[[], dict], outcome: _Outcome) -> dict:
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
            outcome.counts.transient_retries += 1
            self.sleep(_backoff(attempt))
        raise LoadInterrupted(
            f"Elasticsearch at the configured URL stopped answering during the load "
            f"(index {self.index!r}); nothing is lost: re-run once the node is back"
        )
