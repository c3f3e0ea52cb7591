"""The demo: a bundled sample site behind `bma-news run --demo`, for anyone without network.

36 public-domain Thai government releases (demo/posts.json) served on loopback
in the shape of pr-bangkok.com's WordPress API and pages, with dates inside the last 30
days so that a first run (which covers the last 30 days) finds them all.
"""

from __future__ import annotations

import html
import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib import resources

from core.thai_calendar import BANGKOK
from demo.wordpress import WordPressSite, serve

ROBOTS_TXT = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"


def demo_posts(now: datetime | None = None) -> list[dict]:
    now = (now or datetime.now(BANGKOK)).astimezone(BANGKOK).replace(microsecond=0)
    data = json.loads(resources.files("demo").joinpath("posts.json").read_text("utf-8"))
    posts = []
    for i, post in enumerate(data["posts"]):
        when = (now - timedelta(days=post["days_ago"], hours=i % 7, minutes=13 * i % 60))
        content = "".join(f"<p>{html.escape(p)}</p>\n" for p in post["paragraphs"])
        posts.append({
            "id": post["wp_id"],
            "title": html.escape(post["title"]),
            "content": content,
            "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
            "categories": [post["category"]],
            "tags": ["ข่าวตัวอย่าง"],
        })
    return posts


@contextmanager
def demo_site():
    """Serve the sample site; yields its base URL."""
    site = WordPressSite(demo_posts(), robots_txt=ROBOTS_TXT)
    with serve(site) as server:
        yield server.url
