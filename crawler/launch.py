"""How a crawl is launched: `bma-news crawl` in its own process, read back from its summary.

Twisted's reactor cannot be restarted inside one process, so every crawl is a process of its
own. The flows and the tests launch it the same way, through `run_crawl_subprocess`:

    outcome = run_crawl_subprocess("pr-bangkok", data_dir=..., base_url=server.url)
    outcome.returncode, outcome.summary, outcome.records, outcome.error
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# The summary JSON's `status` values, and which of them another try later may change.
TRANSIENT_STATUSES = frozenset({"unreachable", "interrupted"})


@dataclass
class CrawlOutcome:
    returncode: int
    summary: dict | None
    stdout: str
    stderr: str
    records: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return (self.summary or {}).get("status")

    @property
    def error(self) -> str | None:
        """Why the crawl failed, in one line: the crawler's own reason, else the last line
        the process printed (a crash before any summary was written)."""
        if self.returncode == 0:
            return None
        reason = (self.summary or {}).get("error")
        if reason:
            return reason
        lines = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        return (lines or [f"exit status {self.returncode}"])[-1].removeprefix("error: ")

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_STATUSES


def crawl_command(source: str, summary_path: Path, *, base_url: str | None = None,
                  since: str | None = None, until: str | None = None,
                  extra: tuple[str, ...] = ()) -> list[str]:
    command = [sys.executable, "-m", "bma_news", "crawl", "--source", source,
               "--summary-json", str(summary_path)]
    for flag, value in (("--base-url", base_url), ("--since", since), ("--until", until)):
        if value:
            command += [flag, value]
    return command + list(extra)


def read_records(summary: dict | None) -> list[dict]:
    """Every raw record the run wrote, from the files its summary lists."""
    records: list[dict] = []
    for path in (summary or {}).get("raw_files", []):
        with open(path, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def run_crawl_subprocess(source: str, *, data_dir: Path | str, base_url: str | None = None,
                         since: str | None = None, until: str | None = None,
                         extra: tuple[str, ...] = (), env: dict[str, str] | None = None,
                         timeout: float | None = None, cwd: Path | None = None,
                         summary_path: Path | None = None,
                         with_records: bool = False) -> CrawlOutcome:
    """Run one crawl process for `source` writing into `data_dir`; never raises on its failure."""
    environment = {**os.environ, **(env or {}), "BMA_NEWS_DATA_DIR": str(data_dir)}
    with tempfile.TemporaryDirectory() as tmp:
        summary_file = summary_path or Path(tmp) / "summary.json"
        summary_file.unlink(missing_ok=True)
        command = crawl_command(source, summary_file, base_url=base_url, since=since,
                                until=until, extra=extra)
        completed = subprocess.run(command, env=environment, capture_output=True, text=True,
                                   errors="replace", timeout=timeout, cwd=cwd, check=False)
        summary = json.loads(summary_file.read_text()) if summary_file.is_file() else None
    records = read_records(summary) if with_records else []
    return CrawlOutcome(completed.returncode, summary, completed.stdout, completed.stderr,
                        records)
