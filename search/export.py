"""Every hit of a search, streamed: a point in time, `search_after` pages, bounded memory.

The export reads the same releases the search shows (the all-concepts query when it fills a
page, the graded query otherwise: `search.query.search`), in the same order, but page after
page of EXPORT_PAGE_SIZE on one point in time, so a load or a rebuild meanwhile changes
nothing in it and no hit is read twice or missed. Only one page is ever held: the writers
below turn each page into lines as it arrives.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

from core.limits import EXPORT_KEEP_ALIVE, EXPORT_PAGE_SIZE
from core.thai_calendar import now_bangkok
from search.facets import Facets
from search.params import SearchInputError, SearchParams
from search.query import (
    SOURCE_FIELDS,
    Hit,
    QueryTerms,
    all_concepts_query,
    build_query,
    call,
    facets_for,
    make_hit,
    run,
)

FORMATS = ("csv", "jsonl", "json")
# `_shard_doc` (the point in time's own order) breaks every tie, so search_after never skips
# or repeats a hit with the same score or date as the last one of a page.
TIEBREAK = {"_shard_doc": "asc"}


def export_sort(params: SearchParams) -> list:
    if params.sort == "relevance":
        return [{"_score": "desc"}, TIEBREAK]
    return [{"published_at": {"order": "desc", "missing": "_last"}}, {"_score": "desc"},
            TIEBREAK]


def export_query(client: Elasticsearch, index: str, params: SearchParams,
                 q: QueryTerms) -> dict:
    """The query the search page runs: all concepts when they fill a page, else graded;
    its recency measured from one fixed moment."""
    now = now_bangkok().isoformat(timespec="milliseconds")
    strict = all_concepts_query(params, q)
    if strict is not None:
        strict = pinned(strict, now)
        found = run(client, index, query=strict, size=0, track_total_hits=params.size)
        if found["hits"]["total"]["value"] >= params.size:
            return strict
    return pinned(build_query(params, q), now)


def pinned(query, now: str):
    """The query with its recency's origin "now" fixed to `now`: a score that moved between
    two pages (recency decays by the millisecond) would put the last hit of a page again
    after itself, or skip one."""
    if isinstance(query, list):
        return [pinned(q, now) for q in query]
    if not isinstance(query, dict):
        return query
    out = {k: pinned(v, now) for k, v in query.items()}
    feature = out.get("distance_feature")
    if isinstance(feature, dict) and feature.get("origin") == "now":
        out["distance_feature"] = {**feature, "origin": now}
    return out


@dataclass
class Export:
    """An open export: `total` is known once opened; `pages()` yields the hits a page at a
    time and closes the point in time when done (or `close()` does, if never read)."""

    client: Elasticsearch
    index: str
    params: SearchParams
    with_highlights: bool = False
    page_size: int = EXPORT_PAGE_SIZE
    total: int = 0
    query: dict = field(default_factory=dict)
    _terms: QueryTerms | None = None
    _pit: str | None = None
    _first: list[dict] = field(default_factory=list)

    def open(self) -> Export:
        self._terms = QueryTerms.of(self.params.query)
        self.query = export_query(self.client, self.index, self.params, self._terms)
        answer = call(self.index, lambda: self.client.open_point_in_time(
            index=self.index, keep_alive=EXPORT_KEEP_ALIVE).body)
        self._pit = answer["id"]
        try:
            first = self._page(None, track_total_hits=True)
        except BaseException:
            self.close()
            raise
        self.total = first["hits"]["total"]["value"]
        self._first = first["hits"]["hits"]
        return self

    def _page(self, after: list | None, track_total_hits: bool = False) -> dict:
        source = SOURCE_FIELDS if self.with_highlights else [
            f for f in SOURCE_FIELDS if f != "body"]
        request = {"pit": {"id": self._pit, "keep_alive": EXPORT_KEEP_ALIVE},
                   "query": self.query, "sort": export_sort(self.params),
                   "size": self.page_size, "source": source,
                   "track_total_hits": track_total_hits,
                   "track_scores": self.params.sort != "relevance"}
        if after is not None:
            request["search_after"] = after
        answer = call(self.index, lambda: self.client.search(**request).body)
        self._pit = answer.get("pit_id", self._pit)  # it may change between pages
        return answer

    def facets(self) -> Facets:
        return facets_for(self.client, self.index, self.query, exact=True)

    def pages(self) -> Iterator[list[Hit]]:
        try:
            raw, self._first = self._first, []
            while raw:
                yield [make_hit(r, self._terms, self.with_highlights) for r in raw]
                if len(raw) < self.page_size:
                    break
                raw = self._page(raw[-1]["sort"])["hits"]["hits"]
        finally:
            self.close()

    def close(self) -> None:
        if self._pit is not None:
            pit, self._pit = self._pit, None
            # if this fails, it expires by itself after EXPORT_KEEP_ALIVE
            with suppress(Exception):
                self.client.close_point_in_time(id=pit)


def open_export(client: Elasticsearch, index: str, params: SearchParams, *,
                with_highlights: bool = False, page_size: int = EXPORT_PAGE_SIZE) -> Export:
    return Export(client, index, params, with_highlights, page_size).open()


# --- writers: each page becomes text as it arrives --------------------------------------

CSV_COLUMNS = ["id", "url", "title", "published_at", "score", "persons", "organizations",
               "places", "categories", "source"]
CSV_BOM = "\ufeff"  # spreadsheet programs need the BOM to read Thai as UTF-8


def spreadsheet_cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(rows: Iterator[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_cell(str(v)) for v in row])
    return out.getvalue()


def csv_row(hit: Hit) -> list:
    names = {label: "; ".join(e["canonical"] for e in hit.entities if e["label"] == label)
             for label in ("PERSON", "ORG", "LOC")}
    return [hit.id, hit.url, hit.title, hit.published_at or "",
            "" if hit.score is None else f"{hit.score:.4f}", names["PERSON"],
            names["ORG"], names["LOC"], "; ".join(hit.categories), hit.source]


def csv_chunks(pages: Iterator[list[Hit]]) -> Iterator[str]:
    yield CSV_BOM + csv_lines(iter([CSV_COLUMNS]))
    for hits in pages:
        yield csv_lines(csv_row(h) for h in hits)


def jsonl_chunks(pages: Iterator[list[Hit]]) -> Iterator[str]:
    for hits in pages:
        yield "".join(json.dumps(h.to_dict(), ensure_ascii=False) + "\n" for h in hits)


def json_chunks(export: Export, pages: Iterator[list[Hit]]) -> Iterator[str]:
    """`{"total", "hits", "facets"}` as the search's --json prints it, hits streamed."""
    facets = export.facets().to_dict()
    yield f'{{"total": {export.total}, "hits": ['
    first = True
    for hits in pages:
        for hit in hits:
            yield ("\n" if first else ",\n") + json.dumps(hit.to_dict(), ensure_ascii=False)
            first = False
    yield '\n], "facets": ' + json.dumps(facets, ensure_ascii=False) + "}\n"


def export_chunks(export: Export, fmt: str,
                  progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The export as text chunks in `fmt`; `progress(done)` after each page."""
    if fmt not in FORMATS:
        raise SearchInputError(f"the export format must be one of {', '.join(FORMATS)}, "
                               f"not {fmt[:20]!r}")
    pages = export.pages()
    if progress is not None:
        pages = _counted(pages, progress)
    if fmt == "csv":
        return csv_chunks(pages)
    if fmt == "jsonl":
        return jsonl_chunks(pages)
    return json_chunks(export, pages)


def _counted(pages: Iterator[list[Hit]], progress: Callable[[int], None]) -> Iterator[list[Hit]]:
    done = 0
    for hits in pages:
        yield hits
        done += len(hits)
        progress(done)


def format_of(path: str, fmt: str | None) -> str:
    """The format asked for, or the one the file's name says (.csv, .jsonl, .json)."""
    if fmt:
        chosen = fmt.strip().lower().lstrip(".")
    else:
        chosen = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        chosen = {"ndjson": "jsonl"}.get(chosen, chosen)
    if chosen not in FORMATS:
        raise SearchInputError(f"cannot tell the export format from {path[:80]!r}: name the "
                               "file .csv, .jsonl or .json, or give --format csv|jsonl|json")
    return chosen
