"""A data node of a real 3-node cluster is killed in the middle of a bulk load: with one
replica per shard (BMA_NEWS_INDEX_REPLICAS=1) and the client given every node in
BMA_NEWS_ES_URL, the load finishes with no document lost and none doubled."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from core.es.client import make_client
from core.landing import DeadLetter
from core.settings import Settings, get_settings
from index_mappings import ensure_index
from pipeline.load import Loader
from tests.load.es_cluster import LocalCluster
from tests.load.test_loader import enriched

pytestmark = pytest.mark.slow

DOCS = 6000


@pytest.fixture(scope="module")
def cluster():
    cluster = LocalCluster(get_settings())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def test_a_data_node_killed_mid_bulk_load_loses_and_doubles_nothing(
        cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("BMA_NEWS_INDEX_REPLICAS", "1")
    get_settings.cache_clear()
    settings = Settings(es_url=",".join(cluster.urls))
    client = make_client(settings, max_retries=5, retry_on_timeout=True, request_timeout=60)
    alias = "bma-news-cluster-fault"
    try:
        index = ensure_index(client, alias)
        assert client.indices.get_settings(index=index)[index]["settings"]["index"][
            "number_of_replicas"] == "1"
        cluster.wait_health("green", 3)
        loader = Loader(client, alias, DeadLetter(tmp_path / "dead-letter"), chunk_size=200)
        records = [enriched(n) for n in range(DOCS)]
        # The worst node to lose: the one holding the primary the load is writing to.
        shards = client.cat.shards(index=index, format="json")
        primary = next(s["node"] for s in shards if s["prirep"] == "p")
        victim = next(n for n in cluster.nodes if n.name == primary)
        killed = threading.Event()

        def on_progress(_loaded: int) -> None:
            # the primaries' stats have no `indexing` section until a primary reports one
            primaries = client.indices.stats(index=index)["_all"]["primaries"]
            done = primaries.get("indexing", {}).get("index_total", 0)
            if not killed.is_set() and done >= DOCS // 4:
                os.kill(victim.pid(), signal.SIGKILL)
                killed.set()

        report = loader.load(records, on_progress=on_progress)
        assert killed.is_set(), "the node was killed while the load went on"
        assert report.reconciles() and report.dead_lettered == 0, report.as_dict()
        health = cluster.wait_health("yellow", 2, timeout=120)
        client.indices.refresh(index=alias)
        count = client.count(index=alias)["count"]
        distinct = client.search(index=alias, size=0, aggs={
            "ids": {"cardinality": {"field": "source_id", "precision_threshold": 40000}}})[
            "aggregations"]["ids"]["value"]
        lost, duplicates = DOCS - distinct, count - distinct
        print(f"\n3-node fault: {DOCS} docs, node {victim.name} killed at >= {DOCS // 4} "
              f"indexed; lost {lost}, duplicates {duplicates}, transient retries "
              f"{report.transient_retries}, health after {health['status']}")
        assert (lost, duplicates) == (0, 0)
    finally:
        get_settings.cache_clear()
        client.indices.delete(index=f"{alias}-*", ignore_unavailable=True,
                              allow_no_indices=True)
