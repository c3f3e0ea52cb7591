"""How long the nightly run's watch step takes: every watch matched against a run's ids.

    .venv/bin/python bench/bench_watches.py [--docs 5000] [--watches 50]

Indexes `--docs` releases (copies, with new ids, of the hand-built releases of
tests/search/releases.py, which carry entities for the filters) into a throwaway alias,
saves `--watches` watches (queries, person/organization/place filters and both), then
times `evaluate_watches` over all the ids as one run's (every match new), and again (the
same ids: nothing new, nothing written). Everything it made is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import replicate  # noqa: E402
from bench.run import PREFIX  # noqa: E402

QUERIES = ["น้ำท่วม", "ฝุ่น", "โรงเรียน", "ตลาดนัด", "ควันดำ", "ระบายน้ำ", "ต้นไม้", "นโยบาย",
           "น้ำท่วม บางเขน", "ฝุ่น PM2.5"]


def watch_specs(count: int) -> list[dict]:
    from tests.search.releases import RELEASES

    people = sorted({n for r in RELEASES for n in r.names("PERSON")})
    orgs = sorted({n for r in RELEASES for n in r.names("ORG")})
    places = sorted({n for r in RELEASES for n in r.names("LOC")})
    specs = []
    for i in range(count):
        kind = i % 4
        spec: dict = {"name": f"watch {i}", "query": QUERIES[i % len(QUERIES)] if kind != 1 else ""}
        if kind == 1:
            spec["persons"] = [people[i % len(people)]]
        if kind in (2, 3):
            spec["organizations" if kind == 2 else "places"] = [
                (orgs if kind == 2 else places)[i % (len(orgs) if kind == 2 else len(places))]]
        specs.append(spec)
    return specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--watches", type=int, default=50)
    args = parser.parse_args()

    from core.es.client import connect
    from core.records import PressReleaseDoc
    from index_mappings import ensure_index
    from search.watches import add_watch, evaluate_watches
    from tests.search.releases import RELEASES, enriched

    client = connect()
    alias = f"{PREFIX}-watches"
    client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    try:
        ensure_index(client, alias)
        ids, batch = [], []
        for record in replicate([enriched(r) for r in RELEASES], args.docs):
            src = PressReleaseDoc.from_enriched(record).to_source()
            ids.append(src["id"])
            batch += [{"index": {"_index": alias, "_id": src["id"]}}, src]
            if len(batch) >= 1000:
                client.bulk(operations=batch)
                batch = []
        if batch:
            client.bulk(operations=batch)
        client.indices.refresh(index=alias)
        for spec in watch_specs(args.watches):
            add_watch(client, alias, **spec)
        started = time.perf_counter()
        first = evaluate_watches(client, alias, ids, "bench-1")
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = evaluate_watches(client, alias, ids, "bench-2")
        second_s = time.perf_counter() - started
        print(json.dumps({
            "docs": args.docs, "watches": args.watches,
            "matches_recorded": sum(first.values()), "first_run_s": round(first_s, 2),
            "same_ids_again_s": round(second_s, 2), "recorded_again": sum(second.values()),
            "ms_per_watch_first": round(1000 * first_s / args.watches, 1),
            "ms_per_watch_again": round(1000 * second_s / args.watches, 1)}, indent=1))
    finally:
        client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)


if __name__ == "__main__":
    main()
