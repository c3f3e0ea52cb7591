"""What a source is: the one record each site module declares (see `crawler.sources`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.parsing.article import Article


@dataclass(frozen=True)
class Source:
    name: str
    allowed_domains: tuple[str, ...]
    origin: str  # canonical origin; records' canonical URLs use it whatever --base-url is
    entry_points: tuple[str, ...]  # paths (with query) the crawl starts from
    parse: Callable[..., Article]  # parse(body: bytes, url: str, content_type=None)
    spider: str  # import path of the spider class (imported only when crawling)
    # Incremental: a run without --since asks for what changed since the watermark (minus
    # an overlap); otherwise every run walks the whole site and the hashes skip what is known.
    incremental: bool = True
    # The live site: what `--base-url` (a mirror or test server) stands in for by default.
    primary: bool = False
