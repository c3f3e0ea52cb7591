"""The command as users and the flows run it: `bma-news crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from demo.wordpress import WordPressSite, serve
from tests.crawler.conftest import crawl_env

BMA_NEWS = Path(sys.executable).with_name("bma-news")


def test_bma_news_crawl_all_writes_the_summary_the_flows_read(tmp_path):
    posts = [{"id": 7, "title": "ข่าว", "content": "<p>เนื้อหา</p>", "date": "2024-05-01T09:00:00"}]
    data_dir = tmp_path / "data"
    summary_path = tmp_path / "summary.json"
    with serve(WordPressSite(posts)) as server:
        completed = subprocess.run(
            [str(BMA_NEWS), "crawl", "--source", "all", "--base-url", server.url + "/",
             "--since", "2024-01-01", "--summary-json", str(summary_path)],
            env=crawl_env(data_dir), capture_output=True, text=True, timeout=120, cwd=tmp_path)
        user_agents = {r.headers.get("User-Agent") for r in server.requests}
    assert completed.returncode == 0, completed.stderr
    summary = json.loads(summary_path.read_text())
    assert set(summary["sources"]) == {"pr-bangkok", "prbangkok-legacy"}
    assert summary["counts"]["new"] == 1
    [raw] = summary["raw_files"]
    assert Path(raw).parent.parent.parent == data_dir / "raw"
    assert "new 1" in completed.stdout and raw in completed.stdout
    # The User-Agent names the project and a contact URL.
    assert user_agents == {"bma-news/0.1 (+https://github.com/bma-news/bma-news)"}


def test_help_does_not_import_scrapy():
    code = ("import sys; from bma_news.commands.crawl import register; import typer; app = typer.Typer(); "
            "register(app); print('scrapy' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert completed.stdout.strip() == "False", completed.stderr
