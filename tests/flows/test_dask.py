"""Enrichment fans out over a real Dask cluster (prefect-dask's DaskTaskRunner): one task
per raw file, on a `distributed.LocalCluster` of two worker processes."""

from __future__ import annotations

import json
from pathlib import Path

from core.settings import get_settings
from flows.nightly import nightly


def _raw_files(data_dir: Path, files: int, per_file: int) -> list[str]:
    """Raw files as a crawl leaves them (records without the enrichment's fields)."""
    from tests.load.test_loader import enriched

    ids = []
    for f in range(files):
        raw = data_dir / "raw" / "pr-bangkok" / "2024-05-23" / f"run-{f}.jsonl"
        raw.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        for n in range(f * per_file, (f + 1) * per_file):
            record = enriched(5000 + n, body="กรุงเทพมหานคร ประกาศ")
            for key in ("title_tokens", "body_tokens", "entities", "officials",
                        "enrichment_version"):
                record.pop(key)
            ids.append(record["source_id"])
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        raw.write_text("".join(lines), encoding="utf-8")
    return ids


def test_raw_files_are_enriched_on_both_workers_of_a_dask_cluster(
        prefect_harness, es_client, flow_env, monkeypatch):
    from distributed import Client, LocalCluster, get_task_stream

    ids = _raw_files(Path(flow_env["data_dir"]), files=4, per_file=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        monkeypatch.setenv("BMA_NEWS_DASK_ADDRESS", cluster.scheduler_address)
        get_settings.cache_clear()
        with get_task_stream(client=client) as stream:
            result = nightly(sources=[], **flow_env)
        again = nightly(sources=[], **flow_env)
    get_settings.cache_clear()
    assert result["status"] == "completed" and result["reconciles"]
    assert result["files"] == 4 and result["records"] == 12 and result["indexed"] == 12
    workers = {entry["worker"] for entry in stream.data}
    assert len(workers) == 2, f"every task on one worker: {workers}"
    es_client.indices.refresh(index=flow_env["index"])
    hits = es_client.search(index=flow_env["index"], size=100)["hits"]["hits"]
    assert sorted(h["_source"]["source_id"] for h in hits) == sorted(ids)
    assert again["records"] == 0, "a loaded file is not processed twice"
