"""pr-bangkok.com's discovery documents when the REST API is off: RSS, the core sitemap
and HTML listings. Pure functions over bytes; the spider only navigates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from core.thai_calendar import to_bangkok_iso
from crawler.parsing.article import SkipPage
from crawler.parsing.encoding import decode_html
from crawler.sources.pr_bangkok.site import html_is_protected, iso_bangkok, post_id_from_url

# An XML parser that never fetches anything and never expands entities (billion laughs).
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           recover=True)


def _xml(body: bytes):
    try:
        return etree.fromstring(body, parser=SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None


CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


@dataclass(frozen=True)
class FeedItem:
    link: str
    published: str | None  # ISO 8601, Bangkok time
    protected: bool  # the item's content is WordPress's password form


def _item_is_protected(item) -> bool:
    content = item.findtext(CONTENT_ENCODED) or ""
    if "post-password-form" not in content and "postpass" not in content:
        return False
    try:
        return html_is_protected(lxml_html.fragment_fromstring(content, create_parent="div"))
    except (etree.ParserError, ValueError):
        return False


def parse_feed(body: bytes) -> list[FeedItem]:
    """RSS 2.0 items in feed order. SkipPage if not a feed."""
    root = _xml(body)
    if root is None or root.tag != "rss":
        raise SkipPage("not_feed", "not an RSS document")
    items: list[FeedItem] = []
    for item in root.iter("item"):
        link = (item.findtext("link") or "").strip()
        if not link:
            continue
        published = None
        pub_date = (item.findtext("pubDate") or "").strip()
        if pub_date:
            from email.utils import parsedate_to_datetime

            try:
                published = to_bangkok_iso(parsedate_to_datetime(pub_date))
            except (TypeError, ValueError):
                published = None
        items.append(FeedItem(link, published, _item_is_protected(item)))
    return items


def parse_sitemap(body: bytes) -> tuple[list[str], list[tuple[str, str | None]]]:
    """(child sitemaps, [(url, lastmod ISO or None)]) of a sitemap or sitemap index."""
    root = _xml(body)
    if root is None or not isinstance(root.tag, str):
        raise SkipPage("not_sitemap", "not an XML sitemap")
    local = etree.QName(root).localname
    if local not in ("sitemapindex", "urlset"):
        raise SkipPage("not_sitemap", f"root element {local}")
    children: list[str] = []
    urls: list[tuple[str, str | None]] = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        loc = lastmod = None
        for child in entry:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = iso_bangkok((child.text or "").strip(), gmt=False)
        if not loc:
            continue
        if local == "sitemapindex":
            children.append(loc)
        else:
            urls.append((loc, lastmod))
    return children, urls


def is_post_sitemap(url: str) -> bool:
    """WordPress core sitemaps also list pages, users and terms: only posts are articles."""
    query = parse_qs(urlsplit(url).query)
    if "sitemap" in query:
        return query["sitemap"] == ["posts"] and query.get("sitemap-subtype", ["post"]) == ["post"]
    return "post" in urlsplit(url).path and "page" not in urlsplit(url).path


def parse_listing(body: bytes, url: str, content_type: str | None = None) -> tuple[list[str], str | None]:
    """(article links, next listing page) of a `?paged=N` or category listing."""
    text, _ = decode_html(body, content_type)
    try:
        doc = lxml_html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError):
        doc = None
    if doc is None:
        return [], None
    links: list[str] = []
    for href in doc.xpath('//a[@rel="bookmark"]/@href | //*[contains(@class, "entry-title")]//a/@href | //a/@href'):
        absolute = urljoin(url, href.strip())
        if post_id_from_url(absolute) or re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+/?$", urlsplit(absolute).path):
            links.append(absolute.split("#")[0])
    next_href = next(iter(doc.xpath('//a[contains(@class, "next")]/@href | //link[@rel="next"]/@href')), None)
    return list(dict.fromkeys(links)), urljoin(url, next_href) if next_href else None
