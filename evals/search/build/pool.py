"""Judging pools for the search evaluation, and the qrels built from the judge's grades.

Pool of a query = union of
  (a) the documents whose title+body contains any of the query's surface forms
      (build/forms.tsv: qid, then the forms separated by " | "; plain substring search after
      removing zero-width spaces and collapsing white space; a form "A & B" needs both), and
  (b) the top POOL_DEPTH documents of Okapi BM25 (k1=1.2, b=0.75) over pythainlp newmm tokens
      of title+body, for the query text as typed.

    pool.py stats                     pool sizes per query
    pool.py show QID [--from N]       print the pooled documents to read (title, passages)
    pool.py grade QID 2=i,j 1=k       record the judge's grades (indices as printed by show;
                                      every other pooled document is recorded as 0)
    pool.py qrels                     check every pool is judged, write evals/search/qrels.tsv

Grades are kept in build/grades.tsv (qid, doc_id, grade), one line per relevant document
(grade 1 or 2) and a line "qid\t*\t0" once the query's whole pool has been read.
Tokens are cached in $TMPDIR (not in the repository).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import pickle
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL_DIR = HERE.parent
CORPUS = EVAL_DIR / "corpus.jsonl.gz"
QUERIES = EVAL_DIR / "queries.tsv"
QRELS = EVAL_DIR / "qrels.tsv"
FORMS = HERE / "forms.tsv"
GRADES = HERE / "grades.tsv"
CACHE = Path(tempfile.gettempdir()) / "bma-news-evals-search-tokens.pkl"

POOL_DEPTH = 30
K1, B = 1.2, 0.75
_WS = re.compile(r"\s+")
_WORDISH = re.compile(r"\w", re.UNICODE)


def normalize(text: str) -> str:
    return _WS.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


def load_corpus() -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def tokenize(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize
    return [t.lower() for t in word_tokenize(normalize(text), engine="newmm", keep_whitespace=False)
            if _WORDISH.search(t)]


def corpus_tokens(docs: list[dict]) -> list[list[str]]:
    key = (CORPUS.stat().st_size, CORPUS.stat().st_mtime_ns)
    if CACHE.exists():
        with CACHE.open("rb") as fh:
            cached_key, toks = pickle.load(fh)
        if cached_key == key:
            return toks
    toks = [tokenize(d["title"] + "\n" + d["body"]) for d in docs]
    with CACHE.open("wb") as fh:
        pickle.dump((key, toks), fh)
    return toks


class BM25:
    """Okapi BM25, k1=1.2, b=0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))."""

    def __init__(self, docs_tokens: list[list[str]], k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        self.tf = [Counter(t) for t in docs_tokens]
        self.len = [len(t) for t in docs_tokens]
        self.avgdl = sum(self.len) / len(self.len)
        df: Counter = Counter()
        for tf in self.tf:
            df.update(tf.keys())
        n = len(docs_tokens)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}

    def scores(self, query_tokens: list[str]) -> list[float]:
        out = [0.0] * len(self.tf)
        for w in query_tokens:  # repeated query terms count again, as in Lucene's sum
            idf = self.idf.get(w)
            if idf is None:
                continue
            for i, tf in enumerate(self.tf):
                f = tf.get(w)
                if f:
                    norm = self.k1 * (1 - self.b + self.b * self.len[i] / self.avgdl)
                    out[i] += idf * f * (self.k1 + 1) / (f + norm)
        return out


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_forms() -> dict[str, list[str]]:
    forms = {}
    for line in FORMS.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, rest = line.split("\t", 1)
        forms[qid] = [normalize(f) for f in rest.split(" | ") if normalize(f)]
    return forms


class Pools:
    def __init__(self) -> None:
        self.docs = load_corpus()
        self.text = [normalize(d["title"] + "\n" + d["body"]) for d in self.docs]
        self.bm25 = BM25(corpus_tokens(self.docs))
        self.queries = {q["qid"]: q for q in read_tsv(QUERIES)}
        self.forms = load_forms()

    def pool(self, qid: str) -> tuple[list[int], list[float], dict[int, list[str]]]:
        q = self.queries[qid]
        scores = self.bm25.scores(tokenize(q["query"]))
        ranked = sorted(range(len(self.docs)), key=lambda i: (-scores[i], i))
        top = [i for i in ranked[:POOL_DEPTH] if scores[i] > 0]
        hits: dict[int, list[str]] = {}
        for i, text in enumerate(self.text):
            found = [f for f in self.forms.get(qid, []) if all(x in text for x in f.split(" & "))]
            if found:
                hits[i] = found
        members = sorted(set(top) | set(hits), key=lambda i: (-scores[i], i))
        return members, scores, hits


def strip_header(doc: dict) -> str:
    """Body without the lines that only repeat the title or the date (for display only)."""
    title = normalize(doc["title"])
    keep = []
    for line in doc["body"].split("\n"):
        n = normalize(line)
        if not n or n == "พิมพ์" or n == title or re.fullmatch(r"[\d/]+", n):
            continue
        if re.match(r"^วัน\S+ที่ \d+ \S+ \d{4}$", n):
            continue
        keep.append(n)
    return " ¶ ".join(keep)


def passages(text: str, needles: list[str], width: int = 75, most: int = 2) -> list[str]:
    out, used = [], []
    for needle in needles:
        start = 0
        while True:
            j = text.find(needle, start)
            if j < 0:
                break
            if all(abs(j - u) > 2 * width for u in used):
                used.append(j)
                a, z = max(0, j - width), min(len(text), j + len(needle) + width)
                out.append(("…" if a else "") + text[a:z] + ("…" if z < len(text) else ""))
                break
            start = j + 1
        if len(out) >= most:
            break
    return out


def cmd_show(p: Pools, qid: str, start: int = 0, limit: int = 1000, *, width: int = 60,
             most: int = 1, title_width: int = 110, show_passages: bool = True) -> None:
    members, scores, hits = p.pool(qid)
    q = p.queries[qid]
    print(f"== {qid} [{q['kind']}] {q['query']}  forms={p.forms.get(qid)}  pool={len(members)}")
    rank = {i: r + 1 for r, i in enumerate(sorted(range(len(p.docs)), key=lambda i: (-scores[i], i))[:POOL_DEPTH])}
    for i in members[start:start + limit]:
        d = p.docs[i]
        found = hits.get(i, [])
        full = normalize(d["title"] + " " + d["body"])
        counts = ",".join("+".join(str(full.count(x)) for x in f.split(" & ")) for f in found)
        tag = f"r{rank[i]}" if i in rank else "--"
        print(f"#{i} {tag} h={counts or '-'} T:{normalize(d['title'])[:title_width]}")
        if found and show_passages:
            body = strip_header(d)
            needles = [x for f in found for x in f.split(" & ")]
            for s in passages(body, needles, width=width, most=most):
                print("   > " + s)


def load_grades() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if GRADES.exists():
        for row in read_tsv(GRADES):
            out.setdefault(row["qid"], {})[row["doc_id"]] = int(row["grade"])
    return out


def cmd_grade(p: Pools, qid: str, specs: list[str]) -> None:
    members, _, _ = p.pool(qid)
    grades = load_grades()
    g: dict[str, int] = {"*": 0}
    for spec in specs:
        grade, _, idxs = spec.partition("=")
        for s in filter(None, idxs.split(",")):
            i = int(s.lstrip("#"))
            if i not in members:
                print(f"warning: #{i} is not in the pool of {qid}; judged anyway", file=sys.stderr)
            g[p.docs[i]["id"]] = int(grade)
    grades[qid] = g
    with GRADES.open("w", encoding="utf-8") as fh:
        fh.write("qid\tdoc_id\tgrade\n")
        for q in sorted(grades):
            for doc_id, gr in grades[q].items():
                fh.write(f"{q}\t{doc_id}\t{gr}\n")
    rel = {k: v for k, v in g.items() if k != "*"}
    print(f"{qid}: pool {len(members)}, grade2 {sum(v == 2 for v in rel.values())}, "
          f"grade1 {sum(v == 1 for v in rel.values())}")


def cmd_qrels(p: Pools) -> None:
    grades = load_grades()
    rows, missing = [], []
    for qid in p.queries:
        if qid not in grades or "*" not in grades[qid]:
            missing.append(qid)
            continue
        members, _, _ = p.pool(qid)
        ids = [p.docs[i]["id"] for i in members]
        extra = [d for d in grades[qid] if d != "*" and d not in ids]
        for doc_id in ids + extra:
            rows.append((qid, doc_id, grades[qid].get(doc_id, 0)))
    if missing:
        print("not judged yet:", " ".join(missing))
    with QRELS.open("w", encoding="utf-8") as fh:
        fh.write("qid\tdoc_id\tgrade\n")
        for r in rows:
            fh.write("{}\t{}\t{:d}\n".format(*r))
    print(f"wrote {len(rows)} judgments to {QRELS}")


def cmd_stats(p: Pools) -> None:
    for qid, q in p.queries.items():
        members, _, hits = p.pool(qid)
        print(f"{qid}\t{q['kind']}\t{len(hits)}\t{len(members)}\t{q['query']}")


def main(argv: list[str]) -> None:
    p = Pools()
    cmd, args = argv[0], argv[1:]
    if cmd == "show":
        start = int(args[args.index("--from") + 1]) if "--from" in args else 0
        limit = int(args[args.index("--limit") + 1]) if "--limit" in args else 1000
        width = int(args[args.index("--width") + 1]) if "--width" in args else 60
        most = int(args[args.index("--most") + 1]) if "--most" in args else 1
        for qid in [a for a in args if not a.startswith("--") and a in p.queries]:
            cmd_show(p, qid, start, limit, width=width, most=most,
                     show_passages="--titles" not in args)
    elif cmd == "grade":
        cmd_grade(p, args[0], args[1:])
    elif cmd == "qrels":
        cmd_qrels(p)
    elif cmd == "stats":
        cmd_stats(p)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:] or ["help"])
