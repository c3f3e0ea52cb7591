"""prbangkok.com 2017-18, Joomla ("ACTION NEWS"): `/index.php/<cat>/<subcat>/<id>-<alias>`.

The article sits in `.item-page` (or K2's `.itemFullText`), the title in its `h2` or
`.contentheading`, the date and the hit counter in `dl.article-info` (`dd.create`,
`dd.hits`); the footer carries a "Visitors: N" counter.
"""

from __future__ import annotations

from crawler.parsing.document import has_class
from crawler.sources.prbangkok_legacy.page import LegacyParser

# Joomla's article-info block: read for the date, then kept out of the body.
INFO_XPATH = ('.//*[contains(@class, "article-info") or contains(@class, "create")'
              ' or contains(@class, "published") or contains(@class, "modified")'
              ' or contains(@class, "hits")]')


class JoomlaParser(LegacyParser):
    version = "v1-joomla"
    content_xpaths = (has_class("itemFullText"), '//*[@itemprop="articleBody"]',
                      has_class("item-page"), "//article")
    title_xpaths = ('//*[contains(@class, "itemTitle")]', '//*[contains(@class, "contentheading")]',
                    '//*[contains(@class, "item-page")]//h2', "//article//h1", "//h1")

    def read_meta(self, doc, container) -> str:
        dates = " ".join(doc.xpath(
            '//*[contains(@class, "create") or contains(@class, "published")'
            ' or contains(@class, "article-info")]//text()'))
        for meta in container.xpath(INFO_XPATH):
            meta.drop_tree()
        return dates
