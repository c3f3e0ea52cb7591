"""Build evals/search/corpus.jsonl.gz, the document collection of the search evaluation.

Deterministic: the same inputs give the same bytes (fixed seed, sorted input, gzip mtime 0).

    .venv/bin/python evals/search/build/make_corpus.py \
        [--thaigov ../shared/data/thaigov/thaigov-2024.jsonl.gz] [--demo demo/posts.json]

Documents:
- the 36 demo posts (demo/posts.json): id `demo-<wp_id>`, body = paragraphs joined by "\n",
  source "demo". Each demo post is a copy of a thaigov release (its `origin`); that release's
  URL and date are used for `url` and `published_at` (the demo's own dates are relative to the
  day the demo runs), and the thaigov copy itself is left out so the text is not there twice.
- every thaigov release whose title or body mentions กรุงเทพมหานคร or กทม. together with a
  Bangkok district written as เขต + district name (all of them, 382 with the 2024 file; the
  cap MAX_BANGKOK is not reached);
- a random sample (random.Random(7)) of the other thaigov releases, to TOTAL documents.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL_DIR = HERE.parent
REPO = EVAL_DIR.parent.parent
DEFAULT_THAIGOV = REPO.parent / "shared" / "data" / "thaigov" / "thaigov-2024.jsonl.gz"
DEFAULT_DEMO = REPO / "demo" / "posts.json"
OUT = EVAL_DIR / "corpus.jsonl.gz"

SEED = 7
TOTAL = 1506          # 36 demo posts + 1,470 thaigov releases
MAX_BANGKOK = 700

# The 50 districts (เขต) of Bangkok.
DISTRICTS = ["พระนคร", "ดุสิต", "หนองจอก", "บางรัก", "บางเขน", "บางกะปิ", "ปทุมวัน", "ป้อมปราบศัตรูพ่าย", "พระโขนง", "มีนบุรี", "ลาดกระบัง", "ยานนาวา", "สัมพันธวงศ์", "พญาไท", "ธนบุรี", "บางกอกใหญ่", "ห้วยขวาง", "คลองสาน", "ตลิ่งชัน", "บางกอกน้อย", "บางขุนเทียน", "ภาษีเจริญ", "หนองแขม", "ราษฎร์บูรณะ", "บางพลัด", "ดินแดง", "บึงกุ่ม", "สาทร", "บางซื่อ", "จตุจักร", "บางคอแหลม", "ประเวศ", "คลองเตย", "สวนหลวง", "จอมทอง", "ดอนเมือง", "ราชเทวี", "ลาดพร้าว", "วัฒนา", "บางแค", "หลักสี่", "สายไหม", "คันนายาว", "สะพานสูง", "วังทองหลาง", "คลองสามวา", "บางนา", "ทวีวัฒนา", "ทุ่งครุ", "บางบอน"]
assert len(set(DISTRICTS)) == 50
DISTRICT_RE = re.compile(
    r"เขต[\s\u200b]*(?:{})".format("|".join(sorted(DISTRICTS, key=len, reverse=True))))


def mentions_bangkok_district(text: str) -> bool:
    return ("กรุงเทพมหานคร" in text or "กทม." in text) and DISTRICT_RE.search(text) is not None


def thaigov_doc(row: dict) -> dict:
    category = (row.get("category") or "").strip()
    return {
        "id": row["id"],
        "url": row["url"],
        "title": row["title"],
        "body": row["body"],
        "published_at": row.get("date") or None,
        "source": "thaigov",
        "categories": [category] if category else [],
    }


def build(thaigov_path: Path, demo_path: Path) -> list[dict]:
    with gzip.open(thaigov_path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows.sort(key=lambda r: r["id"])
    by_url = {r["url"]: r for r in rows}

    demo = json.loads(demo_path.read_text("utf-8"))["posts"]
    docs = []
    demo_origins = set()
    for post in demo:
        origin = by_url.get(post.get("origin"))
        if origin is not None:
            demo_origins.add(origin["id"])
        category = (post.get("category") or "").strip()
        docs.append({
            "id": f"demo-{post['wp_id']}",
            "url": post.get("origin") or None,
            "title": post["title"],
            "body": "\n".join(post["paragraphs"]),
            "published_at": origin["date"] if origin is not None else None,
            "source": "demo",
            "categories": [category] if category else [],
        })

    candidates = [r for r in rows if r["id"] not in demo_origins]
    bangkok = [r for r in candidates if mentions_bangkok_district(r["title"] + "\n" + r["body"])]
    rng = random.Random(SEED)
    if len(bangkok) > MAX_BANGKOK:
        bangkok = sorted(rng.sample(bangkok, MAX_BANGKOK), key=lambda r: r["id"])
    chosen = {r["id"] for r in bangkok}
    rest = [r for r in candidates if r["id"] not in chosen]
    sample = rng.sample(rest, TOTAL - len(docs) - len(bangkok))
    picked = sorted(bangkok + sample, key=lambda r: r["id"])
    docs.extend(thaigov_doc(r) for r in picked)
    return docs


def write(docs: list[dict], out: Path) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for doc in docs:
            gz.write((json.dumps(doc, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8"))
    out.write_bytes(buf.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--thaigov", type=Path, default=DEFAULT_THAIGOV)
    ap.add_argument("--demo", type=Path, default=DEFAULT_DEMO)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    docs = build(args.thaigov, args.demo)
    write(docs, args.out)
    n_bkk = sum(1 for d in docs if d["source"] == "thaigov"
                and mentions_bangkok_district(d["title"] + "\n" + d["body"]))
    print(f"wrote {len(docs)} documents to {args.out} "
          f"({sum(d['source'] == 'demo' for d in docs)} demo, "
          f"{sum(d['source'] == 'thaigov' for d in docs)} thaigov, "
          f"of which {n_bkk} mention a Bangkok district)")


if __name__ == "__main__":
    main()
