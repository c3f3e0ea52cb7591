"""A raw file enriched and loaded in one pass: the load runs while the file is enriched,
the enriched copy appears whole or not at all, and a re-run reuses it."""

from __future__ import annotations

import hashlib
import json

import pytest

from core.landing import Landing, atomic_jsonl
from index_mappings import ensure_index
from pipeline.batch import process_raw_file


def raw_record(n: int) -> dict:
    url = f"https://pr-bangkok.com/?p={n}"
    body = f"สำนักการระบายน้ำ กทม. เร่งติดตั้งเครื่องสูบน้ำในพื้นที่เขตบางเขน ฉบับที่ {n}"
    return {
        "id": hashlib.sha1(url.encode()).hexdigest(), "url": url, "canonical_url": url,
        "source": "pr-bangkok", "source_id": str(n), "title": f"กทม. รับมือน้ำท่วม {n}",
        "published_at": "2024-05-23T16:30:00+07:00", "modified_at": "2024-05-23T16:30:00+07:00",
        "published_raw": None, "categories": ["ข่าว"], "tags": [], "body": body,
        "body_html": f"<p>{body}</p>", "images": [], "language": "th",
        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
        "fetched_at": "2024-05-23T17:00:00+07:00",
    }


def test_raw_file_is_enriched_and_loaded_in_one_pass_then_reused(es_client, es_alias,
                                                                 tmp_path):
    landing = Landing(tmp_path)
    raw = tmp_path / "raw" / "pr-bangkok" / "2024-05-23" / "run.jsonl"
    raw.parent.mkdir(parents=True)
    lines = [json.dumps(raw_record(n), ensure_ascii=False) for n in range(6)] + ["{broken"]
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ensure_index(es_client, es_alias)

    counts = process_raw_file(raw, landing, es_client, es_alias)
    assert (counts.records, counts.enriched, counts.created, counts.dead_lettered) == (7, 6, 6, 1)
    assert set(counts.seconds) == {"enrich", "load"} and counts.seconds["enrich"] > 0
    assert es_client.count(index=es_alias)["count"] == 6, "searchable on return"
    enriched = landing.enriched_file(raw)
    written = [json.loads(line) for line in enriched.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in written] == [raw_record(n)["id"] for n in range(6)]
    assert all(r["entities"] for r in written), "the file holds what was enriched"
    assert not enriched.with_suffix(enriched.suffix + ".partial").exists()

    again = process_raw_file(raw, landing, es_client, es_alias)
    assert again.seconds["enrich"] == 0, "the finished enriched file is reused"
    assert (again.records, again.unchanged, again.indexed) == (7, 6, 0)


def test_an_interrupted_enriched_file_never_appears(tmp_path):
    path = tmp_path / "enriched" / "run.jsonl"
    with pytest.raises(RuntimeError), atomic_jsonl(path) as write:
        write('{"id": "1"}')
        raise RuntimeError("the load failed half-way")
    assert not path.exists()
    with atomic_jsonl(path) as write:
        write('{"id": "1"}')
    assert path.read_text() == '{"id": "1"}\n'
