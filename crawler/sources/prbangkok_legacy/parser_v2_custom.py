"""prbangkok.com 2019-21, the custom system: `/th/<section>/view/<token>`.

A header line "เผยแพร่โดย : <office> | <Thai date> | จำนวนเข้าชม N ครั้ง" gives the publisher
(kept as a category beside the section) and the date; some pages split it over several
lines, and some put it outside the content block.
"""

from __future__ import annotations

import re

from core.thai_calendar import find_thai_date
from crawler.parsing.document import has_class
from crawler.parsing.text import clean_line, element_text
from crawler.sources.prbangkok_legacy import site
from crawler.sources.prbangkok_legacy.page import COUNTER_INLINE, LegacyParser

HEADER_RE = re.compile(
    r"เผยแพร่โดย\s*:?\s*(?P<publisher>[^|\n]*?)\s*\|\s*(?P<date>[^|\n]+?)\s*"
    r"(?:\|\s*จำนวนเข้าชม\s*[\d,๐-๙]+\s*ครั้ง)?\s*$"
)
# A header split over lines ("เผยแพร่โดย" alone) has its date within this many lines.
SPLIT_HEADER_LINES = 3


class CustomParser(LegacyParser):
    version = "v2-custom"
    content_xpaths = (has_class("news-detail"), has_class("article-content"),
                      has_class("content-detail"), '//*[@itemprop="articleBody"]', "//article")
    title_xpaths = ('//*[contains(@class, "news-title")]', "//article//h1", "//h1")

    def _header(self, state: dict, match: re.Match[str]) -> None:
        state["publisher"] = clean_line(match.group("publisher")) or None
        state["date"] = find_thai_date(clean_line(match.group("date")))

    def read_line(self, state: dict, line: str) -> bool:
        header = HEADER_RE.search(line)
        if header and state["publisher"] is None:
            self._header(state, header)
            return True
        if line.startswith("เผยแพร่โดย") and state["publisher"] is None:
            publisher = re.sub(r"^เผยแพร่โดย\s*:?", "", COUNTER_INLINE.sub("", line))
            state["publisher"] = clean_line(publisher) or None
            state["after_header"] = SPLIT_HEADER_LINES
            return True
        if state["after_header"]:
            state["after_header"] -= 1
            found = find_thai_date(line)
            if found and state.get("date") is None and len(line) - len(found.raw) <= 3:
                state["date"] = found
                return True
        return False

    def after_lines(self, state: dict, doc) -> None:
        if state["publisher"] is not None:
            return
        # the header may sit outside the content container
        for line in element_text(doc.body if doc.body is not None else doc).split("\n"):
            header = HEADER_RE.search(line)
            if header:
                self._header(state, header)
                return

    def categories(self, state: dict, url: str) -> list[str]:
        return [c for c in (site.section(url), state["publisher"]) if c]
