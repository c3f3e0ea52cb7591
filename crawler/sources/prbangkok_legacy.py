"""prbangkok.com: the legacy archive ("ACTION NEWS" era Joomla 2017-18, custom system 2019-21).

HTML article pages and listings only. Articles carry a header line
"เผยแพร่โดย : <office> | <Thai date> | จำนวนเข้าชม N ครั้ง" (2019-21) or a Joomla date and a
"Visitors: N" / "Hits: N" counter (2017-18). Counters are kept out of the text and the
content hash, so a page re-fetched with a higher count is "unchanged". Pages may be UTF-8
or TIS-620/windows-874 (decoded as cp874: header, then meta tag, then detection).
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.encoding import decode_html
from crawler.models import Article, SkipPage
from crawler.text import (
    clean_line,
    densest_block,
    detect_language,
    element_text,
    extract_images,
    serialize,
)
from crawler.thai_dates import best_text_date, find_thai_date, parse_iso_datetime, to_bangkok_iso

NAME = "prbangkok-legacy"
ORIGIN = "https://prbangkok.com"
ALLOWED_DOMAINS = ("prbangkok.com", "www.prbangkok.com")
ENTRY_POINTS = ("/", "/index.php/FirstPage.html", "/th/")

# 2019-21 article tokens are base64 of this many characters, then the number reversed.
TOKEN_PREFIX_CHARS = 32

ARTICLE_PATH = re.compile(
    r"^/th/[^/]+/view/[^/?#]+/?$"  # custom system
    r"|^/index\.php/(?:[^/]+/)+\d+-[^/]+?(?:\.html)?$"  # Joomla item
)
LISTING_PATH = re.compile(
    r"^/$|^/th/?$|^/th/[^/]+/?$|^/th/[^/]+/(?:page|list)/\d+/?$"
    r"|^/index\.php/FirstPage\.html$|^/index\.php/[^/]+(?:/[^/]+)?/?$"
)
HEADER_RE = re.compile(
    r"เผยแพร่โดย\s*:?\s*(?P<publisher>[^|\n]*?)\s*\|\s*(?P<date>[^|\n]+?)\s*"
    r"(?:\|\s*จำนวนเข้าชม\s*[\d,๐-๙]+\s*ครั้ง)?\s*$"
)
# Counters change on every fetch: they must never reach the text or the hash.
COUNTER_LINE = re.compile(
    r"^(?:จำนวน(?:ผู้)?เข้าชม|ผู้เข้าชม|เข้าชม|เปิดอ่าน|อ่านแล้ว|Visitors?|Hits|Views?|Page ?views)"
    r"\s*:?\s*[\d,๐-๙]+\s*(?:ครั้ง|คน)?$", re.I
)
COUNTER_INLINE = re.compile(
    r"\s*\|?\s*(?:จำนวน(?:ผู้)?เข้าชม|Visitors?|Hits)\s*:?\s*[\d,๐-๙]+\s*(?:ครั้ง|คน)?", re.I)
SITE_NAMES = frozenset({"ACTION NEWS", "ประชาสัมพันธ์กรุงเทพมหานคร", "กรุงเทพมหานคร",
                        "prbangkok.com", "PR Bangkok", "สำนักประชาสัมพันธ์", "เพื่อนกทม. ACTION NEWS"})
# Unknown markup: a block needs this much text of its own to be taken for an article, and
# a page with this many article links and little text is a listing.
MIN_FALLBACK_CHARS = 150
LISTING_LINKS = 5
CHROME_LINES = frozenset({"เพื่อนกทม. ACTION NEWS", "เพื่อนกทม.ACTION NEWS", "ACTION NEWS",
                          "พิมพ์", "Print", "อีเมล", "Email", "หน้าแรก", "Home", "ย้อนกลับ"})
CONTENT_XPATHS = (
    '//*[contains(concat(" ", normalize-space(@class), " "), " itemFullText ")]',
    '//*[@itemprop="articleBody"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " news-detail ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " article-content ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " content-detail ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " item-page ")]',
    "//article",
)
TITLE_XPATHS = (
    '//*[contains(@class, "news-title")]',
    '//*[contains(@class, "itemTitle")]',
    '//*[contains(@class, "contentheading")]',
    '//*[contains(@class, "item-page")]//h2',
    "//article//h1", "//h1",
)


def token_number(token: str) -> str | None:
    """The article number in a 2019-21 token (base64 of a fixed prefix + the number reversed)."""
    raw = unquote(token)
    try:
        decoded = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    tail = decoded[TOKEN_PREFIX_CHARS:]
    return tail[::-1] if tail.isdigit() else None


def source_id(url: str) -> str | None:
    path = urlsplit(url).path
    match = re.match(r"^/th/[^/]+/view/([^/?#]+)", path)
    if match:
        return token_number(match.group(1)) or match.group(1)
    match = re.search(r"/(\d+)-[^/]+?(?:\.html)?$", path)
    return match.group(1) if match else None


def canonical_url(url: str) -> str:
    """The origin plus the decoded path: print views (`?tmpl=component&print=1`) and
    percent-encoded links to the same page share the article's id."""
    return f"{ORIGIN}{unquote(urlsplit(url).path) or '/'}"


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_PATH.match(urlsplit(url).path))


def is_listing_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(LISTING_PATH.match(parts.path)) and not is_article_url(url)


def _first_text(doc, xpaths: tuple[str, ...]) -> tuple[str, object | None]:
    for xpath in xpaths:
        for element in doc.xpath(xpath):
            text = clean_line(element.text_content().replace("\n", " "))
            if text:
                return text, element
    return "", None


def _find_container(doc):
    for xpath in CONTENT_XPATHS:
        found = doc.xpath(xpath)
        if found:
            return found[0]
    # Unknown markup: the header line marks the article; take its nearest ancestor with text.
    for node in doc.xpath('//body//*[contains(text(), "เผยแพร่โดย")]'):
        ancestor = node.getparent()
        while ancestor is not None and ancestor.tag not in ("body", "html"):
            if len(clean_line(ancestor.text_content())) >= MIN_FALLBACK_CHARS:
                return ancestor
            ancestor = ancestor.getparent()
    # Else the block with the most paragraph text of its own, if it is long enough.
    best, best_score = densest_block(doc)
    if best is None or best_score < MIN_FALLBACK_CHARS:
        return None
    outside_links = [a for a in doc.xpath("//a/@href") if is_article_url(urljoin("https://x", a))]
    if len(outside_links) >= LISTING_LINKS and best_score < 2 * MIN_FALLBACK_CHARS:
        return None  # a listing with excerpts, not an article
    return best


def _page_title(doc, container) -> tuple[str, object | None]:
    title, element = _first_text(doc, TITLE_XPATHS)
    if title:
        return title, element
    if container is not None:
        title, element = _first_text(container, (".//h1", ".//h2", ".//h3", ".//h4"))
        if title:
            return title, element
    og = doc.xpath('string(//meta[@property="og:title"]/@content)')
    parts = [clean_line(p) for p in re.split(r"\s[-|–]\s", og or doc.xpath("string(//title)"))]
    parts = [p for p in parts if p and p not in SITE_NAMES]
    return (max(parts, key=len) if parts else ""), None


def parse(body: bytes, url: str, content_type: str | None = None) -> Article:
    """A legacy article page (either era, UTF-8 or TIS-620/windows-874) as an Article."""
    text, _ = decode_html(body, content_type)
    if not text.strip():
        raise SkipPage("empty", "empty response")
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SkipPage("broken", str(exc)) from exc
    container = _find_container(doc)
    if container is None:
        raise SkipPage("not_article", "no article container")
    title, title_element = _page_title(doc, container)
    if title_element is not None and _is_inside(title_element, container) and title_element is not container:
        title_element.drop_tree()
    # Joomla's article-info block: read its date, then keep it out of the body.
    meta_dates = " ".join(doc.xpath(
        '//*[contains(@class, "create") or contains(@class, "published")'
        ' or contains(@class, "article-info")]//text()'))
    for meta in container.xpath('.//*[contains(@class, "article-info") or contains(@class, "create")'
                                ' or contains(@class, "published") or contains(@class, "modified")'
                                ' or contains(@class, "hits")]'):
        meta.drop_tree()
    publisher = date_raw = None
    lines: list[str] = []
    after_header = 0  # lines since a header split over several lines ("เผยแพร่โดย" alone)
    for line in element_text(container).split("\n"):
        header = HEADER_RE.search(line)
        if header and publisher is None:
            publisher = clean_line(header.group("publisher")) or None
            date_raw = clean_line(header.group("date"))
            continue
        if line.startswith("เผยแพร่โดย") and publisher is None:
            publisher = clean_line(re.sub(r"^เผยแพร่โดย\s*:?", "", COUNTER_INLINE.sub("", line))) or None
            after_header = 3
            continue
        if after_header:
            after_header -= 1
            found = find_thai_date(line)
            if found and date_raw is None and len(line) - len(found.raw) <= 3:
                date_raw = line
                continue
        if COUNTER_LINE.match(line) or line in CHROME_LINES or line == title:
            continue
        line = COUNTER_INLINE.sub("", line).strip()
        if line:
            lines.append(line)
    if publisher is None:  # the header may sit outside the content container
        for line in element_text(doc.body if doc.body is not None else doc).split("\n"):
            header = HEADER_RE.search(line)
            if header:
                publisher = clean_line(header.group("publisher")) or None
                date_raw = clean_line(header.group("date"))
                break
    body_text = "\n".join(lines)
    if not title and not body_text:
        raise SkipPage("empty", "no title and no text")
    published_at = published_raw = None
    if date_raw and (found := find_thai_date(date_raw)):
        published_at, published_raw = found.isoformat(), found.raw
    if published_at is None:
        for value in doc.xpath('//meta[@property="article:published_time"]/@content | //time/@datetime'):
            if parsed := parse_iso_datetime(value):
                published_at, published_raw = to_bangkok_iso(parsed), value
                break
    if published_at is None and (found := best_text_date(meta_dates, title, body_text[:400])):
        published_at, published_raw = found.isoformat(), found.raw
    section = _section(url)
    categories = [c for c in (section, publisher) if c]
    images = extract_images(container, url)
    return Article(
        url=url,
        canonical_url=canonical_url(url),
        source=NAME,
        source_id=source_id(url),
        title=title,
        body=body_text,
        body_html=serialize(container),
        published_at=published_at,
        modified_at=published_at,
        published_raw=published_raw,
        categories=list(dict.fromkeys(categories)),
        tags=[],
        images=images,
        language=detect_language(title + body_text),
    )


def _is_inside(element, container) -> bool:
    parent = element
    while parent is not None:
        if parent is container:
            return True
        parent = parent.getparent()
    return False


def _section(url: str) -> str | None:
    match = re.match(r"^/th/([^/]+)/view/", urlsplit(url).path)
    return unquote(match.group(1)) if match else None


def listing_links(body: bytes, url: str, content_type: str | None = None) -> list[str]:
    """Article and listing links of a legacy page, same host, in page order."""
    text, _ = decode_html(body, content_type)
    try:
        doc = lxml_html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError):
        doc = None
    if doc is None:
        return []
    links = []
    for href in doc.xpath("//a/@href"):
        absolute = urljoin(url, href.strip()).split("#")[0]
        if is_article_url(absolute) or is_listing_url(absolute) or "start=" in absolute:
            links.append(absolute)
    return list(dict.fromkeys(links))


def _source():
    from crawler.sources import Source

    return Source(name=NAME, allowed_domains=ALLOWED_DOMAINS, origin=ORIGIN,
                  entry_points=ENTRY_POINTS, parse=parse,
                  spider="crawler.spiders.LegacySpider")


SOURCE = _source()
