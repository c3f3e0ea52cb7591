"""Our loader against a plain `_bulk` of the same documents, in interleaved rounds.

    .venv/bin/python bench/bench_loader.py --enriched ENRICHED.jsonl [--docs 3000]
        [--rounds 3] [--baseline OLD_LOAD.py] [--variant CONNECTIONS:MB ...]

Every run loads the same prepared documents into a fresh index on the same node (that of
BMA_NEWS_ES_URL or the local one) and is deleted after; runs alternate, so a machine
shared with other work slows every side alike and the ratios of one round compare.
`plain` is `_bulk` of the documents' sources (made before the clock starts) in chunks of
500 and one refresh, as `make bench` §2 does. `--baseline` times another copy of
pipeline/load.py beside ours (e.g. `git show main:pipeline/load.py > /tmp/old_load.py`);
`--variant 1:16` is ours with 1 connection and 16 MB requests (0: the defaults).
An enriched file is what `bma-news enrich` or the end-to-end benchmark writes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import PREFIX, read_enriched  # noqa: E402


def _baseline_loader(path: Path):
    spec = importlib.util.spec_from_file_location("baseline_load", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.Loader


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enriched", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--variant", action="append", default=[],
                        help="CONNECTIONS:MB of ours (0: the default); repeatable")
    args = parser.parse_args()
    if not args.enriched.is_file():
        raise SystemExit(f"error: no enriched file at {args.enriched}")

    from core.es.client import connect
    from core.landing import DeadLetter
    from core.records import PressReleaseDoc
    from index_mappings import create_index
    from pipeline.load import Loader

    docs = read_enriched(args.enriched)[:args.docs]
    sources = [PressReleaseDoc.from_enriched(d).to_source() for d in docs]
    client = connect()
    sides: dict[str, object] = {"plain": None, "ours": (0, 0)}
    if args.baseline:
        sides["baseline"] = _baseline_loader(args.baseline)
    for variant in args.variant:
        connections, mb = variant.split(":")
        sides[f"ours {variant}"] = (int(connections), float(mb))

    def plain(index: str) -> None:
        for i in range(0, len(sources), 500):
            ops: list[dict] = []
            for src in sources[i:i + 500]:
                ops += [{"index": {"_index": index, "_id": src["id"]}}, src]
            client.bulk(operations=ops)
        client.indices.refresh(index=index)

    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(args.rounds):
        for name, side in sides.items():
            index = create_index(client, f"{PREFIX}-loader-{round_}-{name.replace(' ', '-').replace(':', '-')}")
            dead_letter = DeadLetter(Path(tempfile.mkdtemp()))
            started = time.perf_counter()
            if side is None:
                plain(index)
            elif isinstance(side, tuple):
                connections, mb = side
                options = {"connections": connections or None}
                if mb:
                    options["max_bytes"] = int(mb * 1024 * 1024)
                report = Loader(client, index, dead_letter, **options).load(docs)
                assert report.indexed == len(docs), report.as_dict()
            else:
                side(client, index, dead_letter, 500).load(docs)
            seconds = time.perf_counter() - started
            assert client.count(index=index)["count"] == len(docs)
            client.indices.delete(index=index)
            times[name].append(seconds)
            print(f"round {round_} {name:14s} {seconds:7.2f} s {len(docs) / seconds:6.0f} docs/s",
                  flush=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(json.dumps({"docs": len(docs), "rounds": args.rounds, "sides": {
        name: {"median_s": round(m, 2), "docs_per_s": round(len(docs) / m),
               "share_of_plain": round(medians["plain"] / m, 3),
               "runs_s": [round(x, 2) for x in times[name]]}
        for name, m in medians.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
