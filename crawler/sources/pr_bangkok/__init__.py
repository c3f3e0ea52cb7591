"""pr-bangkok.com: the BMA Public Relations Office's WordPress site (plain permalinks),
the live source: the REST API first, then RSS, the sitemap and HTML listings."""

from __future__ import annotations

from crawler.sources.pr_bangkok import parser
from crawler.sources.registry import Source

SOURCE = Source(
    name=parser.NAME, allowed_domains=parser.ALLOWED_DOMAINS, origin=parser.ORIGIN,
    entry_points=parser.ENTRY_POINTS, parse=parser.parse,
    spider="crawler.sources.pr_bangkok.spider.PrBangkokSpider",
    incremental=True, primary=True,
)
