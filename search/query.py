"""Full-text and entity search over the alias: the one query shared by the CLI and the web.

The query is read into concepts (`search.understand`: variants, agencies, places, words),
each concept's forms analysed exactly as documents were (`pipeline.analysis`) and matched
as phrases on the token fields. Releases matching every concept come first: when they fill
a page they are the whole result; otherwise those matching fewer follow them (a graded
fallback, never an empty page while part of the query matches). Releases whose entities
carry the query's canonical names are ranked up.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError

from core.errors import ElasticsearchUnavailable
from core.limits import MAX_RESULT_WINDOW
from search.curations import Curations, current, name_clause
from search.facets import TIME_ZONE, Facets, facet_aggs, parse_facets
from search.highlight import Fragment, find_spans, fragments, lead, mark_whole
from search.params import (
    IndexMissing,
    SearchInputError,
    SearchParams,
    index_missing_message,
)
from search.understand import Concept, Form, understand

# Not `entities` (hundreds per long release): the distinct names come from the keyword arrays.
SOURCE_FIELDS = ["id", "url", "canonical_url", "source", "title", "body", "published_at",
                 "categories", "persons", "organizations", "places", "officials"]
# Ranking, all scores additive (chosen on the dev queries of evals/search; README there):
# - matching every concept (in any of its forms) adds ALL_BONUS: all-terms first, then the
#   releases matching fewer concepts (the graded fallback: a query never comes back empty
#   while part of it matches);
# - within that, BM25 of the best form of each concept, a title match counting TITLE_BOOST
#   times a body match; a related form (near-synonym) counts for its weight;
# - a release whose entities carry the query's canonical name gets ENTITY_BOOST, and one
#   carrying a concept's canonical entity (an agency, a place) CONCEPT_ENTITY_BOOST;
# - of a concept with several forms (ฟุตบาท / ทางเท้า, ธ.ก.ส. / its full name), the form as
#   typed counts TYPED_FORM_BOOST more: every form finds, the one the user wrote ranks first
#   (dev 0.888 -> 0.892, holdout 0.888 -> 0.892; 0.5 the same, 1.0 lower);
# - a concept's other forms add CONCEPT_TIE_BREAKER of their score to its best form's: a
#   release that says it several ways (สปสช. and its full name, ผู้ว่าฯ and ผู้ว่าราชการ) is
#   more about it (dev 0.892 -> 0.895, holdout 0.867 -> 0.870; 0.1 and 0.6 lower);
# - recency breaks ties (RECENCY_BOOST in build_query).
# Tried and left out, as they changed nDCG@10 by less than 0.005 or lowered it: a bonus per
# matched concept, the whole query as a phrase, a title bonus, a lead-paragraph bonus
# (span_first), BM25 k1/b other than 1.2/0.75, a score per mention of the query's canonical
# name among the entities (nested, summed: 0.3 or 1.0 a mention, dev 0.888 -> 0.887 / 0.886),
# the whole query as a bag of words beside the concepts (BM25's view; 0.2-1.0: dev up to
# +0.005, holdout -0.003 to -0.007).
ALL_BONUS = 12.0
TYPED_FORM_BOOST = 0.2
TITLE_BOOST = 2.0
FORM_SLOP = 1
ENTITY_BOOST = 5.0
CONCEPT_ENTITY_BOOST = 2.0
CONCEPT_TIE_BREAKER = 0.3
# Facets of more than MAX_RESULT_WINDOW matches come from a random sample of this share.
FACET_SAMPLE_PROBABILITY = 0.1
FACET_SAMPLE_SEED = 7
ENTITY_LABELS = ("PERSON", "ORG", "LOC")
# A name typed without its surname still finds the person: a prefix of this many
# characters or more is looked up in the canonical names.
MIN_NAME_PREFIX_CHARS = 4


@dataclass(frozen=True)
class QueryTerms:
    """The query as the index sees it: its concepts and their analysed forms."""

    text: str  # the cleaned query as typed
    tokens: str  # analyse(text): every token, for the whole-query phrase
    terms: tuple[str, ...]  # every analysed token of every form (informational)
    concepts: tuple[Concept, ...] = ()

    @classmethod
    def of(cls, text: str) -> QueryTerms:
        if not text:
            return cls("", "", ())
        from pipeline.analysis import analyse

        tokens = analyse(text)
        concepts = tuple(understand(text))
        if not concepts or not any(c.isalnum() for c in tokens):
            raise SearchInputError(f"the query {text[:60]!r} has no words to search for",
                                   "คำค้นไม่มีคำที่ค้นหาได้ กรุณาพิมพ์คำหรือชื่อที่ต้องการค้น")
        terms = tuple(dict.fromkeys(t for c in concepts for f in c.forms
                                    for t in f.analysed.split()))
        return cls(text, tokens, terms, concepts)

    @property
    def needles(self) -> list[str]:
        """What highlighting looks for in the original text: every form of every concept."""
        return list(dict.fromkeys(n for c in self.concepts for n in c.needles))

    def names(self) -> list[str]:
        """Candidate canonical names: the query as typed, and without titles/positions."""
        from pipeline.lexicon import lexicon

        out = [self.text.strip()]
        stripped = self.text.strip()
        for title in lexicon().titles:
            if stripped.startswith(title) and len(stripped) > len(title):
                stripped = stripped[len(title):].strip()
                break
        words = " ".join(c.text for c in self.concepts if c.kind == "words")
        return list(dict.fromkeys(n for n in (*out, stripped, words) if n))


# Words the lexicons do not know (สะพานถล่ม) match as all their terms, anywhere; a form the
# lexicons know (ผู้ว่าราชการ กรุงเทพมหานคร) matches as a phrase.
WORDS_AS_BAG = 1
# ... but scattered words count for this much of a match side by side.
BAG_WEIGHT = 0.5


def _span(field_name: str, analysed: str, slop: int = 0) -> dict:
    terms = [{"span_term": {field_name: token}} for token in analysed.split()]
    if len(terms) == 1:
        return terms[0]
    return {"span_near": {"clauses": terms, "slop": slop, "in_order": True}}


def _phrase_not_inside(field_name: str, form: Form, boost: float, slop: int) -> dict:
    """The form as a phrase, except where it is the tail of a longer position (ผู้ว่าราชการ
    กรุงเทพมหานคร inside รอง ผู้ว่าราชการ กรุงเทพมหานคร): span_not drops the matches that
    overlap one of them."""
    return {"span_not": {
        "include": _span(field_name, form.analysed, slop),
        "exclude": {"span_or": {"clauses": [_span(field_name, longer)
                                            for longer in form.not_inside]}},
        "boost": boost}}


def _phrase(field_name: str, form: Form, boost: float, slop: int) -> dict:
    if form.not_inside:
        return _phrase_not_inside(field_name, form, boost, slop)
    return {"match_phrase": {field_name: {"query": form.analysed, "slop": slop,
                                          "boost": boost}}}


def _form_clauses(form: Form, bag: bool = False) -> list[dict]:
    out: list[dict] = []
    for field_name, boost in (("title_tokens", TITLE_BOOST), ("body_tokens", 1.0)):
        if bag and " " in form.analysed:
            out.append({"match": {field_name: {"query": form.analysed, "operator": "and",
                                               "boost": boost * form.weight * BAG_WEIGHT}}})
        else:
            out.append(_phrase(field_name, form, boost * form.weight, FORM_SLOP + form.gaps))
    return out


def _bag(concept: Concept) -> bool:
    return bool(WORDS_AS_BAG) and concept.kind == "words"


def _fragmented(form: Form) -> bool:
    """A word the dictionaries do not know, cut into pieces (นวมินทร -> นว มิ นท ร): how its
    last piece is cut depends on what follows it in a text (นวมินทรมหาราช -> ... นท รม)."""
    from pipeline.analysis import has_unknown_pieces

    return has_unknown_pieces(form.analysed)


# The pieces before the last one, as a phrase, when they hold this many letters: the last
# piece's expansions (at most max_expansions terms, per segment) may miss the one a
# release has, so a search that passes or fails with Lucene's segment merges.
MIN_LEADING_PIECES_CHARS = 4


def _leading_pieces(analysed: str) -> str:
    pieces = analysed.split()[:-1]
    return " ".join(pieces) if len(pieces) >= 2 and \
        sum(map(len, pieces)) >= MIN_LEADING_PIECES_CHARS else ""


def _prefix_clauses(concept: Concept) -> list[dict]:
    """For such a word, its pieces with the last one as a prefix (match_phrase_prefix),
    and the pieces before the last one as a phrase."""
    if concept.kind != "words":
        return []
    out: list[dict] = []
    for form in concept.forms:
        if not _fragmented(form):
            continue
        leading = _leading_pieces(form.analysed)
        for field_name, boost in (("title_tokens", TITLE_BOOST), ("body_tokens", 1.0)):
            out.append({"match_phrase_prefix": {field_name: {
                "query": form.analysed, "max_expansions": 20, "boost": boost * BAG_WEIGHT}}})
            if leading:
                out.append({"match_phrase": {field_name: {
                    "query": leading, "boost": boost * BAG_WEIGHT * BAG_WEIGHT}}})
    return out


def _entity_terms(entities: dict[str, str], boost: float) -> list[dict]:
    return [{"constant_score": {"filter": name_clause(f, name), "boost": boost}}
            for f, name in entities.items()]


def concept_matches(concept: Concept, *, phrase: bool = False,
                    entities: bool = True) -> dict:
    """Does the release say this concept at all (any exact form, title or body, or an
    entity with its canonical name)? `phrase`: its words side by side, never scattered
    (a name); `entities=False`: in the text only."""
    clauses = [c for form in concept.forms if form.weight >= 1.0
               for c in _form_clauses(form, _bag(concept) and not phrase)]
    clauses += _prefix_clauses(concept)
    if entities:
        clauses += [name_clause(f, name) for f, name in concept.entities.items()]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def concept_score(concept: Concept) -> list[dict]:
    out: list[dict] = [{"dis_max": {
        "queries": [c for form in concept.forms for c in _form_clauses(form, _bag(concept))]
        + _prefix_clauses(concept) + _entity_terms(concept.entities, CONCEPT_ENTITY_BOOST),
        "tie_breaker": CONCEPT_TIE_BREAKER}}]
    if _bag(concept) and any(" " in f.analysed for f in concept.forms):
        # the words side by side (a name cut into syllables: จิ รา พร) rank above scattered
        out.append({"dis_max": {"queries": [c for form in concept.forms
                                            for c in _form_clauses(form)]}})
    return out


def _typed_form(concept: Concept) -> list[dict]:
    """The concept's form as typed, when it has others (variants, an agency's names)."""
    if not TYPED_FORM_BOOST or len(concept.forms) < 2 or concept.kind not in ("variant",
                                                                               "agency"):
        return []
    typed = concept.forms[0]
    return [_phrase(field_name, typed, boost * TYPED_FORM_BOOST, FORM_SLOP)
            for field_name, boost in (("title_tokens", TITLE_BOOST), ("body_tokens", 1.0))]


def _scoring(q: QueryTerms) -> list[dict]:
    """What ranks a release among those that match: each concept's best form, and the
    query's canonical names carried as entities."""
    should: list[dict] = [clause for c in q.concepts for clause in concept_score(c)]
    should += [clause for c in q.concepts for clause in _typed_form(c)]
    for name in q.names():
        should += _entity_terms({"persons": name, "organizations": name, "places": name},
                                ENTITY_BOOST)
        should += _entity_terms({"official_names": name}, ENTITY_BOOST)
    words = " ".join(c.text for c in q.concepts if c.kind == "words")
    if len(words) >= MIN_NAME_PREFIX_CHARS:
        should.append({"constant_score": {"filter": {"prefix": {"persons": words}},
                                          "boost": CONCEPT_ENTITY_BOOST}})
    return should


def text_query(q: QueryTerms) -> dict:
    """The graded query: releases matching every concept first (ALL_BONUS), then those
    matching fewer or carrying the query's name."""
    if not q.concepts:
        return {"match_all": {}}
    should = _scoring(q)
    matches = [concept_matches(c) for c in q.concepts]
    if len(matches) > 1:
        should.append({"constant_score": {"filter": {"bool": {"filter": matches}},
                                          "boost": ALL_BONUS}})
    # a release comes back when it matches a concept (in any form) or carries the name
    return {"bool": {"should": should, "minimum_should_match": 1}}


def filters(params: SearchParams) -> list[dict]:
    clauses: list[dict] = []
    for field_name, values in (("persons", params.persons),
                               ("organizations", params.organizations),
                               ("places", params.places), ("categories", params.categories)):
        clauses += [name_clause(field_name, value) for value in values]
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


# Recency breaks ties: at most RECENCY_BOOST is added, half of it for a release RECENCY_PIVOT
# old. Far below any match score, it orders equal matches newest first. (A sort on the date
# after the score did the same, but stopped Lucene skipping releases that cannot reach the
# first page: a third slower on common words.)
RECENCY_BOOST = 0.01
RECENCY_PIVOT = "365d"


def _recency() -> dict:
    return {"distance_feature": {"field": "published_at", "origin": "now",
                                 "pivot": RECENCY_PIVOT, "boost": RECENCY_BOOST}}


def build_query(params: SearchParams, q: QueryTerms) -> dict:
    """The graded query (every release matching any concept, all-concept matches first)."""
    return {"bool": {"must": [text_query(q)], "should": [_recency()], "filter": filters(params)}}


def all_concepts_query(params: SearchParams, q: QueryTerms) -> dict | None:
    """Only the releases matching every concept, ranked as the graded query ranks them
    (the same scoring clauses, without the constant ALL_BONUS they would all get).

    A conjunction: Lucene walks the rarest concept's postings, not every release that
    shares one common word with the query. None for a query without concepts.
    """
    if not q.concepts:
        return None
    return {"bool": {"filter": [concept_matches(c) for c in q.concepts] + filters(params),
                     "should": [*_scoring(q), _recency()]}}


def sort_order(params: SearchParams) -> list | None:
    """Relevance: the score alone (recency is in it); date: newest first, then score."""
    if params.sort == "relevance":
        return None
    return [{"published_at": {"order": "desc", "missing": "_last"}}, "_score"]


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
    total_exact: bool = True  # False: `total` is a lower bound (MAX_RESULT_WINDOW)

    def to_dict(self) -> dict:
        # the fields as they always were; past 10,000 matches `total` is 10000 (a lower
        # bound, the web page and terminal say "10,000+")
        return {"total": self.total, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets.to_dict()}

    @property
    def total_text(self) -> str:
        return f"{self.total:,}" + ("" if self.total_exact else "+")

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, 10_000) // self.params.size))


def distinct_entities(source: dict, curations: Curations | None = None) -> list[dict]:
    """The release's distinct canonical names with their labels (people, organizations,
    places), from the keyword arrays; from `entities` when a caller fetched those. A
    curated spelling shows as the name it is merged into."""
    curations = curations or current()
    if "entities" in source:
        found = [(e.get("label", ""), e.get("canonical", "")) for e in source["entities"] or []]
    else:
        found = [(label, name) for label, field_name in (("PERSON", "persons"),
                                                         ("ORG", "organizations"),
                                                         ("LOC", "places"))
                 for name in source.get(field_name) or []]
    seen: dict[tuple[str, str], dict] = {}
    for label, name in found:
        key = (label, curations.canonical(label, name))
        if label in ENTITY_LABELS and name and key not in seen:
            seen[key] = {"canonical": key[1], "label": label}
    return list(seen.values())


def make_hit(raw: dict, q: QueryTerms, with_highlights: bool = True) -> Hit:
    src = raw.get("_source", {})
    body, title = src.get("body") or "", src.get("title") or ""
    needles = q.needles if with_highlights else []
    body_marks = find_spans(body, needles) if needles else []
    title_mark = mark_whole(title, needles) if needles else Fragment(title, (), False, False)
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
    return call(index, lambda: client.search(index=index, **request).body)


def call(index: str, request: Callable[[], dict]) -> dict:
    """Any request on `index` (a search, a point in time), the node's problems turned
    into clear errors."""
    try:
        return request()
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
    """`with_highlights=False` (e.g. a CSV export) fetches no bodies and marks nothing.

    All-terms first: the releases matching every concept are asked for alone; when they
    fill a page, they are the result on every page (its total, its facets, its date
    order). Only when they do not is the graded query run, which adds the releases
    matching fewer concepts below them: never an empty page while part of the query
    matches.
    """
    q = QueryTerms.of(params.query)
    source = SOURCE_FIELDS if with_highlights else [f for f in SOURCE_FIELDS if f != "body"]
    # Counting stops at MAX_RESULT_WINDOW (Elasticsearch's own default): past it the total
    # is "10,000+" and Lucene may skip releases that cannot reach the first page.
    request = {"sort": sort_order(params), "from_": params.offset, "size": params.size,
               "track_total_hits": MAX_RESULT_WINDOW,
               "track_scores": params.sort != "relevance", "source": source}
    strict = all_concepts_query(params, q)
    query = strict if strict is not None else build_query(params, q)
    answer, counting = _page(client, index, query, request, with_facets)
    if strict is not None and answer["hits"]["total"]["value"] < params.size:
        query = build_query(params, q)
        answer, counting = _page(client, index, query, request, with_facets)
    hits = [make_hit(raw, q, with_highlights) for raw in answer["hits"]["hits"]]
    total = answer["hits"]["total"]
    exact = total.get("relation", "eq") == "eq"
    facets = Facets()
    if counting is not None:
        counted = counting.result()
        facets = counted if counted is not None else facets_for(client, index, query, False)
    return SearchResult(params, q, total["value"], hits, facets, exact)


def _page(client: Elasticsearch, index: str, query: dict, request: dict,
          with_facets: bool) -> tuple[dict, Future[Facets | None] | None]:
    """The page's answer, its facets counted meanwhile on another connection."""
    counting = _FACETS.submit(counted_facets, client, index, query) if with_facets else None
    return run(client, index, query=query, **request), counting


# Facet requests run beside the page's request, on their own connections.
_FACETS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bma-news-facets")
# Up to this many matching releases, facets are counted exactly (the totals' limit too).
EXACT_FACETS_LIMIT = MAX_RESULT_WINDOW


def counted_facets(client: Elasticsearch, index: str, query: dict) -> Facets | None:
    """The exact facets of up to EXACT_FACETS_LIMIT matching releases; None past that
    (Lucene stops collecting at the limit), when they are estimated instead."""
    # (terminate_after is ignored when hits are not counted: track_total_hits stays on)
    answer = run(client, index, query={"constant_score": {"filter": query}}, size=0,
                 track_total_hits=True, aggs=facet_aggs(),
                 terminate_after=EXACT_FACETS_LIMIT + 1)
    if answer.get("terminated_early"):
        return None
    return parse_facets(answer.get("aggregations") or {})


def facets_for(client: Elasticsearch, index: str, query: dict, exact: bool) -> Facets:
    """Facets of the matching releases, counted without scores. Past MAX_RESULT_WINDOW
    matches they are estimated from a random sample of FACET_SAMPLE_PROBABILITY of them
    (Elasticsearch's random_sampler scales the counts): a query matching most of a large
    archive gets its facets in milliseconds, and says they are estimates."""
    aggs = facet_aggs()
    if not exact:
        aggs = {"sample": {"random_sampler": {"probability": FACET_SAMPLE_PROBABILITY,
                                              "seed": FACET_SAMPLE_SEED}, "aggs": aggs}}
    answer = run(client, index, query={"constant_score": {"filter": query}}, size=0,
                 track_total_hits=False, aggs=aggs)
    found = answer.get("aggregations") or {}
    if not exact:
        return replace(parse_facets(found.get("sample") or {}), approximate=True)
    return parse_facets(found)
