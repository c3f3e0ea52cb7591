"""The nightly flow end to end: crawl → enrich → load, idempotent, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.nightly import date_chunks, nightly
from tests.flows.conftest import make_posts, prefect_artifacts


def _versions(es_client, alias) -> dict[str, int]:
    hits = es_client.search(index=alias, size=1000, version=True)["hits"]["hits"]
    return {h["_id"]: h["_version"] for h in hits}


def test_every_article_searchable_then_second_run_changes_nothing(
        prefect_harness, es_client, wp_site, flow_env):
    site, url = wp_site
    first = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert first["status"] == "completed"
    assert first["indexed"] == 12 and first["reconciles"]
    assert (first["created"], first["updated"]) == (12, 0)
    alias = flow_env["index"]
    assert es_client.count(index=alias)["count"] == 12, "searchable when the flow finishes"
    found = es_client.search(index=alias, query={"match": {"title_tokens": "น้ำท่วม"}})
    assert found["hits"]["total"]["value"] == 12
    doc = es_client.search(index=alias, query={"term": {"source_id": "1003"}})["hits"]["hits"][0]
    assert doc["_source"]["title"] == "กทม. เตรียมพร้อมรับมือน้ำท่วม ครั้งที่ 3"
    assert doc["_source"]["entities"], "enriched before loading"
    versions = _versions(es_client, alias)

    second = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert second["status"] == "completed"
    assert second["indexed"] == 0
    assert es_client.count(index=alias)["count"] == 12
    assert _versions(es_client, alias) == versions, "document versions unchanged"

    site.update_post(1005, content="<p>กทม. แก้ไขข่าว: สำนักการระบายน้ำยืนยันไม่มีน้ำท่วมขัง</p>")
    site.add_post(make_posts(1, start_id=2000, days_back=1)[0])
    third = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert third["indexed"] == 2 and third["reconciles"]
    assert (third["created"], third["updated"]) == (1, 1), "one new post, one edited"
    assert es_client.count(index=alias)["count"] == 13
    runs = sorted(Path(flow_env["data_dir"], "runs").glob("*.json"))
    assert len(runs) == 3 and json.loads(runs[-1].read_text())["status"] == "completed"
    artifact = prefect_artifacts("bma-news-nightly")[0]
    assert third["run_id"] in artifact and "| indexed | 2 |" in artifact



def test_mapping_rejected_record_is_dead_lettered_while_the_rest_load(
        prefect_harness, es_client, flow_env):
    """Records already in the landing zone (as a crawl leaves them) load without crawling."""
    from tests.load.test_loader import IMMENSE_KEYWORD, enriched

    raw = Path(flow_env["data_dir"], "raw", "pr-bangkok", "2024-05-23", "run-1.jsonl")
    raw.parent.mkdir(parents=True)
    records = [enriched(i) for i in range(6)]
    for record in records:
        for key in ("title_tokens", "body_tokens", "entities", "officials", "enrichment_version"):
            record.pop(key)
    records[2]["categories"] = [IMMENSE_KEYWORD]
    raw.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
                   + "{not json\n")
    result = nightly(sources=[], **flow_env)
    assert result["status"] == "completed"
    assert result["records"] == 7
    assert result["indexed"] == 5
    assert result["dead_lettered"] == 2 and result["reconciles"]
    letters = [json.loads(line) for p in Path(flow_env["data_dir"], "dead-letter").glob("*.jsonl")
               for line in p.read_text().splitlines()]
    reasons = sorted(entry["reason"] for entry in letters)
    assert any("immense term" in r for r in reasons)
    assert any("unreadable JSON" in r for r in reasons)
    assert es_client.count(index=flow_env["index"])["count"] == 5
    again = nightly(sources=[], **flow_env)
    assert again["records"] == 0, "a loaded file is not processed twice"


def test_unreachable_site_fails_with_one_clear_reason(prefect_harness, flow_env):
    from flows.tasks import CrawlFailed

    with pytest.raises(CrawlFailed, match="crawl of pr-bangkok failed"):
        nightly(sources=["pr-bangkok"], base_url="http://127.0.0.1:9", crawl_retries=0,
                **flow_env)
    runs = list(Path(flow_env["data_dir"], "runs").glob("*.json"))
    assert json.loads(runs[0].read_text())["status"] == "failed"


def test_backfill_chunks_cover_the_range_without_gaps():
    from datetime import date

    chunks = date_chunks(date(2024, 1, 1), date(2024, 3, 5), 30)
    assert chunks[0][0] == date(2024, 1, 1) and chunks[-1][1] == date(2024, 3, 5)
    for (_, end), (start, _) in zip(chunks, chunks[1:], strict=False):
        assert (start - end).days == 1
    assert all((end - start).days < 30 for start, end in chunks)
