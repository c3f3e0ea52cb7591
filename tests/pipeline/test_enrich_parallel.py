"""Enrichment on several processes gives exactly what one process gives, in order."""

import gzip
import itertools
import json

from pipeline.enrich import PARALLEL_CHUNK, enrich_parallel, enrich_records
from tests.conftest import SHARED


def test_parallel_matches_serial_in_order():
    corpus = SHARED / "data" / "thaigov" / "thaigov-2024.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        records = [{"id": r["id"], "title": r["title"], "body": r["body"][:600]}
                   for r in map(json.loads, itertools.islice(fh, PARALLEL_CHUNK + 40))]
    records.insert(7, {"id": "bad", "body": 42})  # a bad record keeps its place
    serial = list(enrich_records(records))
    parallel = list(enrich_parallel(iter(records), workers=2))
    assert [r["id"] for r in parallel] == [r["id"] for r in records]
    assert parallel == serial
    assert parallel[7]["error"]
