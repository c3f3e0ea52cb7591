"""What curated entities cost at read time: search latency without and with curations.

    .venv/bin/python bench/bench_curate.py [--docs 20000] [--curations 100] [--queries 200]

Indexes `--docs` synthetic releases (people, agencies and places drawn from Zipf-like
pools, short Thai titles; no enrichment), then times, in this process, the same calls the
CLI and the web page make, first with no curations file and then with `--curations`
merges of a rare spelling into a frequent name (people and agencies): the whole archive
with facets, a person filter with facets, and an entity page. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import percentiles  # noqa: E402

WORDS = ["น้ำท่วม", "ฝุ่น", "โรงเรียน", "ตลาด", "ถนน", "สวน", "ประชุม", "ตรวจ", "เปิด", "โครงการ"]


def synthetic(count: int, rng: random.Random) -> list[dict]:
    people = [f"บุคคล ทดสอบ{i}" for i in range(2000)]
    agencies = [f"สำนักงาน ทดสอบ{i}" for i in range(300)]
    places = [f"เขต ทดสอบ{i}" for i in range(100)]

    def weights(n: int) -> list[float]:
        return [1 / (i + 1) for i in range(n)]

    pw, aw, lw = weights(len(people)), weights(len(agencies)), weights(len(places))
    docs = []
    for n in range(count):
        names = {"PERSON": set(rng.choices(people, pw, k=3)),
                 "ORG": set(rng.choices(agencies, aw, k=2)),
                 "LOC": set(rng.choices(places, lw, k=1))}
        title = " ".join(rng.sample(WORDS, 3))
        entities = [{"text": name, "label": label, "start": 0, "end": 1, "canonical": name}
                    for label, found in names.items() for name in sorted(found)]
        url = f"https://example.org/bench-curate/{n}"
        docs.append({
            "id": hashlib.sha1(url.encode()).hexdigest(), "url": url, "canonical_url": url,
            "source": "pr-bangkok", "source_id": str(n), "title": title, "body": title,
            "published_at": f"20{20 + n % 5}-{1 + n % 12:02d}-15T09:00:00+07:00",
            "categories": ["ข่าว"], "tags": [], "language": "th", "images": [],
            "content_hash": str(n), "entities": entities, "officials": [],
            "title_tokens": title, "body_tokens": title, "enrichment_version": "bench"})
    return docs


def index(client, alias: str, docs: list[dict]) -> None:
    from core.records import PressReleaseDoc
    from index_mappings import create_index, point_alias

    name = create_index(client, alias)
    for start in range(0, len(docs), 1000):
        ops: list[dict] = []
        for record in docs[start:start + 1000]:
            src = PressReleaseDoc.from_enriched(record).to_source()
            ops += [{"index": {"_index": name, "_id": src["id"]}}, src]
        client.bulk(operations=ops)
    client.indices.refresh(index=name)
    client.indices.forcemerge(index=name, max_num_segments=1, wait_for_completion=True)
    point_alias(client, alias, name)


ROUNDS = 10  # without and with curations alternate in rounds, so both see the same noise


def timed(calls: dict, queries: int, rng: random.Random, switch) -> dict:
    """p50/p95/p99 per kind of call, without and with curations (`switch(on)`)."""
    samples: dict = {mode: {k: [] for k in calls} for mode in ("without", "with")}
    for _ in range(ROUNDS):
        for mode in ("without", "with"):
            switch(mode == "with")
            for kind, options in calls.items():
                options[0]()  # the first call after a switch reads the file again
                for _ in range(queries // ROUNDS):
                    call = rng.choice(options)
                    started = time.perf_counter()
                    call()
                    samples[mode][kind].append(time.perf_counter() - started)
    return {mode: {k: percentiles(v) for k, v in kinds.items()}
            for mode, kinds in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--curations", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    os.environ["BMA_NEWS_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-curate-")

    from core.es.node import ensure_elasticsearch
    from core.settings import get_settings
    from search.curations import curations_path, editing
    from search.entities import entity_view
    from search.params import SearchParams
    from search.query import search

    client = ensure_elasticsearch(get_settings())
    alias = f"bma-news-bench-curate-{os.getpid()}"
    rng = random.Random(7)
    index(client, alias, synthetic(args.docs, rng))
    top = [f"บุคคล ทดสอบ{i}" for i in range(50)]
    calls = {
        "archive_facets": [lambda: search(client, alias, SearchParams.build(""))],
        "person_filter_facets": [
            (lambda n=n: search(client, alias, SearchParams.build("", persons=[n])))
            for n in top],
        "entity_page": [(lambda n=n: entity_view(client, alias, "PERSON", n)) for n in top],
    }
    result: dict = {"docs": args.docs, "curations": args.curations, "queries": args.queries}
    path = curations_path()
    off = path.with_name("curations.off")
    try:
        with editing() as curations:
            for i in range(args.curations):
                label, prefix, pool = (("PERSON", "บุคคล ทดสอบ", 2000) if i % 5
                                       else ("ORG", "สำนักงาน ทดสอบ", 300))
                curations.merge(label, f"{prefix}{i}", f"{prefix}{pool - 1 - i}")

        def switch(on: bool) -> None:
            source, target = (off, path) if on else (path, off)
            if source.exists():
                source.rename(target)

        result.update(timed(calls, args.queries, rng, switch))
    finally:
        client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
