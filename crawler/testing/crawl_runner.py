"""Run `python -m crawler crawl ...` in a subprocess (Twisted's reactor cannot restart).

    result = run_crawl_process("pr-bangkok", server.url, data_dir, "--since", "2024-01-01")
    result.returncode, result.summary, result.records

Used by the crawler's tests; the flows' tests and demos can use it against `wp_server`.
Fast settings (no download delay) are for tests only; real runs keep the polite defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    summary: dict | None
    records: list[dict]


def crawl_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "BMA_NEWS_DATA_DIR": str(data_dir),
        "BMA_NEWS_DOWNLOAD_DELAY": "0",
        "BMA_NEWS_CRAWL_DOWNLOAD_TIMEOUT": "5",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    })
    env.update(overrides)
    return env


def crawl_command(source: str, base_url: str | None, summary: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "crawler", "crawl", "--source", source,
               "--summary-json", str(summary)]
    if base_url:
        command += ["--base-url", base_url]
    return command + list(extra)


def read_records(summary: dict | None) -> list[dict]:
    """Every raw record the run wrote, from the files its summary lists."""
    records: list[dict] = []
    for path in (summary or {}).get("raw_files", []):
        with open(path, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def run_crawl_process(source: str, base_url: str | None, data_dir: Path, *args: str,
                      summary_path: Path | None = None, timeout: float = 120,
                      env: dict[str, str] | None = None, cwd: Path | None = None) -> CrawlResult:
    summary_path = summary_path or Path(data_dir) / "last-summary.json"
    if summary_path.exists():
        summary_path.unlink()
    completed = subprocess.run(
        crawl_command(source, base_url, summary_path, *args),
        env=crawl_env(Path(data_dir), **(env or {})), capture_output=True, text=True,
        timeout=timeout, cwd=cwd or Path(data_dir),
    )
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    return CrawlResult(completed.returncode, completed.stdout, completed.stderr, summary,
                       read_records(summary))
