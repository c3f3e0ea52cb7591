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

from core.thai_calendar import best_text_date, parse_iso_datetime, to_bangkok_iso
from crawler.parsing.article import Article, SkipPage
from crawler.parsing.encoding import decode_html
from crawler.parsing.text import (
    densest_block,
    detect_language,
    element_text,
    extract_images,
    parse_fragment,
    plain_title,
    serialize,
)

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


def iso_bangkok(value: str | None, *, gmt: bool) -> str | None:
    """A metadata timestamp as ISO 8601 in Bangkok time (`gmt`: naive values are UTC)."""
    parsed = parse_iso_datetime(value, assume_utc=gmt)
    return to_bangkok_iso(parsed) if parsed else None


def _rest_date(post: dict, name: str) -> str | None:
    gmt = post.get(f"{name}_gmt")
    if isinstance(gmt, str) and not gmt.startswith("0000"):
        value = iso_bangkok(gmt, gmt=True)
        if value:
            return value
    local = post.get(name)
    return iso_bangkok(local, gmt=False) if isinstance(local, str) else None


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
    published_at = iso_bangkok(published_meta, gmt=False)
    published_raw = published_meta
    if published_at is None:
        for value in doc.xpath("//time/@datetime"):
            if published_at := iso_bangkok(value, gmt=False):
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
        modified_at=iso_bangkok(_meta(doc, "article:modified_time"), gmt=False) or published_at,
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
