"""Fixtures for crawler tests: a local WordPress-like site and real crawls in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.testing.crawl_runner import run_crawl_process
from crawler.testing.wp_server import WordPressSite, serve


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def run_crawl(data_dir: Path, tmp_path: Path):
    """run_crawl(source, base_url, *args, env=...) -> CrawlResult, one subprocess per call."""
    counter = {"n": 0}

    def run(source: str, base_url: str | None, *args: str, timeout: float = 120,
            env: dict[str, str] | None = None):
        counter["n"] += 1
        return run_crawl_process(source, base_url, data_dir, *args, timeout=timeout, env=env,
                                 summary_path=tmp_path / f"summary-{counter['n']}.json",
                                 cwd=tmp_path)

    return run


@pytest.fixture
def wp_site():
    """A running WordPressSite: `with wp_site(posts, **options) as server: ...`."""
    def start(posts: list[dict], **options):
        return serve(WordPressSite(posts, **options))

    return start
