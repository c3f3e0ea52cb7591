"""Enrichment on several processes gives exactly what one process gives, in order."""

import json
from importlib import resources

from core.records import EnrichedRecord, Rejected
from pipeline.enrich import PARALLEL_CHUNK, enrich_parallel, enrich_records


def test_parallel_matches_serial_in_order():
    posts = json.loads(resources.files("demo").joinpath("posts.json").read_text())
    texts = [" ".join(p["paragraphs"])[:600] for p in posts["posts"]]
    records = [{"id": f"r{i}", "title": "ข่าว", "body": texts[i % len(texts)]}
               for i in range(PARALLEL_CHUNK + 40)]  # more than one chunk
    records.insert(7, {"id": "bad", "body": 42})  # a bad record keeps its place
    serial = list(enrich_records(records))
    parallel = list(enrich_parallel(iter(records), workers=2))
    def record_id(result):
        return result.record["id"] if isinstance(result, Rejected) else result.id

    assert [record_id(r) for r in parallel] == [r["id"] for r in records]
    dumped = [r.model_dump() if isinstance(r, EnrichedRecord) else r for r in parallel]
    expected = [r.model_dump() if isinstance(r, EnrichedRecord) else r for r in serial]
    assert dumped == expected
    assert isinstance(parallel[7], Rejected) and parallel[7].reason


def test_less_than_a_chunk_is_enriched_in_process():
    import multiprocessing

    records = [{"id": f"r{i}", "title": "ข่าว", "body": "กรุงเทพมหานคร จัดงานที่เขตบางรัก"}
               for i in range(5)]
    stream = enrich_parallel(iter(records), workers=4)
    first = next(stream)
    assert multiprocessing.active_children() == []  # no worker was started for five records
    rest = list(stream)
    assert [first.id] + [r.id for r in rest] == [r["id"] for r in records]


def test_default_workers_are_the_cores_up_to_the_limit(monkeypatch):
    from core.limits import MAX_DEFAULT_ENRICH_WORKERS
    from core.settings import Settings

    monkeypatch.delenv("BMA_NEWS_ENRICH_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert Settings().enrich_workers == MAX_DEFAULT_ENRICH_WORKERS
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert Settings().enrich_workers == 1
    monkeypatch.setenv("BMA_NEWS_ENRICH_WORKERS", "3")
    assert Settings().enrich_workers == 3
