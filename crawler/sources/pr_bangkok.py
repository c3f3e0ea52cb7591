"""pr-bangkok.com: the BMA Public Relations Office's WordPress site (plain permalinks).

Primary path: the REST API (`?rest_route=/wp/v2/posts`, `/wp-json/wp/v2/posts` on sites
with pretty permalinks). Fallbacks when it is off: RSS (`?feed=rss2`), the core sitemap
(`?sitemap=index`), HTML listings (`?paged=N`) and article pages (`?p=ID`).

Every parser here is a pure function over bytes or decoded JSON; the spider only navigates.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.encoding import decode_html
from crawler.models import Article, SkipPage
from crawler.text import (
    densest_block,
    detect_language,
    element_text,
    extract_images,
    parse_fragment,
    plain_title,
    serialize,
)
from crawler.thai_dates import best_text_date, parse_iso_datetime, to_bangkok_iso

NAME = "pr-bangkok"
ORIGIN = "https://pr-bangkok.com"
ALLOWED_DOMAINS = ("pr-bangkok.com", "www.pr-bangkok.com")
ENTRY_POINTS = ("/?rest_route=/wp/v2/posts",)

# Theme chrome that leaks into the text when no content container is found.
CHROME_LINES = frozenset({"Search", "Close this search box.", "Skip to content", "Menu",
                          "ค้นหา", "หน้าแรก"})
# Where dates are looked for in the text when the page has no date metadata.
TEXT_DATE_SCAN_CHARS = 400
# Unknown theme: a block needs this much text of its own to be taken for the body.
MIN_FALLBACK_CHARS = 80
SITE_TITLE_SUFFIX = re.compile(r"\s+[–\-|]\s+[^–\-|]*(กรุงเทพมหานคร|pr-bangkok|PR Bangkok)[^–\-|]*$",
                               re.I)


def canonical_post_url(post_id: int | str) -> str:
    """One URL per post whatever the permalink structure or mirror: `/?p=ID` on the origin."""
    return f"{ORIGIN}/?p={post_id}"


def post_id_from_url(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("p")
    if values and values[0].isdigit():
        return values[0]
    return None


def _iso(value: str | None, *, gmt: bool) -> str | None:
    parsed = parse_iso_datetime(value, assume_utc=gmt)
    return to_bangkok_iso(parsed) if parsed else None


def _rest_date(post: dict, name: str) -> str | None:
    gmt = post.get(f"{name}_gmt")
    if isinstance(gmt, str) and not gmt.startswith("0000"):
        value = _iso(gmt, gmt=True)
        if value:
            return value
    local = post.get(name)
    return _iso(local, gmt=False) if isinstance(local, str) else None


def _rendered(post: dict, key: str) -> str:
    value = post.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def parse_rest_post(post: dict, url: str | None = None) -> Article:
    """One post of `/wp/v2/posts` (ideally with `_embed`) as an Article.

    `url` is where the post was fetched from (the API page); the record's `url` is the
    post's own `link`.
    """
    if not isinstance(post, dict) or not isinstance(post.get("id"), int):
        raise SkipPage("broken", "a post without an integer id")
    if isinstance(post.get("content"), dict) and post["content"].get("protected"):
        raise SkipPage("protected", f"post {post['id']} is password-protected")
    post_id = post["id"]
    link = post.get("link") if isinstance(post.get("link"), str) else None
    link = link or canonical_post_url(post_id)
    title = plain_title(_rendered(post, "title"))
    root = parse_fragment(_rendered(post, "content"))
    body = element_text(root)
    images = extract_images(root, link)
    embedded = post.get("_embedded") if isinstance(post.get("_embedded"), dict) else {}
    featured = embedded.get("wp:featuredmedia") or []
    if featured and isinstance(featured[0], dict) and featured[0].get("source_url"):
        caption = plain_title(_rendered(featured[0], "caption")) or None
        if all(i["url"] != featured[0]["source_url"] for i in images):
            images.insert(0, {"url": featured[0]["source_url"], "caption": caption})
    if not title and not body and not images:
        raise SkipPage("empty", f"post {post_id} has no title, text or image")
    categories: list[str] = []
    tags: list[str] = []
    for group in embedded.get("wp:term") or []:
        for term in group if isinstance(group, list) else []:
            if not isinstance(term, dict) or not term.get("name"):
                continue
            name = plain_title(str(term["name"]))
            if term.get("taxonomy") == "category":
                categories.append(name)
            elif term.get("taxonomy") == "post_tag":
                tags.append(name)
    published_at = _rest_date(post, "date")
    published_raw = post.get("date") if isinstance(post.get("date"), str) else None
    if published_at is None:
        found = best_text_date(title, body[:TEXT_DATE_SCAN_CHARS])
        if found:
            published_at, published_raw = found.isoformat(), found.raw
    return Article(
        url=link,
        canonical_url=canonical_post_url(post_id),
        source=NAME,
        source_id=str(post_id),
        title=title,
        body=body,
        body_html=serialize(root),
        published_at=published_at,
        modified_at=_rest_date(post, "modified") or published_at,
        published_raw=published_raw,
        categories=categories,
        tags=tags,
        images=images,
        language=detect_language(title + body),
    )


def _meta(doc, prop: str) -> str | None:
    for value in doc.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content'):
        if value.strip():
            return value.strip()
    return None


def _post_id(doc, url: str) -> str | None:
    for href in doc.xpath('//link[@rel="shortlink"]/@href'):
        if found := post_id_from_url(href):
            return found
    if found := post_id_from_url(url):
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


CONTENT_XPATHS = (
    '//*[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]',
    '//*[@itemprop="articleBody"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " post-content ")]',
    "//article",
    "//main",
)


def parse(body: bytes, url: str, content_type: str | None = None) -> Article:
    """An article page (`?p=ID` or a pretty permalink) as an Article."""
    text, _ = decode_html(body, content_type)
    if not text.strip():
        raise SkipPage("empty", "empty response")
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SkipPage("broken", str(exc)) from exc
    post_id = _post_id(doc, url)
    published_meta = _meta(doc, "article:published_time")
    container = None
    for xpath in CONTENT_XPATHS:
        found = doc.xpath(xpath)
        if found:
            container = found[0]
            break
    if post_id is None and published_meta is None:
        raise SkipPage("not_article", "no post id and no article:published_time")
    if container is None:  # a theme we do not know: the block with the most text
        container, size = densest_block(doc)
        if size < MIN_FALLBACK_CHARS:
            container = None
    title = ""
    for candidate in (
        doc.xpath('string(//h1[contains(@class, "entry-title")])'),
        _meta(doc, "og:title") or "",
        SITE_TITLE_SUFFIX.sub("", doc.xpath("string(//title)")),
    ):
        title = plain_title(candidate)
        if title:
            break
    if container is not None:
        for heading in container.xpath('.//h1[contains(@class, "entry-title")]'):
            heading.drop_tree()  # the title is not part of the body
        for meta in container.xpath('.//*[contains(@class, "entry-meta") or contains(@class, "entry-footer")]'):
            meta.drop_tree()
    lines = [line for line in element_text(container).split("\n") if line not in CHROME_LINES]
    body_text = "\n".join(lines)
    images = extract_images(container, url)
    if not title and not body_text:
        raise SkipPage("empty", "no title and no text")
    categories = [plain_title(a.text_content()) for a in doc.xpath('//a[contains(concat(" ", @rel, " "), " category ")]')]
    tags = [plain_title(a.text_content()) for a in doc.xpath('//a[@rel="tag"]')]
    published_at = _iso(published_meta, gmt=False)
    published_raw = published_meta
    if published_at is None:
        for value in doc.xpath("//time/@datetime"):
            if published_at := _iso(value, gmt=False):
                published_raw = value
                break
    if published_at is None:
        found = best_text_date(title, body_text[:TEXT_DATE_SCAN_CHARS])
        if found:
            published_at, published_raw = found.isoformat(), found.raw
    canonical = canonical_post_url(post_id) if post_id else _canonical_from_page(doc, url)
    return Article(
        url=url,
        canonical_url=canonical,
        source=NAME,
        source_id=post_id,
        title=title,
        body=body_text,
        body_html=serialize(container),
        published_at=published_at,
        modified_at=_iso(_meta(doc, "article:modified_time"), gmt=False) or published_at,
        published_raw=published_raw,
        categories=list(dict.fromkeys(c for c in categories if c)),
        tags=list(dict.fromkeys(t for t in tags if t)),
        images=images,
        language=detect_language(title + body_text),
    )


def _canonical_from_page(doc, url: str) -> str:
    href = next(iter(doc.xpath('//link[@rel="canonical"]/@href')), url)
    parts = urlsplit(urljoin(url, href))
    return f"{ORIGIN}{unquote(parts.path) or '/'}"


# --- fallbacks: feed, sitemap, listings --------------------------------------------------
# An XML parser that never fetches anything and never expands entities (billion laughs).
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           recover=True)


def _xml(body: bytes):
    try:
        return etree.fromstring(body, parser=SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None


def parse_feed(body: bytes) -> list[tuple[str, str | None]]:
    """RSS 2.0 items as (link, published ISO or None), in feed order. Empty if not a feed."""
    root = _xml(body)
    if root is None or root.tag != "rss":
        raise SkipPage("not_feed", "not an RSS document")
    items: list[tuple[str, str | None]] = []
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
        items.append((link, published))
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
                lastmod = _iso((child.text or "").strip(), gmt=False)
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


def _source():
    from crawler.sources import Source

    return Source(name=NAME, allowed_domains=ALLOWED_DOMAINS, origin=ORIGIN,
                  entry_points=ENTRY_POINTS, parse=parse,
                  spider="crawler.spiders.PrBangkokSpider")


SOURCE = _source()
