"""pr-bangkok.com: the BMA Public Relations Office's WordPress site (plain permalinks).

Primary path: the REST API (`?rest_route=/wp/v2/posts`, `/wp-json/wp/v2/posts` on sites
with pretty permalinks). Fallbacks when it is off: RSS (`?feed=rss2`), the core sitemap
(`?sitemap=index`), HTML listings (`?paged=N`) and article pages (`?p=ID`).

Every parser here is a pure function over bytes or decoded JSON; the spider only navigates.
Article pages are read by the version for the theme that rendered them, chosen by what the
page says: `parser_v1_classic` (the pr-bangkok theme, classic markup) or `parser_v2_block`
(the default block theme); a new layout gets a new version next to these.
"""

from __future__ import annotations

from core.thai_calendar import best_text_date
from crawler.parsing.article import Article, SkipPage
from crawler.parsing.document import parse_document
from crawler.parsing.text import (
    detect_language,
    element_text,
    extract_images,
    parse_fragment,
    plain_title,
    serialize,
)
from crawler.sources.pr_bangkok.page import TEXT_DATE_SCAN_CHARS, ThemeParser
from crawler.sources.pr_bangkok.parser_v1_classic import ClassicThemeParser
from crawler.sources.pr_bangkok.parser_v2_block import MARKS as BLOCK_MARKS
from crawler.sources.pr_bangkok.parser_v2_block import BlockThemeParser
from crawler.sources.pr_bangkok.site import (  # noqa: F401 - the source's facts, re-exported
    ALLOWED_DOMAINS,
    ENTRY_POINTS,
    NAME,
    ORIGIN,
    canonical_post_url,
    iso_bangkok,
    post_id_from_url,
    rest_post_is_protected,
)


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
    if rest_post_is_protected(post):
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


VERSIONS: tuple[ThemeParser, ...] = (ClassicThemeParser(), BlockThemeParser())


def parser_for(doc) -> ThemeParser:
    """The block theme's version where the page is made of blocks, else the classic one."""
    if any(doc.xpath(mark) for mark in BLOCK_MARKS):
        return VERSIONS[1]
    return VERSIONS[0]


def parse(body: bytes, url: str, content_type: str | None = None) -> Article:
    """An article page (`?p=ID` or a pretty permalink) as an Article."""
    doc = parse_document(body, content_type)
    return parser_for(doc).parse(doc, url)
