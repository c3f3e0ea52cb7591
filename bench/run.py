"""`make bench`: the project's figures, measured in one run, written to bench/RESULTS.md.

    .venv/bin/python bench/run.py [--docs 10000] [--search-docs 100000] [--queries 200]
                                  [--enrich-docs 400] [--quick]

1. Enrichment throughput: ours vs PyThaiNLP's thainer CRF on the same texts (one core,
   bench/bench_enrich.py), and ours on all cores.
2. Indexing throughput: our loader vs a plain `_bulk` of the same prepared documents.
3. End to end: N raw releases to searchable through the Prefect flow, wall time by phase.
4. Search latency from a separate process at 10k and at --search-docs documents.
5. Scale: index size per 10,000 documents, and how the figures change from 10k up.
6. Search quality: `bma-news eval-search` on the judged collection evals/search (dev and
   holdout), ours against WordPress's search and a plain newmm + BM25, in the same run.
7. NER on BMA releases: `bma-news eval-ner --bma` on evals/ner-bma (dev and holdout),
   per-type P/R/F1 per document and position accuracy.
8. The nightly flow over Dask with 1 and 2 LocalCluster workers (bench/bench_dask.py).

Uses the ThaiGov 2024 corpus (BMA_NEWS_THAIGOV) and the node of BMA_NEWS_ES_URL or the
local one (started if needed). Every index it makes is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import distinct_raw_records, replicate  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
# The profile of `enrich` as it was before issue #16's changes, kept for the comparison.
PROFILE_BASELINE = ROOT / "bench" / "profile-baseline.md"
OUT = ROOT / "bench" / "out"
PREFIX = "bma-news-bench"


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem_kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")))
    from importlib.metadata import version

    versions = {p: version(p) for p in ("pythainlp", "nlpo3", "spacy", "python-crfsuite",
                                        "elasticsearch", "prefect", "scrapy")}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT, check=False).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version(), "versions": versions, "commit": commit,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def es_version(client) -> str:
    return client.nodes.info(filter_path="nodes.*.version")["nodes"].popitem()[1]["version"]


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run_json(cmd: list[str], **kwargs) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise SystemExit(f"error: {shlex.join(cmd)} failed: {proc.stderr.strip()[-600:]}")
    out = proc.stdout.strip()
    try:
        return json.loads(out.split("\n")[-1])
    except json.JSONDecodeError:  # a command printing indented JSON
        return json.loads(out)


def bench_enrichment(docs: int, repeat: int) -> dict:
    return run_json([sys.executable, str(ROOT / "bench" / "bench_enrich.py"), "--docs",
                     str(docs), "--repeat", str(repeat), "--json"], cwd=ROOT)


def profile_enrichment(docs: int) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "profile_enrich.py"), "--docs",
                           str(docs)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return {"text": done.stdout}


def bench_enrich_all_cores(raw: list[dict], workdir: Path) -> dict:
    """Our enrich on every core: the input split into one shard per core, one process each."""
    cores = os.cpu_count() or 1
    shards = []
    for i in range(cores):
        path = workdir / f"shard-{i}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in raw[i::cores]), encoding="utf-8")
        shards.append(path)
    chars = sum(len(r["body"]) + len(r["title"]) for r in raw)
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "bma_news.cli", "enrich", "--input",
                               str(p), "--output", str(p.with_suffix(".out"))],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for p in shards]
    if any(p.wait() != 0 for p in procs):
        raise SystemExit("error: enrich failed in the all-cores benchmark")
    seconds = time.perf_counter() - started
    return {"cores": cores, "docs": len(raw), "chars": chars, "seconds": round(seconds, 2),
            "chars_per_s": round(chars / seconds), "docs_per_s": round(len(raw) / seconds, 1)}


def end_to_end(raw: list[dict], workdir: Path, alias: str) -> tuple[dict, Path]:
    """N raw records in a landing zone → searchable, through the real Prefect nightly flow."""
    data = workdir / "data"
    raw_file = data / "raw" / "thaigov" / "2024-12-31" / "bench.jsonl"
    raw_file.parent.mkdir(parents=True)
    raw_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in raw),
                        encoding="utf-8")
    code = ("import json,sys; from flows.nightly import nightly; "
            "print(json.dumps(nightly(sources=[], data_dir=sys.argv[1], index=sys.argv[2])))")
    started = time.perf_counter()
    result = run_json([sys.executable, "-c", code, str(data), alias], cwd=ROOT,
                      env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
    wall = time.perf_counter() - started
    enriched = data / "enriched" / "thaigov" / "2024-12-31" / "bench.jsonl"
    return {"docs": len(raw), "wall_s": round(wall, 1), "phases_s": result["seconds"],
            "indexed": result["indexed"], "reconciles": result["reconciles"],
            "other_s": round(wall - sum(result["seconds"].values()), 1)}, enriched


def read_enriched(path: Path) -> list[dict]:
    # Not splitlines(): JSON strings may hold U+2028 and other separators it splits on.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def bench_indexing(client, docs: list[dict], chunk: int) -> dict:
    """Our loader vs a plain `_bulk` of the same documents into fresh indices, median of 3."""
    from core.landing import DeadLetter
    from core.records import PressReleaseDoc
    from index_mappings import create_index
    from pipeline.load import Loader

    sources = [PressReleaseDoc.from_enriched(d).to_source() for d in docs]
    ours, plain = [], []
    for attempt in range(3):
        index = create_index(client, f"{PREFIX}-idx-ours{attempt}")
        started = time.perf_counter()
        report = Loader(client, index, DeadLetter(Path(tempfile.mkdtemp())), chunk).load(docs)
        ours.append(time.perf_counter() - started)
        assert report.indexed == len(docs), report.as_dict()
        client.indices.delete(index=index)

        index = create_index(client, f"{PREFIX}-idx-plain{attempt}")
        started = time.perf_counter()
        for i in range(0, len(sources), chunk):
            ops = []
            for src in sources[i:i + chunk]:
                ops += [{"index": {"_index": index, "_id": src["id"]}}, src]
            client.bulk(operations=ops)
        client.indices.refresh(index=index)
        plain.append(time.perf_counter() - started)
        client.indices.delete(index=index)
    ours_s, plain_s = statistics.median(ours), statistics.median(plain)
    return {"docs": len(docs), "chunk": chunk, "ours_docs_per_s": round(len(docs) / ours_s),
            "plain_bulk_docs_per_s": round(len(docs) / plain_s),
            "ours_share_of_plain": round(plain_s / ours_s, 2),
            "runs_s": {"ours": [round(x, 2) for x in ours], "plain": [round(x, 2) for x in plain]}}


def build_index(client, docs: list[dict], total: int, chunk: int) -> tuple[str, dict]:
    from core.records import PressReleaseDoc
    from index_mappings import create_index, point_alias

    alias = f"{PREFIX}-search-{total}"
    index = create_index(client, alias)
    batch: list[dict] = []
    started = time.perf_counter()
    for record in replicate(docs, total):
        src = PressReleaseDoc.from_enriched(record).to_source()
        batch += [{"index": {"_index": index, "_id": src["id"]}}, src]
        if len(batch) >= 2 * chunk:
            client.bulk(operations=batch)
            batch = []
    if batch:
        client.bulk(operations=batch)
    client.indices.refresh(index=index)
    client.indices.forcemerge(index=index, max_num_segments=1, wait_for_completion=True)
    point_alias(client, alias, index)
    seconds = time.perf_counter() - started
    stats = client.indices.stats(index=index, metric="store,docs")["indices"][index]["primaries"]
    size = stats["store"]["size_in_bytes"]
    return alias, {"docs": client.count(index=index)["count"], "build_s": round(seconds, 1),
                   "store_mb": round(size / 1024**2, 1),
                   "mb_per_10k_docs": round(size / 1024**2 / (total / 10_000), 1)}


def latency(alias: str, queries: int) -> dict:
    return run_json([sys.executable, str(ROOT / "bench" / "latency.py"), "--index", alias,
                     "--queries", str(queries)], cwd=ROOT)


def search_quality() -> dict:
    out = {}
    for subset in ("dev", "holdout"):
        out[subset] = run_json([sys.executable, "-m", "bma_news", "eval-search", "--set", subset,
                                "--json", "--quiet"], cwd=ROOT)
    return out


def ner_bma() -> dict:
    return {subset: run_json([sys.executable, "-m", "bma_news", "eval-ner", "--bma", "--set",
                              subset, "--json"], cwd=ROOT) for subset in ("dev", "holdout")}


def write_results(res: dict, command: str) -> None:
    m = res["machine"]
    lines = [
        "# bma-news benchmark results", "",
        f"- date: {m['date']}; commit `{m['commit']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM (shared, noisy)",
        f"- Python {m['python']}; Elasticsearch {res.get('es_version')} (local integ-test "
        f"distribution, 1 node); " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- command: `{command}`", "",
        "Medians of repeated runs where stated; ratios come from the same run.", "",
    ]
    if "enrichment" in res:
        e = res["enrichment"]
        lines += ["## 1. Enrichment throughput", "", "```", e.get("text", json.dumps(e)).strip(),
                  "```", ""]
    if "enrich_all_cores" in res:
        a = res["enrich_all_cores"]
        lines += [f"All cores ({a['cores']} processes, {a['docs']} releases, {a['chars']:,} chars):"
                  f" {a['chars_per_s']:,} chars/s, {a['docs_per_s']} docs/s.", ""]
    if "indexing" in res:
        i = res["indexing"]
        lines += ["## 2. Indexing throughput", "",
                  f"{i['docs']:,} prepared documents, chunks of {i['chunk']}, median of 3:", "",
                  "| loader | docs/s |", "| --- | --- |",
                  f"| ours (validation, unchanged check, retries, dead letters, byte-bounded parallel bulk, one refresh) | {i['ours_docs_per_s']:,} |",
                  f"| plain `_bulk` | {i['plain_bulk_docs_per_s']:,} |",
                  f"| ours as a share of plain | {i['ours_share_of_plain']:.2f} |", ""]
    if "end_to_end" in res:
        e = res["end_to_end"]
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in e["phases_s"].items())
        lines += ["## 3. End to end", "",
                  f"{e['docs']:,} raw releases → searchable through the Prefect nightly flow: "
                  f"**{e['wall_s']} s** wall ({phases}; Prefect start-up and the rest "
                  f"{e['other_s']} s). Indexed {e['indexed']:,}, counts reconcile: "
                  f"{e['reconciles']}.", ""]
    if "latency" in res:
        lines += ["## 4. Search latency (separate process, through search)", "",
                  "| documents | query | p50 ms | p95 ms | p99 ms | n |", "| --- | --- | --- | --- | --- | --- |"]
        for size, kinds in res["latency"].items():
            for kind, p in kinds.items():
                lines.append(f"| {int(size):,} | {kind} | {p['p50_ms']} | {p['p95_ms']} | "
                             f"{p['p99_ms']} | {p['n']} |")
        lines.append("")
    if "scale" in res:
        lines += ["## 5. Scale", "", "| documents | build s | store MB | MB per 10k docs |",
                  "| --- | --- | --- | --- |"]
        for s in res["scale"].values():
            lines.append(f"| {s['docs']:,} | {s['build_s']} | {s['store_mb']} | {s['mb_per_10k_docs']} |")
        lines.append("")
    if "search_quality" in res:
        lines += ["## 6. Search quality (nDCG@10 / recall@10, judged queries)", "",
                  "`bma-news eval-search --set dev|holdout` on evals/search "
                  "(BMA and Thai government releases; see evals/search/README.md).", ""]
        for subset, result in res["search_quality"].items():
            systems = list(result["systems"])
            lines += [f"{subset}: {result['queries']} queries, {result['documents']} documents, "
                      f"{result['judgments']} judgments", "",
                      "| kind | n | " + " | ".join(systems) + " |",
                      "| --- | --- | " + " | ".join("---" for _ in systems) + " |"]
            for kind, row in result["systems"][systems[0]].items():
                cells = [f"{result['systems'][s][kind]['ndcg@10']:.3f} / "
                         f"{result['systems'][s][kind]['recall@10']:.3f}" for s in systems]
                lines.append(f"| {kind} | {row['queries']} | " + " | ".join(cells) + " |")
            lines.append("")
    if "ner_bma" in res:
        lines += ["## 7. NER on BMA releases (per document, ANNOTATION.md)", "",
                  "`bma-news eval-ner --bma --set dev|holdout` on evals/ner-bma "
                  "(see evals/ner-bma/README.md and ERRORS.md).", "",
                  "| set | releases | PERSON F1 | ORG F1 | LOC F1 | micro P / R / F1 | positions right |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for subset, r in res["ner_bma"].items():
            sc = r["scores"]
            lines.append(f"| {subset} | {r['releases']} | {sc['PERSON']['f1']:.3f} | "
                         f"{sc['ORG']['f1']:.3f} | {sc['LOC']['f1']:.3f} | "
                         f"{sc['micro']['precision']:.3f} / {sc['micro']['recall']:.3f} / "
                         f"{sc['micro']['f1']:.3f} | {r['positions']['accuracy']:.3f} "
                         f"({r['positions']['right']}/{r['positions']['total']}) |")
        lines.append("")
    if "dask" in res:
        d = res["dask"]
        lines += ["## 8. Enrichment over Dask (prefect-dask DaskTaskRunner, LocalCluster)", "",
                  f"The whole nightly flow on {d['docs']} releases in {d['files']} raw files "
                  f"({d['cores']} cores): "
                  + ", ".join(f"{r['workers']} worker(s) {r['wall_s']} s" for r in d["runs"])
                  + f"; **{d['speedup_2_over_1']}x** with 2 workers.", ""]
    if "profile" in res:
        p = res["profile"]
        lines += ["## 9. Where enrichment's time goes (py-spy, `python bench/profile_enrich.py`)", "",
                  "### This run", "", p.get("text") or f"not measured: {p.get('error')}", ""]
        if PROFILE_BASELINE.is_file():
            lines += ["### Before the profile-guided changes", "",
                      PROFILE_BASELINE.read_text(encoding="utf-8").strip(), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000, help="end-to-end and indexing size")
    parser.add_argument("--search-docs", type=int, default=100_000, help="largest index for latency")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--enrich-docs", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.search_docs, args.queries, args.enrich_docs, args.repeat = 1000, 10_000, 50, 100, 1
    command = "python bench/run.py " + " ".join(sys.argv[1:])

    from core.es.node import ensure_elasticsearch
    from core.settings import get_settings

    client = ensure_elasticsearch(get_settings())
    res: dict = {"machine": machine(), "es_version": es_version(client)}
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            step(f"1. enrichment: ours vs PyThaiNLP thainer on {args.enrich_docs} releases")
            res["enrichment"] = bench_enrichment(args.enrich_docs, args.repeat)
            print(res["enrichment"].get("text", res["enrichment"]))
            step(f"9. profile of enrich on {args.enrich_docs} releases (py-spy)")
            res["profile"] = profile_enrichment(args.enrich_docs)
            raw = distinct_raw_records(args.docs)
            step(f"1b. enrichment on all cores, {min(len(raw), 2000)} releases")
            res["enrich_all_cores"] = bench_enrich_all_cores(raw[:2000], work)
            print(res["enrich_all_cores"])
            step(f"3. end to end: {len(raw):,} raw releases → searchable (Prefect flow)")
            res["end_to_end"], enriched_path = end_to_end(raw, work, f"{PREFIX}-e2e")
            print(res["end_to_end"])
            docs = read_enriched(enriched_path)
            step(f"2. indexing: our loader vs plain _bulk, {len(docs):,} documents")
            res["indexing"] = bench_indexing(client, docs, args.chunk)
            print(res["indexing"])
            step("6. search quality: eval-search, dev and holdout")
            res["search_quality"] = search_quality()
            print({k: v["systems"]["ours"]["all"] for k, v in res["search_quality"].items()})
            step("7. NER on BMA releases: eval-ner --bma, dev and holdout")
            res["ner_bma"] = ner_bma()
            print({k: v["scores"]["micro"] for k, v in res["ner_bma"].items()})
            step("8. enrichment over Dask: the nightly flow, 1 vs 2 LocalCluster workers")
            res["dask"] = run_json([sys.executable, str(ROOT / "bench" / "bench_dask.py"),
                                    "--docs", str(args.enrich_docs), "--files", "8", "--json"])
            print(res["dask"])
            res["latency"], res["scale"] = {}, {}
            for total in sorted({10_000, args.search_docs}):
                step(f"4/5. index of {total:,} documents, then search latency")
                alias, res["scale"][str(total)] = build_index(client, docs, total, args.chunk)
                print(res["scale"][str(total)])
                res["latency"][str(total)] = latency(alias, args.queries)
                print(res["latency"][str(total)])
    finally:
        client.indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True,
                              allow_no_indices=True)
        (OUT / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False))
        write_results(res, command)
        print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
