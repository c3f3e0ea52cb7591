"""The sources the crawler knows, registered in one list.

Adding a site = one module here (name, domains, origin, entry points, a pure `parse`)
plus its spider in `crawler/spiders.py` and its fixtures under `tests/fixtures/<name>/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.models import Article


@dataclass(frozen=True)
class Source:
    name: str
    allowed_domains: tuple[str, ...]
    origin: str  # canonical origin; records' canonical URLs use it whatever --base-url is
    entry_points: tuple[str, ...]  # paths (with query) the crawl starts from
    parse: Callable[..., Article]  # parse(body: bytes, url: str, content_type=None)
    spider: str  # import path of the spider class


def _load() -> list[Source]:
    from crawler.sources import pr_bangkok, prbangkok_legacy

    return [pr_bangkok.SOURCE, prbangkok_legacy.SOURCE]


SOURCES: list[Source] = _load()
SOURCE_NAMES: tuple[str, ...] = tuple(s.name for s in SOURCES)


def get_source(name: str) -> Source:
    for source in SOURCES:
        if source.name == name:
            return source
    raise KeyError(name)
