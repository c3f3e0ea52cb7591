"""HTML to clean plain text: one paragraph a line, no scripts, styles or theme chrome."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

# Elements whose content is never article text.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "form", "nav", "button", "svg", "template",
    "object", "embed", "select", "input", "textarea", "head", "title", "meta", "link",
    "figcaption",  # captions go to `images`, not into the body
    # Media players: their children are the browser's fallback (WordPress's [video] and
    # [audio] put a link to the file there), never text of the release.
    "video", "audio", "source", "track", "picture", "canvas", "map",
})
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "figure",
    "section", "article", "pre", "table", "ul", "ol", "dd", "dt", "dl", "hr", "header",
    "footer", "main", "aside", "address", "center", "td", "th", "caption",
})
# Class names of WordPress/Joomla elements that are chrome or captions, not text.
DROP_CLASSES = re.compile(
    r"\b(wp-caption-text|sharedaddy|share-buttons|jp-relatedposts|screen-reader-text|"
    r"post-navigation|nav-links|addtoany_share_save_container|wp-block-buttons|"
    r"share|social|print-button)\b"
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def clean_line(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def plain_title(fragment: str) -> str:
    """A title as plain text: tags removed, entities decoded, whitespace collapsed."""
    if not fragment:
        return ""
    if "<" in fragment:
        try:
            fragment = lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()
        except (etree.ParserError, ValueError):
            fragment = re.sub(r"<[^>]*>", " ", fragment)
    return clean_line(html.unescape(fragment).replace("\n", " "))


def parse_fragment(fragment: str) -> etree._Element | None:
    if not fragment or not fragment.strip():
        return None
    try:
        return lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def element_text(root: etree._Element | None) -> str:
    """The text under `root`, one paragraph a line, chrome and captions left out."""
    if root is None:
        return ""
    pieces: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped: set[etree._Element] = set()  # holds the proxies, so identity is stable
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag is None or tag.lower() in DROP_TAGS or DROP_CLASSES.search(
                element.get("class") or ""
            ):
                skipped.add(element)
                walker.skip_subtree()
                continue
            if tag.lower() in BLOCK_TAGS:
                pieces.append("\n")
            if element.text:
                pieces.append(element.text)
        else:
            if element not in skipped and tag is not None and tag.lower() in BLOCK_TAGS:
                pieces.append("\n")
            if element is not root and element.tail:
                pieces.append(element.tail)
    lines = (clean_line(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(fragment: str) -> str:
    return element_text(parse_fragment(fragment))


def extract_images(root: etree._Element | None, base_url: str) -> list[dict[str, str | None]]:
    """Images under `root` with their captions (figcaption, wp-caption-text, else alt)."""
    if root is None:
        return []
    images: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for img in root.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        url = urljoin(base_url, src)
        if url in seen:
            continue
        seen.add(url)
        caption = None
        container = img.getparent()
        while container is not None and container is not root:
            if container.tag == "figure" or "wp-caption" in (container.get("class") or ""):
                found = container.xpath(
                    ".//figcaption | .//*[contains(concat(' ', @class, ' '), ' wp-caption-text ')]"
                )
                if found:
                    caption = clean_line(found[0].text_content()) or None
                break
            container = container.getparent()
        if caption is None:
            caption = clean_line(img.get("alt") or "") or None
        images.append({"url": url, "caption": caption})
    return images


def serialize(root: etree._Element | None) -> str:
    """The inner HTML of `root`, scripts and styles removed."""
    if root is None:
        return ""
    for bad in root.xpath(".//script | .//style | .//noscript"):
        bad.drop_tree()
    inner = (root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )
    return inner.strip()


def detect_language(text: str) -> str:
    """"th" when Thai letters are a real share of the letters, else "en"."""
    thai = sum(1 for ch in text if "\u0e00" <= ch <= "\u0e7f")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "th" if thai and thai >= latin * 0.2 else ("en" if latin else "th")


def own_text(element: etree._Element) -> str:
    """Text in `element`'s direct paragraphs and text nodes, links left out."""
    pieces = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in ("p", "font", "span", "b", "strong"):
            pieces.append(" ".join(child.xpath(".//text()[not(ancestor::a)]")))
        pieces.append(child.tail or "")
    return clean_line(" ".join(pieces))


def densest_block(doc: etree._Element) -> tuple[etree._Element | None, int]:
    """The block with the most text of its own (not its descendants' blocks), and its size.

    For pages whose markup no parser knows: the wrapper of the whole page never wins,
    because only direct paragraphs and text count.
    """
    best, best_score = None, 0
    for element in doc.xpath("//body//*[self::div or self::td or self::section or self::main"
                             " or self::article]"):
        score = len(own_text(element))
        if score > best_score:
            best, best_score = element, score
    return best, best_score
