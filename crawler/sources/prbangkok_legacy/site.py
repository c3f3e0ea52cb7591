"""prbangkok.com's addresses: article and listing URLs, ids, canonical URLs, links.

Two systems: Joomla 2017-18 (`/index.php/<cat>/<subcat>/<id>-<alias>`) and a custom system
2019-21 (`/th/<section>/view/<token>`, the token being base64 of a fixed 32-character prefix
followed by the article number written backwards).
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.parsing.encoding import decode_html

NAME = "prbangkok-legacy"
ORIGIN = "https://prbangkok.com"
ALLOWED_DOMAINS = ("prbangkok.com", "www.prbangkok.com")
ENTRY_POINTS = ("/", "/index.php/FirstPage.html", "/th/")

# 2019-21 article tokens are base64 of this many characters, then the number reversed.
TOKEN_PREFIX_CHARS = 32

JOOMLA_ARTICLE_PATH = re.compile(r"^/index\.php/(?:[^/]+/)+\d+-[^/]+?(?:\.html)?$")
CUSTOM_ARTICLE_PATH = re.compile(r"^/th/[^/]+/view/[^/?#]+/?$")
LISTING_PATH = re.compile(
    r"^/$|^/th/?$|^/th/[^/]+/?$|^/th/[^/]+/(?:page|list)/\d+/?$"
    r"|^/index\.php/FirstPage\.html$|^/index\.php/[^/]+(?:/[^/]+)?/?$"
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


def is_joomla_url(url: str) -> bool:
    return bool(JOOMLA_ARTICLE_PATH.match(urlsplit(url).path))


def is_article_url(url: str) -> bool:
    path = urlsplit(url).path
    return bool(CUSTOM_ARTICLE_PATH.match(path) or JOOMLA_ARTICLE_PATH.match(path))


def is_listing_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(LISTING_PATH.match(parts.path)) and not is_article_url(url)


def section(url: str) -> str | None:
    """The custom system's section (ทั่วไป, hotnews, ...) from an article URL."""
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
