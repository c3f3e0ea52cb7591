"""Enrichment on several processes gives exactly what one process gives, in order."""

import json
from importlib import resources

from pipeline.enrich import PARALLEL_CHUNK, enrich_parallel, enrich_records


def test_parallel_matches_serial_in_order():
    posts = json.loads(resources.files("flows").joinpath("demo_site/posts.json").read_text())
    texts = [" ".join(p["paragraphs"])[:600] for p in posts["posts"]]
    records = [{"id": f"r{i}", "title": "ข่าว", "body": texts[i % len(texts)]}
               for i in range(PARALLEL_CHUNK + 40)]  # more than one chunk
    records.insert(7, {"id": "bad", "body": 42})  # a bad record keeps its place
    serial = list(enrich_records(records))
    parallel = list(enrich_parallel(iter(records), workers=2))
    assert [r["id"] for r in parallel] == [r["id"] for r in records]
    assert parallel == serial
    assert parallel[7]["error"]
