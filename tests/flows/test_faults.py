"""Faults through the real flows: the node killed mid-load, and a rebuild under queries."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import threading
import time

import pytest

from core.es.client import make_client
from core.es.node import LocalNode
from core.settings import Settings, get_settings
from demo.wordpress import WordPressSite, serve
from flows.maintenance import rebuild
from flows.nightly import nightly
from tests.faultproxy import FaultProxy
from tests.flows.conftest import make_posts


@pytest.fixture
def second_node(tmp_path):
    """A node of its own on a free port (sharing the cached distribution), to be killed."""
    if not get_settings().uses_local_node:
        pytest.skip("needs the local distribution")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    node = LocalNode(Settings(es_port=port, es_heap="256m"))
    node.up(report=lambda _m: None)
    yield node
    node.down()
    shutil.rmtree(node.node_dir, ignore_errors=True)  # its data lives in the shared cache


@pytest.mark.slow
def test_node_killed_mid_load_then_rerun_loses_and_duplicates_nothing(
        prefect_harness, second_node, flow_env, monkeypatch):
    """Fault test 1: documents lost = 0, duplicates = 0."""
    n = 60
    site = WordPressSite(make_posts(n))

    def kill_node(bulk_no: int) -> None:
        if bulk_no == 3:  # two batches are in, the third never arrives
            os.kill(second_node.read_state().pid, signal.SIGKILL)
            time.sleep(1)

    with serve(site) as server, FaultProxy(second_node.url, on_bulk=kill_node) as proxy:
        monkeypatch.setenv("BMA_NEWS_ES_URL", proxy.url)
        monkeypatch.setenv("BMA_NEWS_BULK_CHUNK_SIZE", "10")
        get_settings.cache_clear()
        with pytest.raises(Exception, match="stopped answering|unreachable|unavailable") as info:
            nightly(sources=["pr-bangkok"], base_url=server.url, crawl_retries=0)
        print(f"\nfirst run failed as expected: {info.value}")

        second_node.up(report=lambda _m: None)  # restarted on the same data
        proxy.on_bulk = None
        result = nightly(sources=["pr-bangkok"], base_url=server.url, crawl_retries=0)

    client = make_client(Settings(es_url=second_node.url))
    alias = flow_env["index"]
    client.indices.refresh(index=alias)
    ids = [h["_source"]["source_id"] for h in client.search(
        index=alias, size=1000, source_includes=["source_id"])["hits"]["hits"]]
    lost = n - len(set(ids))
    duplicates = len(ids) - len(set(ids))
    print(f"fault figures: N={n} lost={lost} duplicates={duplicates} "
          f"second run indexed={result['indexed']} unchanged={result['unchanged']}")
    assert result["status"] == "completed"
    assert lost == 0 and duplicates == 0
    assert 0 < result["indexed"] < n, "the second run finished what the first began"


def test_rebuild_swaps_alias_with_queries_running(prefect_harness, es_client, wp_site,
                                                  flow_env):
    from index_mappings import indices_behind

    _site, url = wp_site
    nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    alias = flow_env["index"]
    before = indices_behind(es_client, alias)
    failures, answered, counts = [], 0, set()
    stop = threading.Event()

    def query_loop():
        nonlocal answered
        client = make_client()
        while not stop.is_set():
            try:
                res = client.search(index=alias, query={"match": {"body_tokens": "กทม."}},
                                    size=0, track_total_hits=True)
                counts.add(res["hits"]["total"]["value"])
                answered += 1
            except Exception as exc:  # noqa: BLE001 - every failure is the figure
                failures.append(repr(exc))

    worker = threading.Thread(target=query_loop)
    worker.start()
    try:
        result = rebuild(**flow_env)
    finally:
        stop.set()
        worker.join()
    after = indices_behind(es_client, alias)
    print(f"\nrebuild figures: queries answered={answered} failed={len(failures)}")
    assert result["status"] == "completed" and result["indexed"] == 12
    assert after != before and len(after) == 1
    assert failures == []
    assert answered > 10
    assert es_client.count(index=alias)["count"] == 12
    assert not es_client.indices.exists(index=before[0]), "the old index is removed"
