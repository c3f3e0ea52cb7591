"""Against the real node: the alias, a document written and found, and the node lifecycle."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import httpx
import pytest

from core.records import PressReleaseDoc
from core.settings import get_settings
from index_mappings import create_index, ensure_index, indices_behind, point_alias


def _doc(doc_id: str, title_tokens: str, body_tokens: str) -> dict:
    return PressReleaseDoc.from_enriched({
        "id": doc_id, "url": f"https://pr-bangkok.com/?p={doc_id}", "source": "pr-bangkok",
        "title": title_tokens.replace(" ", ""), "title_tokens": title_tokens,
        "body": body_tokens.replace(" ", ""), "body_tokens": body_tokens,
        "content_hash": "h", "enrichment_version": "test",
        "published_at": "2023-10-16T09:30:00+07:00",
        "entities": [{"text": "เขตบางเขน", "label": "LOC", "start": 0, "end": 9,
                      "canonical": "บางเขน", "kind": "district", "code": "1005"}],
    }).to_source()


def test_alias_created_document_written_and_found(es_client, es_alias):
    index = ensure_index(es_client, es_alias)
    assert index.startswith(f"{es_alias}-v1-")
    assert indices_behind(es_client, es_alias) == [index]
    assert ensure_index(es_client, es_alias) == index, "ensure_index is idempotent"

    es_client.index(index=es_alias, id="d1", document=_doc("d1", "น้ำ ท่วม เขต บางเขน",
                    "กทม. เร่ง ระบาย น้ำ ท่วม ใน เขต บางเขน"), refresh="wait_for")
    es_client.index(index=es_alias, id="d2", document=_doc("d2", "ตลาด นัด", "เปิด ตลาด นัด"),
                    refresh="wait_for")
    hits = es_client.search(index=es_alias, query={"match": {"body_tokens": {
        "query": "น้ำ ท่วม", "operator": "and"}}})["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["d1"]
    by_place = es_client.search(index=es_alias, query={"term": {"places": "บางเขน"}})
    assert by_place["hits"]["total"]["value"] == 2


def test_strict_mapping_rejects_unknown_fields(es_client, es_alias):
    from elasticsearch import BadRequestError

    ensure_index(es_client, es_alias)
    with pytest.raises(BadRequestError, match="strict_dynamic_mapping_exception"):
        es_client.index(index=es_alias, id="x", document={"id": "x", "surprise": 1})


def test_alias_swap_is_atomic(es_client, es_alias):
    first = ensure_index(es_client, es_alias)
    second = create_index(es_client, es_alias)
    assert point_alias(es_client, es_alias, second) == [first]
    assert indices_behind(es_client, es_alias) == [second]


def test_health_answers_with_product_header(es_client):
    resp = httpx.get(f"{get_settings().effective_es_url}/_cluster/health", timeout=10)
    assert resp.headers["x-elastic-product"] == "Elasticsearch"
    assert resp.json()["status"] in ("yellow", "green")


def _cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bma_news.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout)


def test_status_exits_zero_when_up(es_client):
    proc = _cli("es", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "health=" in proc.stdout


@pytest.mark.skipif(not get_settings().uses_local_node, reason="needs the local distribution")
def test_second_node_lifecycle_up_status_down(es_client):
    """A second node on its own port: up answers, down stops it, status then fails."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"BMA_NEWS_ES_PORT": str(port), "BMA_NEWS_ES_HEAP": "256m"}
    try:
        up = _cli("es", "up", env=env)
        assert up.returncode == 0, up.stderr
        assert f"http://127.0.0.1:{port}" in up.stdout
        assert "downloading" not in up.stderr, "the cached distribution must be reused"
        assert _cli("es", "status", env=env).returncode == 0
        again = _cli("es", "up", env=env)
        assert again.returncode == 0 and "starting" not in again.stderr
    finally:
        down = _cli("es", "down", env=env)
    assert down.returncode == 0 and "stopped" in down.stdout
    after = _cli("es", "status", env=env)
    assert after.returncode == 1 and "is down" in after.stdout
    shutil.rmtree(get_settings().cache_dir / f"node-{port}", ignore_errors=True)
