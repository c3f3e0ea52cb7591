"""Full-text and entity search over the alias: the one query shared by the CLI and the web.

The query text is tokenised by `pipeline.tokenise.index_text`, exactly as documents were,
and matched on the token fields with every term required and a phrase boost. A query that
is exactly an entity's canonical name also matches the releases naming that entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError

from core.errors import ElasticsearchUnavailable
from search.facets import TIME_ZONE, Facets, facet_aggs, parse_facets
from search.highlight import Fragment, find_spans, fragments, lead, mark_whole
from search.params import (
    IndexMissing,
    SearchInputError,
    SearchParams,
    index_missing_message,
)

SOURCE_FIELDS = ["id", "url", "canonical_url", "source", "title", "title_tokens", "body",
                 "body_tokens", "published_at", "categories", "entities", "officials",
                 "persons", "organizations", "places"]
# Boosts: a title match outranks a body match, a phrase outranks scattered terms, and an
# exact canonical name outranks both.
TITLE_BOOST = 2.0
TITLE_PHRASE_BOOST = 4.0
BODY_PHRASE_BOOST = 2.0
ENTITY_BOOST = 5.0
ENTITY_LABELS = ("PERSON", "ORG", "LOC")


@dataclass(frozen=True)
class QueryTerms:
    """The query as the index sees it."""

    text: str  # the cleaned query as typed
    tokens: str  # index_text(text): every token, for the phrase
    terms: tuple[str, ...]  # tokens that carry a word (punctuation dropped), all required

    @classmethod
    def of(cls, text: str) -> QueryTerms:
        if not text:
            return cls("", "", ())
        from pipeline.tokenise import index_text

        tokens = index_text(text)
        terms = tuple(dict.fromkeys(t for t in tokens.split() if any(c.isalnum() for c in t)))
        if not terms:
            raise SearchInputError(f"the query {text[:60]!r} has no words to search for",
                                   "คำค้นไม่มีคำที่ค้นหาได้ กรุณาพิมพ์คำหรือชื่อที่ต้องการค้น")
        return cls(text, tokens, terms)


def text_query(q: QueryTerms) -> dict:
    if not q.terms:
        return {"match_all": {}}
    all_terms = {"multi_match": {"query": " ".join(q.terms),
                                 "fields": [f"title_tokens^{TITLE_BOOST}", "body_tokens"],
                                 "type": "cross_fields", "operator": "and"}}
    entity_name = [{"term": {name: {"value": q.text, "boost": ENTITY_BOOST}}}
                   for name in ("persons", "organizations", "places")]
    entity_name.append({"nested": {"path": "officials", "score_mode": "max", "query": {
        "term": {"officials.name": {"value": q.text, "boost": ENTITY_BOOST}}}}})
    return {"bool": {
        "must": [{"bool": {"should": [all_terms, *entity_name], "minimum_should_match": 1}}],
        "should": [
            {"match_phrase": {"title_tokens": {"query": q.tokens, "boost": TITLE_PHRASE_BOOST}}},
            {"match_phrase": {"body_tokens": {"query": q.tokens, "boost": BODY_PHRASE_BOOST}}},
        ],
    }}


def filters(params: SearchParams) -> list[dict]:
    clauses: list[dict] = []
    for field_name, values in (("persons", params.persons),
                               ("organizations", params.organizations),
                               ("places", params.places), ("categories", params.categories)):
        clauses += [{"term": {field_name: value}} for value in values]
    if params.sources:
        clauses.append({"terms": {"source": list(params.sources)}})
    if params.date_from or params.date_to:
        bounds: dict[str, Any] = {"format": "yyyy-MM-dd", "time_zone": TIME_ZONE}
        if params.date_from:
            bounds["gte"] = params.date_from.isoformat()
        if params.date_to:  # the whole 'to' day counts
            bounds["lt"] = (params.date_to + timedelta(days=1)).isoformat()
        clauses.append({"range": {"published_at": bounds}})
    return clauses


def build_query(params: SearchParams, q: QueryTerms) -> dict:
    return {"bool": {"must": [text_query(q)], "filter": filters(params)}}


def sort_order(params: SearchParams) -> list:
    by_date = {"published_at": {"order": "desc", "missing": "_last"}}
    return ["_score", by_date] if params.sort == "relevance" else [by_date, "_score"]


@dataclass
class Hit:
    id: str
    url: str
    title: str
    published_at: str | None
    score: float | None
    source: str
    categories: list[str]
    title_mark: Fragment
    highlights: list[Fragment]
    snippet: Fragment
    entities: list[dict]
    officials: list[dict]

    def to_dict(self) -> dict:
        return {"id": self.id, "url": self.url, "title": self.title,
                "published_at": self.published_at, "score": self.score,
                "highlights": [f.to_html() for f in self.highlights],
                "entities": self.entities}


@dataclass
class SearchResult:
    params: SearchParams
    query: QueryTerms
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: Facets = field(default_factory=Facets)

    def to_dict(self) -> dict:
        return {"total": self.total, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets.to_dict()}

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, 10_000) // self.params.size))


def distinct_entities(source: dict) -> list[dict]:
    seen: dict[tuple[str, str], dict] = {}
    for entity in source.get("entities") or []:
        key = (entity.get("label", ""), entity.get("canonical", ""))
        if key[0] in ENTITY_LABELS and key[1] and key not in seen:
            seen[key] = {"canonical": key[1], "label": key[0]}
    return list(seen.values())


def make_hit(raw: dict, q: QueryTerms, with_highlights: bool = True) -> Hit:
    src = raw.get("_source", {})
    body, title = src.get("body") or "", src.get("title") or ""
    terms = set(q.terms) if with_highlights else set()
    body_marks = find_spans(body, src.get("body_tokens") or "", terms, q.text) if terms else []
    title_mark = mark_whole(title, src.get("title_tokens") or "", terms, q.text) if terms \
        else Fragment(title, (), False, False)
    highlights = fragments(body, body_marks)
    if not highlights and title_mark.marks:
        highlights = [title_mark]
    return Hit(
        id=raw["_id"], url=src.get("url") or src.get("canonical_url") or "", title=title,
        published_at=src.get("published_at"), score=raw.get("_score"),
        source=src.get("source", ""), categories=src.get("categories") or [],
        title_mark=title_mark, highlights=highlights,
        snippet=highlights[0] if highlights and highlights[0] is not title_mark else lead(body),
        entities=distinct_entities(src), officials=src.get("officials") or [],
    )


def run(client: Elasticsearch, index: str, **request: Any) -> dict:
    """One search call, with the node's problems turned into clear errors."""
    try:
        return client.search(index=index, **request).body
    except NotFoundError as exc:
        if exc.error == "index_not_found_exception":
            raise IndexMissing(index_missing_message(index)) from None
        raise
    except ESConnectionError:
        raise ElasticsearchUnavailable("Elasticsearch is unreachable; check BMA_NEWS_ES_URL "
                                       "or start it with `bma-news es up`") from None
    except ApiError as exc:
        if exc.meta.status == 400:
            raise SearchInputError(f"Elasticsearch could not run this search ({exc.error})") \
                from None
        raise


def search(client: Elasticsearch, index: str, params: SearchParams, *,
           with_facets: bool = True, with_highlights: bool = True) -> SearchResult:
    """`with_highlights=False` (e.g. a CSV export) fetches no bodies and marks nothing."""
    q = QueryTerms.of(params.query)
    source = SOURCE_FIELDS if with_highlights else [
        f for f in SOURCE_FIELDS if f not in ("body", "body_tokens", "title_tokens")]
    answer = run(client, index, query=build_query(params, q), sort=sort_order(params),
                 from_=params.offset, size=params.size, track_total_hits=True,
                 track_scores=True, source=source,
                 aggs=facet_aggs() if with_facets else None)
    hits = [make_hit(raw, q, with_highlights) for raw in answer["hits"]["hits"]]
    facets = parse_facets(answer.get("aggregations") or {}) if with_facets else Facets()
    return SearchResult(params, q, answer["hits"]["total"]["value"], hits, facets)
