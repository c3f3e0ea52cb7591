"""`bma-news eval-search`: our search against two baselines on a judged query set.

A collection is a folder (default `evals/search/`) with
- `corpus.jsonl.gz`: {id, url, title, body, published_at, source, categories} a line,
- `queries.tsv`: qid, set (dev/holdout), kind, query,
- `qrels.tsv`: qid, doc_id, grade (0 not relevant, 1 partly, 2 about it).

Systems, scored in the same run on the same documents:
- `ours`: the corpus enriched by the pipeline (`pipeline.enrich`), loaded into a temporary
  index with the production mapping, searched by `search.query.search` (the CLI's code);
- `wordpress`: WordPress's own search box (`search.baselines.WordPressSearch`);
- `bm25`: a plain newmm + Okapi BM25 index (`search.baselines.Bm25Search`).

Metrics (our scorer, the trec_eval definitions; tests/search/test_evaluate.py checks it
against worked examples): nDCG@10 with linear gains (the grade), ideal ranking from every
judged document of the query; recall@10 of the documents graded 1 or 2.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InputError
from core.thai_calendar import UTC_OFFSET

DEFAULT_COLLECTION = Path(__file__).resolve().parents[1] / "evals" / "search"
KINDS = ("person", "variant", "topic", "topic_place", "compound")
SYSTEMS = ("ours", "wordpress", "bm25")
DEPTH = 10


@dataclass(frozen=True)
class Query:
    qid: str
    set: str
    kind: str
    text: str


@dataclass
class Collection:
    path: Path
    docs: list[dict]
    queries: list[Query]
    qrels: dict[str, dict[str, int]]  # qid -> doc id -> grade

    @classmethod
    def load(cls, path: Path) -> Collection:
        path = Path(path)
        files = {name: path / name for name in ("corpus.jsonl.gz", "queries.tsv", "qrels.tsv")}
        missing = [n for n, p in files.items() if not p.is_file()]
        if missing:
            raise InputError(f"{path} is not a search collection: {', '.join(missing)} missing")
        with gzip.open(files["corpus.jsonl.gz"], "rt", encoding="utf-8") as fh:
            docs = [json.loads(line) for line in fh if line.strip()]
        queries = [Query(r["qid"], r["set"], r["kind"], r["query"])
                   for r in _tsv(files["queries.tsv"])]
        qrels: dict[str, dict[str, int]] = {}
        for row in _tsv(files["qrels.tsv"]):
            qrels.setdefault(row["qid"], {})[row["doc_id"]] = int(row["grade"])
        return cls(path, docs, queries, qrels)

    def digest(self) -> str:
        digest = hashlib.sha256()
        digest.update((self.path / "corpus.jsonl.gz").read_bytes())
        return digest.hexdigest()[:16]


def _tsv(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t")


# --- metrics ---------------------------------------------------------------------------

def dcg(grades: list[int]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranking: list[str], judged: dict[str, int], k: int = DEPTH) -> float:
    """nDCG@k, linear gains; unjudged documents count 0. 0.0 when nothing is relevant."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judged.get(doc, 0) for doc in ranking[:k]]) / ideal


def recall_at(ranking: list[str], judged: dict[str, int], k: int = DEPTH) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


# --- our system ------------------------------------------------------------------------

def as_raw(doc: dict) -> dict:
    """A collection document as the crawler would have landed it."""
    from core.records import content_hash

    published = doc.get("published_at")
    if published and len(published) == 10:
        published = f"{published}T09:00:00{UTC_OFFSET}"
    return {"id": doc["id"], "url": doc.get("url") or doc["id"],
            "canonical_url": doc.get("url") or doc["id"], "source": doc.get("source", "eval"),
            "title": doc.get("title") or "", "body": doc.get("body") or "",
            "published_at": published, "categories": doc.get("categories") or [],
            "content_hash": content_hash(doc.get("title") or "", doc.get("body") or ""),
            "fetched_at": published or "2024-01-01T00:00:00+07:00"}


def enriched_corpus(collection: Collection, progress: Callable[[int], None]) -> list[dict]:
    """The corpus through the pipeline, cached on disk per corpus and enrichment version."""
    from core.settings import get_settings
    from pipeline import ENRICHMENT_VERSION
    from pipeline.enrich import enrich_parallel

    cache = Path(get_settings().cache_dir) / "eval" / (
        f"search-{collection.digest()}-{ENRICHMENT_VERSION}.jsonl.gz")
    if cache.is_file():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh]
        progress(len(records))
        return records
    records = []
    from core.records import Rejected

    for result in enrich_parallel((as_raw(d) for d in collection.docs),
                                  workers=get_settings().enrich_workers):
        if isinstance(result, Rejected):
            raise InputError(f"document {result.record.get('id')} was rejected: {result.reason}")
        records.append(result.model_dump(mode="json"))
        progress(1)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{uuid.uuid4().hex}.tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    tmp.replace(cache)
    return records


class OurSearch:
    """The pipeline's documents in a temporary index, searched with the CLI's search."""

    name = "ours"

    def __init__(self, client, records: list[dict]) -> None:
        from core.records import PressReleaseDoc
        from index_mappings import create_index, point_alias

        self.client = client
        self.alias = f"bma-news-eval-{uuid.uuid4().hex[:8]}"
        self.index = create_index(client, self.alias)
        batch: list[dict] = []
        for record in records:
            src = PressReleaseDoc.from_enriched(record).to_source()
            batch += [{"index": {"_index": self.index, "_id": src["id"]}}, src]
            if len(batch) >= 1000:
                self._bulk(batch)
                batch = []
        if batch:
            self._bulk(batch)
        client.indices.refresh(index=self.index)
        point_alias(client, self.alias, self.index)

    def _bulk(self, batch: list[dict]) -> None:
        answer = self.client.bulk(operations=batch)
        if answer.get("errors"):
            first = next(i for i in answer["items"] if "error" in i["index"])
            raise RuntimeError(f"loading the evaluation index failed: {first['index']['error']}")

    def search(self, text: str, k: int = DEPTH) -> list[str]:
        from search.params import SearchParams
        from search.query import search

        result = search(self.client, self.alias, SearchParams.build(text, size=str(k)),
                        with_facets=False, with_highlights=False)
        return [h.id for h in result.hits]

    def close(self) -> None:
        self.client.indices.delete(index=self.index, ignore_unavailable=True)


# --- the run ---------------------------------------------------------------------------

@dataclass
class SystemScores:
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)  # qid -> metrics
    seconds: float = 0.0


def summarise(collection: Collection, queries: list[Query], scores: SystemScores) -> dict:
    out: dict = {}
    for kind in (*KINDS, "all"):
        chosen = [q for q in queries if kind in ("all", q.kind)]
        if not chosen:
            continue
        out[kind] = {
            "queries": len(chosen),
            "ndcg@10": round(statistics.fmean(scores.per_query[q.qid]["ndcg@10"]
                                              for q in chosen), 3),
            "recall@10": round(statistics.fmean(scores.per_query[q.qid]["recall@10"]
                                                for q in chosen), 3),
        }
    return out


def evaluate(collection: Collection, *, subset: str = "dev", systems: tuple[str, ...] = SYSTEMS,
             client=None, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Score each system on the chosen queries; returns summary and per-query figures."""
    from search.baselines import Bm25Search, WordPressSearch

    queries = [q for q in collection.queries if subset in ("all", q.set)]
    queries = [q for q in queries if any(g > 0 for g in collection.qrels.get(q.qid, {}).values())]
    if not queries:
        raise InputError(f"no judged queries in set {subset!r} of {collection.path}")
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise InputError(f"unknown system {unknown[0]!r}; choose from {', '.join(SYSTEMS)}")
    tell = progress or (lambda *_: None)
    results: dict[str, SystemScores] = {}
    for name in systems:
        started = time.perf_counter()
        ours = None
        if name == "ours":
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                tell("enrich", done, len(collection.docs))

            records = enriched_corpus(collection, step)
            if client is None:
                from core.es.node import ensure_elasticsearch
                from core.settings import get_settings

                client = ensure_elasticsearch(get_settings())
            ours = OurSearch(client, records)
            system = ours
        elif name == "wordpress":
            system = WordPressSearch(collection.docs)
        else:
            system = Bm25Search(collection.docs)
        scores = SystemScores()
        try:
            for i, query in enumerate(queries, 1):
                ranking = system.search(query.text, DEPTH)
                judged = collection.qrels.get(query.qid, {})
                scores.per_query[query.qid] = {"ndcg@10": ndcg_at(ranking, judged),
                                               "recall@10": recall_at(ranking, judged),
                                               "top": ranking}
                tell(name, i, len(queries))
        finally:
            if ours is not None:
                ours.close()
        scores.seconds = time.perf_counter() - started
        results[name] = scores
    return {
        "collection": str(collection.path), "set": subset, "queries": len(queries),
        "documents": len(collection.docs),
        "judgments": sum(len(collection.qrels.get(q.qid, {})) for q in queries),
        "systems": {name: summarise(collection, queries, s) for name, s in results.items()},
        "per_query": {q.qid: {"kind": q.kind, "query": q.text,
                              **{name: {k: (round(v, 3) if isinstance(v, float) else v)
                                        for k, v in s.per_query[q.qid].items()}
                                 for name, s in results.items()}}
                      for q in queries},
    }
