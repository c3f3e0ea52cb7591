"""prbangkok.com, the legacy archive: Joomla 2017-18 and a custom system 2019-21.

HTML article pages and listings only; the archive is frozen, so an article landed once is
not fetched again unless a date range asks for it.
"""

from __future__ import annotations

from crawler.sources.prbangkok_legacy import parser, site
from crawler.sources.registry import Source

SOURCE = Source(
    name=site.NAME, allowed_domains=site.ALLOWED_DOMAINS, origin=site.ORIGIN,
    entry_points=site.ENTRY_POINTS, parse=parser.parse,
    spider="crawler.sources.prbangkok_legacy.spider.LegacySpider",
    incremental=False,
)
