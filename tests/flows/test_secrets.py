"""Fault test 9: the API key never appears in logs, tracebacks, run files or Prefect's
records (flow and task parameters, logs, states, artifacts)."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest

from core.settings import get_settings
from flows.nightly import nightly
from tests.flows.conftest import prefect_artifacts

SECRET = "bma-news-test-secret-4b1d3c"


def _prefect_records() -> str:
    """Everything Prefect stored about the runs: parameters, inputs, states, logs, artifacts."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort, LogSort, TaskRunSort

    # Every filter and sort is given: this Prefect's server rejects the client's None defaults.
    async def read() -> list[str]:
        async with get_client() as client:
            parts = []
            for run in await client.read_flow_runs(limit=200, offset=0,
                                                   sort=FlowRunSort.START_TIME_DESC):
                parts.append(json.dumps(run.parameters, default=str))
                parts.append(str(run.state.message if run.state else ""))
            for task_run in await client.read_task_runs(
                    limit=200, offset=0, sort=TaskRunSort.EXPECTED_START_TIME_DESC):
                parts.append(json.dumps(task_run.task_inputs, default=str))
                parts.append(str(task_run.state.message if task_run.state else ""))
            parts += [log.message for log in await client.read_logs(
                limit=200, offset=0, sort=LogSort.TIMESTAMP_DESC)]
            return parts

    parts = asyncio.run(read()) + prefect_artifacts()
    assert any("crawl of pr-bangkok failed" in p for p in parts), "the records were read"
    return "\n".join(parts)


def test_api_key_never_leaks(prefect_harness, wp_site, flow_env, monkeypatch, caplog, capfd):
    """The local node runs without security, so it ignores the key; the client still sends
    it on every request, which is what could leak."""
    monkeypatch.setenv("BMA_NEWS_ES_API_KEY", SECRET)
    monkeypatch.setenv("BMA_NEWS_ES_URL", get_settings().effective_es_url)
    get_settings.cache_clear()
    _site, url = wp_site
    ok = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert ok["indexed"] == 12
    with pytest.raises(Exception) as failure:  # a failed run: its traceback is checked too
        nightly(sources=["pr-bangkok"], base_url="http://127.0.0.1:9", crawl_retries=0,
                **flow_env)
    tb = "".join(traceback.format_exception(failure.value))
    out, err = capfd.readouterr()
    files = "\n".join(p.read_text(errors="replace") for p in Path(flow_env["data_dir"]).rglob("*")
                      if p.is_file() and p.suffix in (".json", ".jsonl", ".log"))
    places = {"traceback": tb, "stdout": out, "stderr": err, "log records": caplog.text,
              "data dir files": files, "Prefect records": _prefect_records()}
    leaked = [name for name, text in places.items() if SECRET in text]
    print(f"\nfault figures: places checked={len(places)} secrets found={len(leaked)}")
    assert leaked == []
    assert "crawl of pr-bangkok failed" in tb, "the check looked at a real failure"
