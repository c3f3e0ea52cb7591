"""Enrichment over Dask: the nightly flow on the same raw files with a LocalCluster of 1
and of 2 worker processes (prefect-dask's DaskTaskRunner, one task per raw file).

    python bench/bench_dask.py --docs 400 --files 8 [--json]

Each run gets a fresh landing zone and alias, so both enrich everything; the wall time is
the whole flow (cluster start, enrichment, load). Needs the Elasticsearch node (as make bench).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import distinct_raw_records  # noqa: E402

CODE = ("import json,sys; from flows.nightly import nightly; "
        "print(json.dumps(nightly(sources=[], data_dir=sys.argv[1], index=sys.argv[2])))")


def one(raw: list[dict], files: int, workers: int, work: Path) -> dict:
    data = work / f"data-{workers}"
    for f in range(files):
        path = data / "raw" / "thaigov" / "2024-12-31" / f"bench-{f}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in raw[f::files]), encoding="utf-8")
    alias = f"bma-news-bench-dask-{workers}"
    # A Prefect home of its own: the temporary server's SQLite file is not shared with
    # other Prefect processes on the machine (they lock it).
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_HOME": str(work / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
           "BMA_NEWS_DASK_WORKERS": str(workers)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CODE, str(data), alias], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"error: the flow failed with {workers} Dask workers: "
                         f"{(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    from core.es.client import connect

    connect().indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    return {"workers": workers, "wall_s": round(wall, 1), "indexed": result["indexed"],
            "reconciles": result["reconciles"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    raw = distinct_raw_records(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one(raw, args.files, workers, Path(tmp)) for workers in (1, 2)]
    res = {"docs": len(raw), "files": args.files, "cores": os.cpu_count(), "runs": runs,
           "speedup_2_over_1": round(runs[0]["wall_s"] / runs[1]["wall_s"], 2)}
    print(json.dumps(res) if args.json else res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
