"""The pr-bangkok theme and classic themes like it: `<article>`, `h1.entry-title`,
`.entry-content`, `article:published_time` meta, category links `rel="category tag"` and
tag links `rel="tag"` in the entry footer. A page of a theme no version knows (no content
class) is read from its densest block, when that block has text enough of its own.
"""

from __future__ import annotations

from crawler.parsing.document import has_class
from crawler.parsing.text import densest_block
from crawler.sources.pr_bangkok.page import ThemeParser, link_texts, meta

# Unknown theme: a block needs this much text of its own to be taken for the body.
MIN_FALLBACK_CHARS = 80


class ClassicThemeParser(ThemeParser):
    version = "v1-classic"
    title_xpaths = ('//h1[contains(@class, "entry-title")]',)
    content_xpaths = (has_class("entry-content"), '//*[@itemprop="articleBody"]',
                      has_class("post-content"), "//article")
    drop_xpaths = ('.//h1[contains(@class, "entry-title")]',
                   './/*[contains(@class, "entry-meta") or contains(@class, "entry-footer")]')

    def content(self, doc):
        for xpath in self.content_xpaths:
            found = doc.xpath(xpath)
            if found:
                return found[0]
        container, size = densest_block(doc)  # a theme we do not know
        return container if size >= MIN_FALLBACK_CHARS else None

    def published(self, doc) -> str | None:
        return meta(doc, "article:published_time") or next(iter(doc.xpath("//time/@datetime")), None)

    def terms(self, doc) -> tuple[list[str], list[str]]:
        categories = link_texts(doc, '//a[contains(concat(" ", normalize-space(@rel), " "), " category ")]')
        tags = link_texts(doc, '//a[normalize-space(@rel)="tag"]')
        return categories, tags
