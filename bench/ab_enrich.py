"""`bma-news enrich` from two trees, runs alternating: before/after figures on a shared machine.

    git archive main | tar -x -C /tmp/before
    .venv/bin/python bench/ab_enrich.py --before /tmp/before [--after .] [--docs 400] [--runs 7]

Each run is a whole process (`python -m bma_news.cli enrich -q`) started in its tree, so
that tree's code is imported, pinned to one core (--core) when `taskset` is there, on the
first --docs releases of the bench corpus. Alternating the two sides lets both see the
same machine load; medians of wall and CPU (user + system) time per side are printed.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import corpus_path  # noqa: E402


def _run(tree: Path, src: Path, out: Path, core: int) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "bma_news.cli", "enrich", "-q", "-i", str(src), "-o", str(out)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(core), *cmd]
    started = os.times().elapsed
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd} in {tree} failed:\n{stderr.decode(errors='replace')[-2000:]}")
    return os.times().elapsed - started, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="a tree with the old code")
    parser.add_argument("--after", type=Path, default=ROOT)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with gzip.open(corpus_path(), "rt", encoding="utf-8") as fh, src.open("w") as out:
            out.writelines(itertools.islice(fh, args.docs))
        sides = {"before": args.before.resolve(), "after": args.after.resolve()}
        runs: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        for _ in range(args.runs):
            for side, tree in sides.items():
                runs[side].append(_run(tree, src, Path(tmp) / f"{side}.jsonl", args.core))
    print(f"{args.docs} releases, {args.runs} runs each, alternating, core {args.core}")
    cpu = {}
    for side, results in runs.items():
        cpu[side] = statistics.median(r[1] for r in results)
        print(f"{side:6s} median wall {statistics.median(r[0] for r in results):6.2f}s  "
              f"CPU {cpu[side]:6.2f}s  walls {[round(r[0], 2) for r in results]}")
    print(f"CPU after / before: {cpu['after'] / cpu['before']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
