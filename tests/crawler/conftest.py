"""Fixtures for crawler tests: a local WordPress-like site and real crawls, launched exactly
as the flows launch them (`crawler.launch`, i.e. `bma-news crawl` in its own process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.launch import CrawlOutcome, run_crawl_subprocess
from demo.wordpress import WordPressSite, serve

# Fast settings for tests only; real runs keep the polite defaults.
TEST_ENV = {"BMA_NEWS_DOWNLOAD_DELAY": "0", "BMA_NEWS_CRAWL_DOWNLOAD_TIMEOUT": "5"}


def crawl_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    import os

    return {**os.environ, **TEST_ENV, "BMA_NEWS_DATA_DIR": str(data_dir), **overrides}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def run_crawl(data_dir: Path, tmp_path: Path):
    """run_crawl(source, base_url, *args, env=...) -> CrawlOutcome, one process per call."""
    counter = {"n": 0}

    def run(source: str, base_url: str | None, *args: str, timeout: float = 120,
            env: dict[str, str] | None = None) -> CrawlOutcome:
        counter["n"] += 1
        return run_crawl_subprocess(source, data_dir=data_dir, base_url=base_url, extra=args,
                                    env={**TEST_ENV, **(env or {})}, timeout=timeout,
                                    cwd=tmp_path, with_records=True,
                                    summary_path=tmp_path / f"summary-{counter['n']}.json")

    return run


@pytest.fixture
def wp_site():
    """A running WordPressSite: `with wp_site(posts, **options) as server: ...`."""
    def start(posts: list[dict], **options):
        return serve(WordPressSite(posts, **options))

    return start


@pytest.fixture(scope="session")
def genuine_wp():
    """Debian's WordPress 6.1 on a private MariaDB behind `php -S`, seeded with
    tests/fixtures/pr-bangkok/genuine/posts.json; one for the whole session (skipped, with
    the reason in one line, where the packages are missing and cannot be installed)."""
    import json

    from tests.crawler.genuine_wp import GenuineWordPress, Unavailable, ensure_packages

    posts_file = Path(__file__).resolve().parents[1] / "fixtures" / "pr-bangkok" / "genuine" / "posts.json"
    posts = json.loads(posts_file.read_text(encoding="utf-8"))
    try:
        ensure_packages()
        site = GenuineWordPress(posts).start()
    except Unavailable as exc:
        pytest.skip(f"genuine WordPress unavailable: {exc}")
    site.keys = dict(zip((p["key"] for p in posts), site.ids, strict=True))
    try:
        yield site
    finally:
        site.stop()
