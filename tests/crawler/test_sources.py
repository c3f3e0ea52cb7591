"""The source registry: every registered source is complete, with fixtures of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import PRIMARY_SOURCE, SOURCE_NAMES, SOURCES, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def missing_fixtures(source: Source, root: Path = FIXTURES) -> list[str]:
    """What a source lacks under tests/fixtures/<name>/: pages and their expected records."""
    folder = root / source.name
    pages = sorted(folder.glob("*.html")) + sorted(folder.glob("*.post.json"))
    problems = [] if pages else [f"no fixture pages in {folder}"]
    for page in pages:
        expected = page.with_name(page.name.split(".")[0] + ".json")
        if not expected.is_file():
            problems.append(f"{page.name} has no expected record {expected.name}")
    return problems


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_every_registered_source_has_fixtures(source):
    assert missing_fixtures(source) == []


def test_a_source_without_fixtures_is_caught(tmp_path):
    lonely = Source(name="new-site", allowed_domains=("example.org",), origin="https://example.org",
                    entry_points=("/",), parse=lambda body, url, content_type=None: None,
                    spider="crawler.sources.new_site.spider.Spider")
    assert missing_fixtures(lonely, tmp_path) == [f"no fixture pages in {tmp_path / 'new-site'}"]


def test_every_list_of_sources_comes_from_the_registry():
    from bma_news.commands.crawl import SOURCE_CHOICES

    assert (*SOURCE_NAMES, "all") == SOURCE_CHOICES
    assert PRIMARY_SOURCE == SOURCE_NAMES[0] == "pr-bangkok"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_each_spider_is_its_sources(source):
    from scrapy.utils.misc import load_object

    spider = load_object(source.spider)
    assert spider.name == source.name and spider.source is source
