"""An HTML page as an lxml document, and the XPath for "has this CSS class" that every
theme's parser asks."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from crawler.parsing.article import SkipPage
from crawler.parsing.encoding import decode_html


def has_class(name: str, scope: str = "//") -> str:
    """XPath for the elements (below `scope`) whose class list holds `name`."""
    return f'{scope}*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]'


def parse_document(body: bytes, content_type: str | None):
    """The page decoded (header, meta tag, then detection) and parsed; an empty or
    unparsable page is skipped."""
    text, _ = decode_html(body, content_type)
    if not text.strip():
        raise SkipPage("empty", "empty response")
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SkipPage("broken", str(exc)) from exc
