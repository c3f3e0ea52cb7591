"""Retrying a dead letter never puts an old version of an article back over a later one."""

from __future__ import annotations

from core.dead_letters import iter_dead_letters
from core.landing import Landing
from index_mappings import ensure_index
from pipeline.load import Loader
from pipeline.retry import retry_dead_letters
from tests.load.test_loader import enriched


def _version(n: int, body: str, fetched_at: str) -> dict:
    record = enriched(n, body=body)
    record["fetched_at"] = fetched_at
    return record


def test_a_later_indexed_version_supersedes_the_dead_letter(es_client, es_alias, tmp_path):
    ensure_index(es_client, es_alias)
    landing = Landing(tmp_path)
    old = _version(1, "ฉบับแรก", "2024-05-23T10:00:00+07:00")
    later = _version(1, "ฉบับแก้ไข", "2024-05-24T10:00:00+07:00")
    other = _version(2, "ข่าวอื่น", "2024-05-23T10:00:00+07:00")
    Loader(es_client, es_alias, landing.dead_letters()).load([later])
    letters = landing.dead_letters()
    letters.write(old, "cluster_block_exception: index blocked", "load")
    letters.write(other, "cluster_block_exception: index blocked", "load")

    report = retry_dead_letters(list(iter_dead_letters(tmp_path)), tmp_path, es_client, es_alias)
    assert (report.superseded, report.indexed, report.failed) == (1, 1, 0)
    body = es_client.get(index=es_alias, id=old["id"])["_source"]["body"]
    assert body.startswith("ฉบับแก้ไข"), "the later version stays"
    assert es_client.get(index=es_alias, id=other["id"])["_source"]["body"].startswith("ข่าวอื่น")
    assert list(iter_dead_letters(tmp_path)) == []
