"""Query-string links that keep a search's filters: add a facet, drop a filter, turn a page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from search.params import DEFAULT_PAGE_SIZE, SearchParams

# URL parameter ↔ SearchParams field, for the repeatable filters.
FILTER_PARAMS = {"person": "persons", "org": "organizations", "place": "places",
                 "category": "categories", "source": "sources"}
FILTER_LABELS = {"person": "บุคคล / Person", "org": "หน่วยงาน / Organization",
                 "place": "สถานที่ / Place", "category": "หมวดหมู่ / Category",
                 "source": "แหล่งข่าว / Source"}
ENTITY_PARAM = {"PERSON": "person", "ORG": "org", "LOC": "place"}


def pairs(params: SearchParams, *, page: int | None = None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if params.query:
        out.append(("q", params.query))
    for name, attr in FILTER_PARAMS.items():
        out += [(name, value) for value in getattr(params, attr)]
    if params.date_from:
        out.append(("from", params.date_from.isoformat()))
    if params.date_to:
        out.append(("to", params.date_to.isoformat()))
    if params.sort != "relevance":
        out.append(("sort", params.sort))
    if params.size != DEFAULT_PAGE_SIZE:
        out.append(("size", str(params.size)))
    if page and page > 1:
        out.append(("page", str(page)))
    return out


def search_url(params: SearchParams, *, page: int | None = None, path: str = "/") -> str:
    query = urlencode(pairs(params, page=page))
    return f"{path}?{query}" if query else path


def with_filter(params: SearchParams, name: str, value: str) -> str:
    current = pairs(params)
    if (name, value) not in current:
        current.append((name, value))
    return "/?" + urlencode(current)


def without(params: SearchParams, name: str, value: str) -> str:
    kept = [(k, v) for k, v in pairs(params) if (k, v) != (name, value)]
    return "/?" + urlencode(kept) if kept else "/"


def entity_url(label: str, name: str) -> str:
    return "/entity?" + urlencode({"type": label, "name": name})


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    value: str
    label: str
    remove_url: str


def active_filters(params: SearchParams) -> list[ActiveFilter]:
    out = []
    for name, attr in FILTER_PARAMS.items():
        out += [ActiveFilter(name, v, FILTER_LABELS[name], without(params, name, v))
                for v in getattr(params, attr)]
    for name, value, label in (("from", params.date_from, "ตั้งแต่ / From"),
                               ("to", params.date_to, "ถึง / To")):
        if value:
            out.append(ActiveFilter(name, value.isoformat(), label,
                                    without(params, name, value.isoformat())))
    return out


def safe_href(url: str | None) -> str:
    """A release's link only if it is http(s): a stored `javascript:` URL never becomes one."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return "#"
    return url if url and scheme in ("http", "https") else "#"
