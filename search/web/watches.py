"""The watches on the web: a page listing every watch with its latest matches, and an Atom
feed per watch (`/watch/<id>.atom`, RFC 4287) for any feed reader.

Feed and entry ids are `urn:uuid:` URNs (RFC 4122, name-based) derived from the watch id
and the release id, so they never change for a watch or a release; dates are RFC 3339 in
Bangkok time (+07:00); summaries are plain text (`type="text"`), never article HTML.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from xml.etree import ElementTree

from elasticsearch import Elasticsearch
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from core.limits import MAX_FEED_ENTRIES, MAX_WATCH_PAGE_MATCHES
from search.watches import WATCH_ID_CHARS, Watch, WatchMatch, get_watch, list_watches, matches_of
from search.web import links

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The namespace of every id this project mints for its feeds (uuid5 of the project's URL).
FEED_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/bma-news/bma-news")
FEED_AUTHOR = "กรุงเทพมหานคร / Bangkok Metropolitan Administration (via bma-news)"
_WATCH_ID = re.compile(rf"[0-9a-f]{{{WATCH_ID_CHARS}}}")
# XML 1.0 has no way to write these; a stored title carrying one would break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def release_entry_id(doc_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(FEED_ID_NAMESPACE, 'release/' + doc_id)}"


def watch_feed_id(watch_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(FEED_ID_NAMESPACE, 'watch/' + watch_id)}"


def feed_path(watch: Watch) -> str:
    return f"/watch/{watch.id}.atom"


def watch_search_url(watch: Watch) -> str:
    return links.search_url(watch.params())


def _text(parent: ElementTree.Element, tag: str, text: str, **attrs: str) -> None:
    element = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = _NOT_XML.sub(" ", text)


def _link(parent: ElementTree.Element, rel: str, href: str, media_type: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM_NS}}}link",
                           {"rel": rel, "type": media_type, "href": href})


def atom_feed(watch: Watch, matches: list[WatchMatch], base_url: str) -> bytes:
    """The watch's Atom feed: its matches, most recently updated first."""
    base = base_url.rstrip("/")
    ElementTree.register_namespace("", ATOM_NS)
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed", {
        "{http://www.w3.org/XML/1998/namespace}lang": "th"})
    _text(feed, "id", watch_feed_id(watch.id))
    _text(feed, "title", f"{watch.name} – ข่าวประชาสัมพันธ์ กทม. / BMA press releases",
          type="text")
    _text(feed, "subtitle", describe(watch), type="text")
    # changed only by a new or edited entry, not by a night that found nothing
    _text(feed, "updated", max([m.updated for m in matches], default=watch.created_at))
    _link(feed, "self", base + feed_path(watch), "application/atom+xml")
    _link(feed, "alternate", base + watch_search_url(watch), "text/html")
    author = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", FEED_AUTHOR)
    _text(feed, "generator", "bma-news")
    for match in matches:
        entry = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", release_entry_id(match.doc_id))
        _text(entry, "title", match.title or match.doc_id, type="text")
        _text(entry, "updated", match.updated)
        if match.published_at:
            _text(entry, "published", match.published_at)
        href = links.safe_href(match.url)
        _link(entry, "alternate", href if href != "#" else base + watch_search_url(watch),
              "text/html")
        _text(entry, "summary", match.summary, type="text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def describe(watch: Watch) -> str:
    """The watch's search in words: its query and filters, Thai labels first."""
    parts = [f"คำค้น / Query: {watch.query}"] if watch.query else []
    for label, values in ((links.FILTER_LABELS["person"], watch.persons),
                          (links.FILTER_LABELS["org"], watch.organizations),
                          (links.FILTER_LABELS["place"], watch.places)):
        parts += [f"{label}: {v}" for v in values]
    return " · ".join(parts)


def _watch_or_404(client: Elasticsearch, index: str, watch_id: str) -> Watch:
    watch = get_watch(client, index, watch_id) if _WATCH_ID.fullmatch(watch_id) else None
    if watch is None or watch.id != watch_id:
        raise HTTPException(404, "no such watch")
    return watch


def add_watch_routes(app: FastAPI, backend: Callable[[], tuple[Elasticsearch, str]],
                     page: Callable[..., HTMLResponse]) -> None:
    """The watch list page and the feeds, on the app `search.web.app.create_app` makes."""

    @app.get("/watches", response_class=HTMLResponse)
    def watches_page(request: Request) -> HTMLResponse:
        client, index = backend()
        rows = [(w, matches_of(client, index, w, MAX_WATCH_PAGE_MATCHES))
                for w in list_watches(client, index)]
        return page(request, "watches.html", {
            "rows": rows, "describe": describe, "feed_path": feed_path,
            "watch_search_url": watch_search_url})

    @app.get("/watch/{watch_id}.atom")
    def watch_feed(request: Request, watch_id: str) -> Response:
        client, index = backend()
        watch = _watch_or_404(client, index, watch_id)
        body = atom_feed(watch, matches_of(client, index, watch, MAX_FEED_ENTRIES),
                         str(request.base_url))
        return Response(body, media_type=ATOM_TYPE)
