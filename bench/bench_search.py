"""Search latency at scale on its own (the same steps as `make bench` sections 4-5):

    .venv/bin/python bench/bench_search.py [--distinct 10000] [--total 100000] [--queries 200]
                                           [--keep]

Enriches `--distinct` ThaiGov releases (cached in the bma-news cache directory per
enrichment version), indexes `--total` documents (copies get new ids), force-merges, then
runs bench/latency.py from a separate process. `--keep` leaves the index for profiling.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import distinct_raw_records  # noqa: E402
from bench.run import PREFIX, build_index, latency  # noqa: E402


def enriched_releases(count: int) -> list[dict]:
    from core.records import Rejected
    from core.settings import get_settings
    from pipeline import ENRICHMENT_VERSION
    from pipeline.enrich import enrich_parallel

    cache = Path(get_settings().cache_dir) / "bench" / f"thaigov-{count}-{ENRICHMENT_VERSION}.jsonl.gz"
    if cache.is_file():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    workers = max(1, get_settings().enrich_workers)
    records = [r.model_dump(mode="json") for r in enrich_parallel(distinct_raw_records(count), workers)
               if not isinstance(r, Rejected)]
    cache.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(cache, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distinct", type=int, default=10_000)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from core.es.node import ensure_elasticsearch
    from core.settings import get_settings

    client = ensure_elasticsearch(get_settings())
    docs = enriched_releases(args.distinct)
    alias = f"{PREFIX}-search-{args.total}"
    if not (args.keep and client.indices.exists_alias(name=alias)):
        client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
        alias, scale = build_index(client, docs, args.total, args.chunk)
        print(json.dumps({"scale": scale}))
    try:
        print(json.dumps({"latency": latency(alias, args.queries)}))
    finally:
        if not args.keep:
            client.indices.delete(index=f"{alias}-*", ignore_unavailable=True,
                                  allow_no_indices=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
