"""Throughput of `bma-news enrich` against PyThaiNLP's thainer CRF, side by side.

    .venv/bin/python bench/bench_enrich.py [--docs 400] [--repeat 3]

Both sides run as whole processes (startup, model loading, reading and writing JSONL
included), one at a time, pinned to one core when `taskset` is available, on the same
releases from the ThaiGov 2024 corpus (BMA_NEWS_THAIGOV path, default
../shared/data/thaigov/thaigov-2024.jsonl.gz). Peak RSS is measured per process.

The peer is PyThaiNLP 5.4's ThaiNameTagger(version="1.5") code path: newmm ("mm")
tokenisation, perceptron POS tags, PyThaiNLP's own feature function and its bundled
thainer 1.5.1 CRF model. Its "blackboard" POS model is a download and cannot be loaded
offline, so the bundled ORCHID-UD perceptron stands in (as in the ThaiNER README).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "thaigov" / "thaigov-2024.jsonl.gz"

PEER = r"""
import json, sys
from pycrfsuite import Tagger
from pythainlp.corpus import get_corpus_path
from pythainlp.tag.thainer import ThaiNameTagger
import pythainlp.corpus as corpus_pkg
from pathlib import Path

class OfflineThaiNameTagger(ThaiNameTagger):
    def __init__(self):
        self.crf = Tagger()
        self.crf.open(str(Path(corpus_pkg.__file__).parent / "thainer_crf_1_5_1.model"))
        self.pos_tag_name = "orchid_ud"  # stands in for the "blackboard" download

ner = OfflineThaiNameTagger()
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        record = json.loads(line)
        tagged = ner.get_ner(record["body"], pos=False)
        record["ner"] = tagged
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
"""


def _peak_rss_kb(cmd: list[str]) -> tuple[float, int]:
    """Wall time and the peak RSS (kB) of this one process (wait4 reads its own rusage)."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{cmd} failed:\n{stderr.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line (for bench/run.py)")
    parser.add_argument("--corpus", type=Path,
                        default=Path(os.environ.get("BMA_NEWS_THAIGOV", DEFAULT_CORPUS)))
    args = parser.parse_args()
    if not args.corpus.is_file():
        raise SystemExit(f"corpus not found: {args.corpus} (set BMA_NEWS_THAIGOV)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        chars = 0
        with gzip.open(args.corpus, "rt", encoding="utf-8") as fh, src.open("w") as out:
            for line in itertools.islice(fh, args.docs):
                record = json.loads(line)
                chars += len(record["body"])
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        ours_cmd = [sys.executable, "-m", "bma_news.cli", "enrich", "--quiet",
                    "--input", str(src), "--output", str(Path(tmp) / "ours.jsonl")]
        peer_cmd = [sys.executable, "-c", PEER, str(src), str(Path(tmp) / "peer.jsonl")]
        results: dict[str, list[tuple[float, int]]] = {"ours": [], "peer": []}
        for _ in range(args.repeat):  # interleaved so both see the same machine load
            results["ours"].append(_peak_rss_kb(ours_cmd))
            results["peer"].append(_peak_rss_kb(peer_cmd))
    lines = [f"{args.docs} releases, {chars} characters, {args.repeat} runs each, one core"]
    figures: dict = {"docs": args.docs, "chars": chars, "repeat": args.repeat}
    for side, runs in results.items():
        seconds = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs) / 1024
        figures[side] = {"median_s": round(seconds, 3), "chars_per_s": round(chars / seconds),
                         "docs_per_s": round(args.docs / seconds, 1), "peak_rss_mb": round(rss),
                         "runs_s": [round(r[0], 2) for r in runs]}
        lines.append(f"{side:5s} median {seconds:6.2f}s  {chars / seconds:9.0f} chars/s  "
                     f"{args.docs / seconds:7.1f} docs/s  peak RSS {rss:6.0f} MB  "
                     f"runs {[round(r[0], 2) for r in runs]}")
    figures["speedup"] = round(figures["peer"]["median_s"] / figures["ours"]["median_s"], 2)
    lines.append(f"speed-up (peer time / our time): {figures['speedup']:.2f}x")
    print("\n".join(lines))
    if args.json:
        print(json.dumps(figures | {"text": "\n".join(lines)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
