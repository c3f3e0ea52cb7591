"""`bma-news run` as a user runs it: a real subprocess, the real node, a real Prefect run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bma_news.cli", "run", *args],
                          capture_output=True, text=True, env={**os.environ, **env},
                          timeout=timeout)


def test_demo_runs_the_whole_job_and_ends_with_searches(es_client, es_alias, tmp_path):
    env = {"BMA_NEWS_DATA_DIR": str(tmp_path / "data"), "BMA_NEWS_INDEX": es_alias}
    proc = _run("--demo", env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "counts reconcile" in proc.stdout and "│ yes" in proc.stdout
    assert "$ bma-news search --org" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert es_client.count(index=f"{es_alias}-demo")["count"] == 36
    runs = list((tmp_path / "data" / "demo" / "runs").glob("*.json"))
    assert json.loads(runs[0].read_text())["indexed"] == 36
    es_client.indices.delete(index=f"{es_alias}-demo-*")


def test_unreachable_site_is_one_line_pointing_to_the_demo(es_client, es_alias, tmp_path):
    env = {"BMA_NEWS_DATA_DIR": str(tmp_path / "data"), "BMA_NEWS_INDEX": es_alias}
    proc = _run("--base-url", "http://127.0.0.1:9", env=env)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[-1].startswith("error: crawl of pr-bangkok failed")
    assert "bma-news run --demo" in lines[-1]
    assert "Traceback" not in proc.stderr


def test_bad_since_is_one_line(tmp_path):
    proc = _run("--since", "23/05/2024", env={"BMA_NEWS_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --since must be a date as YYYY-MM-DD, not '23/05/2024'"
    assert not Path(tmp_path, "raw").exists()
