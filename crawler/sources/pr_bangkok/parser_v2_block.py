"""WordPress's default block theme (Twenty Twenty-Three, WordPress 6.1): no `<article>`, no
`h1.entry-title`, no date meta. The title is `h1.wp-block-post-title` (else `<title>X &#8211;
site</title>`), the text `.wp-block-post-content` (absent for a post with no content: then
the body is empty, the "Posted … in … by …" footer is never read), the date the post-date
block's `<time datetime>`, and the terms the post-terms blocks, whose links are all
`rel="tag"` (categories included: `taxonomy-category` says which).
"""

from __future__ import annotations

from crawler.parsing.document import has_class
from crawler.sources.pr_bangkok.page import ThemeParser, link_texts, meta

MARKS = (has_class("wp-site-blocks"), has_class("wp-block-post-content"))


class BlockThemeParser(ThemeParser):
    version = "v2-block"
    title_xpaths = (has_class("wp-block-post-title"),)
    drop_xpaths = (".//*[contains(@class, 'wp-block-post-title')]",)

    def content(self, doc):
        return next(iter(doc.xpath(has_class("wp-block-post-content"))), None)

    def published(self, doc) -> str | None:
        for value in doc.xpath(has_class("wp-block-post-date") + "//time/@datetime"):
            return value
        return meta(doc, "article:published_time")

    def terms(self, doc) -> tuple[list[str], list[str]]:
        categories = link_texts(doc, has_class("taxonomy-category") + "//a")
        tags = link_texts(doc, has_class("taxonomy-post_tag") + "//a")
        return categories, tags
