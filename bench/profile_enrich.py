"""Where `bma-news enrich` spends its time: py-spy samples one whole process.

    .venv/bin/python bench/profile_enrich.py [--docs 400] [--rate 250] [--raw FILE]

The same releases as bench/bench_enrich.py (the first --docs of the ThaiGov 2024 corpus),
one process, pinned to one core when `taskset` is there. Prints the share of samples spent
in each stage (inclusive) and the functions that were on top of the stack most often
(self). Shares, not seconds: they hold on a loaded machine, where seconds do not.
py-spy (a dev dependency) samples from outside, so the process runs at full speed; it
needs ptrace, which root has.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "thaigov" / "thaigov-2024.jsonl.gz"

# (label, the frame that stands for the stage)
STAGES = (
    ("whole enrich command", "enrich (bma_news/commands/nlp.py)"),
    ("imports (start-up)", "_find_and_load (<frozen importlib._bootstrap>)"),
    ("spaCy pipe: tokenizer + components", "_pipe (spacy/util.py)"),
    ("  normalise + segment + Doc (tokenizer)", "Nlpo3Tokenizer.__call__ (pipeline/language.py)"),
    ("    segment (nlpo3 and our chunking)", "segment (pipeline/tokenise.py)"),
    ("    normalise", "normalise (pipeline/normalise.py)"),
    ("  gazetteer", "gazetteer_component (pipeline/language.py)"),
    ("  CRF (features + Viterbi)", "crf_spans_many (pipeline/entities.py)"),
    ("  entities (merge, rules, canonical)", "entities_component (pipeline/language.py)"),
    ("  officials", "officials_component (pipeline/language.py)"),
    ("index terms (body)", "index_tokens (pipeline/analysis.py)"),
    ("index terms (title, re-segmented bodies)", "index_text (pipeline/analysis.py)"),
    ("roles", "role_mentions (pipeline/roles.py)"),
    ("garbage collector", "gc_collect_main (libpython3.11.so.1.0)"),
)


def _frame(raw: str) -> str:
    """"f (pipeline/x.py:12)" -> "f (pipeline/x.py)"; Rust's hash suffixes dropped."""
    name, _, where = raw.strip().partition(" (")
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    where = where.removesuffix(")").rsplit(":", 1)[0]
    return f"{name} ({where})" if where else name


def summarise(raw_profile: Path, top: int = 15) -> str:
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw_profile.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        leaves[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    lines = [f"{total} samples", "", "| stage | share |", "| --- | --- |"]
    lines += [f"| {label} | {100 * inclusive[frame] / total:.1f}% |" for label, frame in STAGES]
    lines += ["", "| on top of the stack (self) | share |", "| --- | --- |"]
    lines += [f"| `{name}` | {100 * n / total:.1f}% |" for name, n in leaves.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw profile here")
    parser.add_argument("--corpus", type=Path,
                        default=Path(os.environ.get("BMA_NEWS_THAIGOV", DEFAULT_CORPUS)))
    args = parser.parse_args()
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy not found: it is a dev dependency (make venv)")
    if not args.corpus.is_file():
        raise SystemExit(f"corpus not found: {args.corpus} (set BMA_NEWS_THAIGOV)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with gzip.open(args.corpus, "rt", encoding="utf-8") as fh, src.open("w") as out:
            for line in itertools.islice(fh, args.docs):
                out.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
        raw = args.raw or Path(tmp) / "profile.txt"
        cmd = [spy, "record", "--rate", str(args.rate), "--format", "raw", "--native",
               "--output", str(raw), "--", sys.executable, "-m", "bma_news.cli", "enrich",
               "--quiet", "--input", str(src), "--output", str(Path(tmp) / "out.jsonl")]
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", "0", *cmd]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"py-spy failed:\n{done.stderr[-2000:]}")
        print(f"`bma-news enrich`, {args.docs} releases, py-spy {args.rate} Hz\n")
        print(summarise(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
