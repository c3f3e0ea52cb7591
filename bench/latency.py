"""Search latency from a separate process: p50/p95/p99 for three kinds of query.

    python bench/latency.py --index ALIAS --queries 200 --warmup 20

Prints one JSON object. Each query goes through search (the same code as the
CLI and the web page): tokenising, the query, highlights, facets.

- `text`: two random runs of title text (Thai titles have no spaces, so each run is often
  a clause of several words): a stress mix, many of them matching no release in full.
- `judged` / `judged_facets`: the 80 queries of evals/search as users typed them, with
  highlights, without and with facets.
- `entity_filter`, `facets`: an agency filter by date; one title run (+ a place filter).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(cut[49] * 1000, 2), "p95_ms": round(cut[94] * 1000, 2),
            "p99_ms": round(cut[98] * 1000, 2), "n": len(ordered)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from core.es.client import connect
    from search.entities import top_entities
    from search.params import SearchParams
    from search.query import search

    client = connect()
    rng = random.Random(args.seed)
    judged = [line.split("\t")[3].strip() for line in
              (Path(__file__).resolve().parents[1] / "evals" / "search" / "queries.tsv")
              .read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    titles = [h["_source"]["title"] for h in client.search(
        index=args.index, size=500, source_includes=["title"],
        query={"function_score": {"random_score": {"seed": args.seed, "field": "_seq_no"}}},
    )["hits"]["hits"]]
    words = [w for t in titles for w in t.split() if len(w) >= 4 and any(c.isalnum() for c in w)]
    orgs = [e.canonical for e in top_entities(client, args.index, label="ORG", top=50)]
    places = [e.canonical for e in top_entities(client, args.index, label="LOC", top=50)]

    def text_query():
        return search(client, args.index, SearchParams.build(" ".join(rng.sample(words, 2))),
                      with_facets=False)

    def entity_filter():
        return search(client, args.index, SearchParams.build(
            "", organizations=[rng.choice(orgs)], sort="date"), with_facets=False)

    def facet_heavy():
        return search(client, args.index, SearchParams.build(
            rng.choice(words), places=[rng.choice(places)] if rng.random() < 0.5 else None),
            with_facets=True)

    def judged_query(facets: bool = False):
        return search(client, args.index, SearchParams.build(rng.choice(judged)),
                      with_facets=facets)

    results = {}
    for name, run in (("text", text_query), ("judged", judged_query),
                      ("judged_facets", lambda: judged_query(True)),
                      ("entity_filter", entity_filter), ("facets", facet_heavy)):
        for _ in range(args.warmup):
            run()
        samples = []
        for _ in range(args.queries):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        results[name] = percentiles(samples)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
