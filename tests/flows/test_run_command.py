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
    try:
        _newcomer_finds_the_demo(proc.stdout, env, es_alias)
    finally:
        es_client.indices.delete(index=f"{es_alias}-demo-*")


def _newcomer_finds_the_demo(demo_output: str, env: dict, alias: str) -> None:
    """After the demo (and no real archive yet), the next steps it prints work as printed:
    `bma-news search` and `bma-news serve` read the demo's index and say so."""
    import re
    import shlex
    import socket
    import time
    import urllib.request

    steps = demo_output[demo_output.index("ต่อไป / Next:"):]
    search_line = next(ln for ln in steps.splitlines() if "bma-news search" in ln)
    assert "BMA_NEWS_INDEX=" not in steps  # no real archive: the plain commands do
    assert "bma-news serve" in steps and "http://127.0.0.1:8000/" in steps
    args = shlex.split(search_line.split("    ")[0].strip())[1:]
    bin_dir = os.path.dirname(sys.executable)
    environment = {**os.environ, **env}
    done = subprocess.run([f"{bin_dir}/bma-news", *args, "--json"], capture_output=True,
                          text=True, env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] > 0
    note = f"showing the demo index '{alias}-demo'"
    assert note in done.stderr and "make run" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([f"{bin_dir}/bma-news", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=environment)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
                    health = json.loads(answer.read())
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        assert health["index"] == f"{alias}-demo" and health["index_exists"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as answer:
            page = answer.read().decode()
        assert re.search(r"พบ 36 รายการ", page), page[:2000]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert note in server.stderr.read()


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
