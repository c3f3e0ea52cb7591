"""What every pr-bangkok article page goes through, whichever theme rendered it; the
versions (`parser_v1_classic`, `parser_v2_block`) say where their theme puts things.

No version falls back from its content container to the page's chrome: a post that has
no content block has no text (an empty body), never "Posted … by admin … Tags …". Pages
carry no modification time unless a theme prints one (`article:modified_time`): then
`modified_at` is None and the spider tells an edit from the content hash it landed before.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from core.thai_calendar import best_text_date
from crawler.parsing.article import Article, SkipPage
from crawler.parsing.document import has_class
from crawler.parsing.text import (
    clean_line,
    detect_language,
    element_text,
    extract_images,
    plain_title,
    serialize,
)
from crawler.sources.pr_bangkok import site

# Theme chrome that leaks into the text of some themes' content blocks.
CHROME_LINES = frozenset({"Search", "Close this search box.", "Skip to content", "Menu",
                          "ค้นหา", "หน้าแรก"})
# Where dates are looked for in the text when the page has no date metadata.
TEXT_DATE_SCAN_CHARS = 400
SITE_TITLE_SUFFIX = re.compile(r"\s+[–\-|]\s+[^–\-|]*(กรุงเทพมหานคร|pr-bangkok|PR Bangkok)[^–\-|]*$",
                               re.I)
# WordPress's document title: "<post title> &#8211; <site name>" (wp_get_document_title).
DOCUMENT_TITLE_SEPARATOR = " – "


def meta(doc, prop: str) -> str | None:
    for value in doc.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content'):
        if value.strip():
            return value.strip()
    return None


def post_id_of(doc, url: str) -> str | None:
    for href in doc.xpath('//link[@rel="shortlink"]/@href'):
        if found := site.post_id_from_url(href):
            return found
    if found := site.post_id_from_url(url):
        return found
    body_class = " ".join(doc.xpath("//body/@class"))
    match = re.search(r"\bpostid-(\d+)\b", body_class)
    if match:
        return match.group(1)
    for article_id in doc.xpath("//article/@id"):
        match = re.fullmatch(r"post-(\d+)", article_id)
        if match:
            return match.group(1)
    return None


def site_name(doc) -> str | None:
    for value in (meta(doc, "og:site_name"),
                  doc.xpath(f'string({has_class("wp-block-site-title")})'),
                  doc.xpath('string((//a[@rel="home"])[1])')):
        if value and (name := clean_line(value)):
            return name
    return None


def document_title(doc) -> str:
    """`<title>` without the site's name: "X &#8211; site" is X."""
    title = plain_title(doc.xpath("string(//title)"))
    name = site_name(doc)
    if name and title.endswith(DOCUMENT_TITLE_SEPARATOR + name):
        return title[: -len(DOCUMENT_TITLE_SEPARATOR + name)].strip()
    return plain_title(SITE_TITLE_SUFFIX.sub("", title))


def link_texts(doc, xpath: str) -> list[str]:
    return list(dict.fromkeys(t for a in doc.xpath(xpath) if (t := plain_title(a.text_content()))))


class ThemeParser:
    """The steps of an article page. A version says where its theme puts the text
    (`content`), the title (`title_xpaths`), the dates and the terms."""

    version = ""
    title_xpaths: tuple[str, ...] = ()
    # Inside the content block: what is not the release's text (title, meta lines).
    drop_xpaths: tuple[str, ...] = ()

    # --- what a version supplies -----------------------------------------------------
    def content(self, doc):
        raise NotImplementedError

    def published(self, doc) -> str | None:
        """The publication time stamp as the page gives it (ISO 8601), or None."""
        raise NotImplementedError

    def modified(self, doc) -> str | None:
        value = meta(doc, "article:modified_time")
        return site.iso_bangkok(value, gmt=False) if value else None

    def terms(self, doc) -> tuple[list[str], list[str]]:
        """(categories, tags) from the theme's taxonomy markup."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------
    def title(self, doc) -> str:
        for xpath in self.title_xpaths:
            if found := plain_title(doc.xpath(f"string({xpath})")):
                return found
        return plain_title(meta(doc, "og:title") or "") or document_title(doc)

    def parse(self, doc, url: str) -> Article:
        if site.html_is_protected(doc):
            raise SkipPage("protected", f"{url} asks for a password")
        post_id = post_id_of(doc, url)
        published_raw = self.published(doc)
        if post_id is None and meta(doc, "article:published_time") is None:
            raise SkipPage("not_article", "no post id and no publication time")
        container = self.content(doc)
        title = self.title(doc)
        if container is not None:
            for xpath in self.drop_xpaths:
                for element in container.xpath(xpath):
                    element.drop_tree()
        lines = [line for line in element_text(container).split("\n") if line not in CHROME_LINES]
        body_text = "\n".join(lines)
        images = extract_images(container, url)
        if not title and not body_text:
            raise SkipPage("empty", "no title and no text")
        published_at = site.iso_bangkok(published_raw, gmt=False)
        if published_at is None:
            published_raw = None
            found = best_text_date(title, body_text[:TEXT_DATE_SCAN_CHARS])
            if found:
                published_at, published_raw = found.isoformat(), found.raw
        categories, tags = self.terms(doc)
        canonical = site.canonical_post_url(post_id) if post_id else canonical_from_page(doc, url)
        return Article(
            url=url,
            canonical_url=canonical,
            source=site.NAME,
            source_id=post_id,
            title=title,
            body=body_text,
            body_html=serialize(container),
            published_at=published_at,
            modified_at=self.modified(doc),  # None: the page does not say (see the spider)
            published_raw=published_raw,
            categories=categories,
            tags=tags,
            images=images,
            language=detect_language(title + body_text),
        )


def canonical_from_page(doc, url: str) -> str:
    href = next(iter(doc.xpath('//link[@rel="canonical"]/@href')), url)
    parts = urlsplit(urljoin(url, href))
    return f"{site.ORIGIN}{unquote(parts.path) or '/'}"
