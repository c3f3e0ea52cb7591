"""What every legacy page goes through, whichever system made it; the versions
(`parser_v1_joomla`, `parser_v2_custom`) supply where their system puts things.

Counters ("Visitors: N", "Hits: N", "จำนวนเข้าชม N ครั้ง") change on every fetch and are kept
out of the text and the content hash, so a page re-fetched with a higher count is
"unchanged". Pages may be UTF-8 or TIS-620/windows-874 (decoded as cp874: the header, then
the meta tag, then detection).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from core.thai_calendar import ThaiDate, best_text_date, parse_iso_datetime, to_bangkok_iso
from crawler.parsing.article import Article, SkipPage
from crawler.parsing.text import (
    clean_line,
    densest_block,
    detect_language,
    element_text,
    extract_images,
    serialize,
)
from crawler.sources.prbangkok_legacy import site

# Counters change on every fetch: they must never reach the text or the hash.
COUNTER_LINE = re.compile(
    r"^(?:จำนวน(?:ผู้)?เข้าชม|ผู้เข้าชม|เข้าชม|เปิดอ่าน|อ่านแล้ว|Visitors?|Hits|Views?|Page ?views)"
    r"\s*:?\s*[\d,๐-๙]+\s*(?:ครั้ง|คน)?$", re.I
)
COUNTER_INLINE = re.compile(
    r"\s*\|?\s*(?:จำนวน(?:ผู้)?เข้าชม|Visitors?|Hits)\s*:?\s*[\d,๐-๙]+\s*(?:ครั้ง|คน)?", re.I)
SITE_NAMES = frozenset({"ACTION NEWS", "ประชาสัมพันธ์กรุงเทพมหานคร", "กรุงเทพมหานคร",
                        "prbangkok.com", "PR Bangkok", "สำนักประชาสัมพันธ์", "เพื่อนกทม. ACTION NEWS"})
CHROME_LINES = frozenset({"เพื่อนกทม. ACTION NEWS", "เพื่อนกทม.ACTION NEWS", "ACTION NEWS",
                          "พิมพ์", "Print", "อีเมล", "Email", "หน้าแรก", "Home", "ย้อนกลับ"})
# Unknown markup: a block needs this much text of its own to be taken for an article, and
# a page with this many article links and little text is a listing.
MIN_FALLBACK_CHARS = 150
LISTING_LINKS = 5
# Dates are looked for this far into the body when the page has no date of its own.
TEXT_DATE_SCAN_CHARS = 400


def first_text(doc, xpaths: tuple[str, ...]) -> tuple[str, object | None]:
    for xpath in xpaths:
        for element in doc.xpath(xpath):
            text = clean_line(element.text_content().replace("\n", " "))
            if text:
                return text, element
    return "", None


def is_inside(element, container) -> bool:
    parent = element
    while parent is not None:
        if parent is container:
            return True
        parent = parent.getparent()
    return False


class LegacyParser:
    """The steps of a legacy article page. A version says where its system puts the text
    (`content_xpaths`), the title (`title_xpaths`) and the date (`read_meta`, `read_line`)."""

    version = ""
    content_xpaths: tuple[str, ...] = ()
    title_xpaths: tuple[str, ...] = ()

    # --- what a version may change ---------------------------------------------------
    def read_meta(self, doc, container) -> str:
        """Text of date blocks outside the body, read before they are dropped."""
        return ""

    def read_line(self, state: dict, line: str) -> bool:
        """Take a body line that carries metadata (publisher, date); True if consumed."""
        return False

    def after_lines(self, state: dict, doc) -> None:
        """A last look for metadata once the body is read."""

    def categories(self, state: dict, url: str) -> list[str]:
        return []

    # --- shared ----------------------------------------------------------------------
    def find_container(self, doc):
        for xpath in self.content_xpaths:
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
        outside_links = [a for a in doc.xpath("//a/@href")
                         if site.is_article_url(urljoin("https://x", a))]
        if len(outside_links) >= LISTING_LINKS and best_score < 2 * MIN_FALLBACK_CHARS:
            return None  # a listing with excerpts, not an article
        return best

    def title(self, doc, container) -> tuple[str, object | None]:
        title, element = first_text(doc, self.title_xpaths)
        if title:
            return title, element
        if container is not None:
            title, element = first_text(container, (".//h1", ".//h2", ".//h3", ".//h4"))
            if title:
                return title, element
        og = doc.xpath('string(//meta[@property="og:title"]/@content)')
        parts = [clean_line(p) for p in re.split(r"\s[-|–]\s", og or doc.xpath("string(//title)"))]
        parts = [p for p in parts if p and p not in SITE_NAMES]
        return (max(parts, key=len) if parts else ""), None

    def parse(self, doc, url: str) -> Article:
        container = self.find_container(doc)
        if container is None:
            raise SkipPage("not_article", "no article container")
        title, title_element = self.title(doc, container)
        if (title_element is not None and is_inside(title_element, container)
                and title_element is not container):
            title_element.drop_tree()
        meta_dates = self.read_meta(doc, container)
        state: dict = {"publisher": None, "date_raw": None, "after_header": 0}
        lines: list[str] = []
        for line in element_text(container).split("\n"):
            if self.read_line(state, line):
                continue
            if COUNTER_LINE.match(line) or line in CHROME_LINES or line == title:
                continue
            line = COUNTER_INLINE.sub("", line).strip()
            if line:
                lines.append(line)
        self.after_lines(state, doc)
        body_text = "\n".join(lines)
        if not title and not body_text:
            raise SkipPage("empty", "no title and no text")
        published_at, published_raw = self.published(doc, state, meta_dates, title, body_text)
        return Article(
            url=url,
            canonical_url=site.canonical_url(url),
            source=site.NAME,
            source_id=site.source_id(url),
            title=title,
            body=body_text,
            body_html=serialize(container),
            published_at=published_at,
            modified_at=published_at,
            published_raw=published_raw,
            categories=list(dict.fromkeys(self.categories(state, url))),
            tags=[],
            images=extract_images(container, url),
            language=detect_language(title + body_text),
        )

    def published(self, doc, state: dict, meta_dates: str, title: str,
                  body_text: str) -> tuple[str | None, str | None]:
        """The publication date: the page's own line, its metadata, else the first text date."""
        found: ThaiDate | None = state.get("date")
        if found is not None:
            return found.isoformat(), found.raw
        for value in doc.xpath('//meta[@property="article:published_time"]/@content | //time/@datetime'):
            if parsed := parse_iso_datetime(value):
                return to_bangkok_iso(parsed), value
        if found := best_text_date(meta_dates, title, body_text[:TEXT_DATE_SCAN_CHARS]):
            return found.isoformat(), found.raw
        return None, None
