"""Enrich records: entities, officials and index tokens (`core.records.EnrichedRecord`).

One output per input, in input order: an `EnrichedRecord`, or a `Rejected` with its reason
for a record that cannot be enriched (one bad record never stops the stream).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from core.limits import MAX_BODY_CHARS
from core.records import EnrichedRecord, Rejected

# Records are validated and sent through nlp.pipe in batches of this size: large enough to
# amortise spaCy's per-call overhead, small enough that output streams out steadily.
BATCH_SIZE = 64
# Records a worker process takes at a time: enough to keep it busy between hand-offs,
# few enough that results stream back steadily and memory stays flat.
PARALLEL_CHUNK = 256
# Enrichment allocates millions of short-lived objects (tokens, spans, records) and makes
# almost no reference cycles, yet at the default gen-0 threshold (700) the collector ran
# about 300 times per 400 releases, each pass also walking the dictionaries and the model
# loaded at start (6% of the CPU time, py-spy). Those are frozen out of the collector's
# sight once loaded, and gen 0 is collected every this many allocations instead.
GC_GEN0_THRESHOLD = 50_000

Enriched = EnrichedRecord | Rejected


def record_problem(record: object) -> str | None:
    """Why a record cannot be enriched, or None when it can."""
    if not isinstance(record, dict):
        return f"record is a {type(record).__name__}, not an object"
    if not isinstance(record.get("id"), str) or not record["id"]:
        return "record has no string `id`"
    if not isinstance(record.get("body"), str):
        return "record has no string `body`"
    if len(record["body"]) > MAX_BODY_CHARS:
        return f"body has {len(record['body'])} characters (limit {MAX_BODY_CHARS})"
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        return "`title` is not a string"
    return None


def release_date(record: dict) -> str | None:
    """The release's ISO date (`date`, else `published_at`), for resolving roles."""
    value = record.get("date") or record.get("published_at")
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _raise_gen0_threshold() -> None:
    # before the imports and the model load too: at the default threshold the collector
    # ran about 130 times while they built objects that all stay
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, GC_GEN0_THRESHOLD), gen1, gen2)


def enrich_records(records: Iterable[dict]) -> Iterator[Enriched]:
    """Enrich records lazily, in input order."""
    _raise_gen0_threshold()
    from pipeline import ENRICHMENT_VERSION
    from pipeline.analysis import index_text, index_tokens, needs_folding
    from pipeline.language import load_nlp, normalised_text, original_entities
    from pipeline.roles import role_mentions

    nlp = load_nlp()
    gc.freeze()  # the loaded model and dictionaries: never garbage, never walked again
    iterator = iter(records)
    while batch := list(islice(iterator, BATCH_SIZE)):
        problems = [record_problem(r) for r in batch]
        good = [r for r, p in zip(batch, problems, strict=True) if p is None]
        docs = iter(nlp.pipe(r["body"] for r in good))
        for record, problem in zip(batch, problems, strict=True):
            if problem is not None:
                yield Rejected(record, problem, "enrich")
                continue
            try:
                doc = next(docs)
                yield EnrichedRecord(**{
                    **record,
                    "entities": role_mentions(record["body"], original_entities(doc),
                                              release_date(record)),
                    "officials": doc.user_data["officials"],
                    "title_tokens": index_text(record.get("title") or ""),
                    # the NER's segmentation, unless emphasis (มากกกก) must be folded
                    # before segmenting
                    "body_tokens": index_text(record["body"]) if needs_folding(normalised_text(doc))
                    else " ".join(index_tokens(doc.user_data["words"])),
                    "enrichment_version": ENRICHMENT_VERSION,
                })
            except Exception as exc:  # one bad record must not stop the stream
                yield Rejected(record, f"{type(exc).__name__}: {exc}", "enrich")


def _enrich_chunk(chunk: list[dict]) -> list[Enriched]:
    return list(enrich_records(chunk))


def enrich_parallel(records: Iterable[dict], workers: int = 1) -> Iterator[Enriched]:
    """`enrich_records` on `workers` processes, in input order, streaming.

    Worker processes are spawned, not forked: Prefect and the Elasticsearch client keep
    background threads, and a fork copies their locks in whatever state they are in.
    Each worker loads the model once.
    """
    iterator = iter(records)
    first = list(islice(iterator, PARALLEL_CHUNK)) if workers > 1 else []
    if workers <= 1 or len(first) < PARALLEL_CHUNK:
        # no more than one chunk (a night's new releases): starting workers, each loading
        # the model, would cost more than they save
        yield from enrich_records(chain(first, iterator))
        return
    import multiprocessing

    chunks = chain([first], iter(lambda: list(islice(iterator, PARALLEL_CHUNK)), []))
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for enriched in pool.imap(_enrich_chunk, chunks):
            yield from enriched
