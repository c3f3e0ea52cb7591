"""pr-bangkok.com's addresses and the facts every path shares: one URL per post, the
time stamps, and one notion of "password-protected" for the REST API, feeds and pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from core.thai_calendar import parse_iso_datetime, to_bangkok_iso

NAME = "pr-bangkok"
ORIGIN = "https://pr-bangkok.com"
ALLOWED_DOMAINS = ("pr-bangkok.com", "www.pr-bangkok.com")
ENTRY_POINTS = ("/?rest_route=/wp/v2/posts",)

# WordPress renders `get_the_password_form()` in place of a protected post's content, on
# the page and in the feed's content:encoded alike, whatever the theme and the language;
# themes also mark the post (classic ones in the body and article classes). The title's
# "Protected: " / "ป้องกัน: " prefix is translated and themable, so it is not relied on.
PASSWORD_MARKS = (
    '//form[contains(concat(" ", normalize-space(@class), " "), " post-password-form ")]',
    '//form[contains(@action, "action=postpass")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " post-password-required ")]',
)


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


def rest_post_is_protected(post: dict) -> bool:
    """A REST post whose content needs a password (`content.protected`)."""
    content = post.get("content")
    return isinstance(content, dict) and bool(content.get("protected"))


def html_is_protected(root) -> bool:
    """A page, or a feed item's content, that shows WordPress's password form."""
    if root is None:
        return False
    return any(root.xpath(mark) for mark in PASSWORD_MARKS)
