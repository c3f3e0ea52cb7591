"""Entity questions: who is mentioned most, and one entity's mentions through time.

Counts are numbers of releases (documents): `persons`, `organizations` and `places` hold each
release's distinct canonical names, so a terms aggregation over them counts releases.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from elasticsearch import Elasticsearch

from core.limits import MAX_TOP_ENTITIES
from search.curations import Curations, current, fold, groups_agg, terms_size
from search.facets import MonthCount, buckets, month_histogram, months_from
from search.params import SearchInputError, SearchParams, names
from search.query import Hit, QueryTerms, build_query, make_hit, run

FIELD_BY_LABEL = {"PERSON": "persons", "ORG": "organizations", "LOC": "places"}
LABEL_NAMES = {"PERSON": "บุคคล / People", "ORG": "หน่วยงาน / Organizations",
               "LOC": "สถานที่ / Places"}
MAX_TOP = MAX_TOP_ENTITIES
CO_MENTIONS = 10
POSITIONS = 20
RECENT = 10


def parse_label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    value = label.strip().upper()
    aliases = {"PER": "PERSON", "PEOPLE": "PERSON", "ORGANIZATION": "ORG", "PLACE": "LOC"}
    value = aliases.get(value, value)
    if value not in FIELD_BY_LABEL:
        raise SearchInputError(f"entity type must be PERSON, ORG or LOC, not {label[:20]!r}")
    return value


@dataclass
class EntityCount:
    canonical: str
    label: str
    count: int


def top_entities(client: Elasticsearch, index: str, *, label: str | None = None,
                 query: str = "", top: int = 20) -> list[EntityCount]:
    """The most mentioned entities (of one type, or all) in the releases matching `query`."""
    if not 1 <= top <= MAX_TOP:
        raise SearchInputError(f"top must be between 1 and {MAX_TOP}, not {top}")
    label = parse_label(label)
    params = SearchParams.build(query)
    labels = [label] if label else list(FIELD_BY_LABEL)
    curations = current()
    aggs = {lab: {"terms": {"field": FIELD_BY_LABEL[lab],
                            "size": terms_size(top, lab, curations)}} for lab in labels}
    answer = run(client, index, query=build_query(params, QueryTerms.of(params.query)),
                 size=0, aggs={**aggs, **groups_agg(labels, curations)})
    counts = _folded(answer["aggregations"], labels, top, curations)
    counts.sort(key=lambda e: (-e.count, e.canonical))
    return counts[:top]


def _folded(result: dict, labels: list[str], size: int, curations: Curations,
            exclude: tuple[str, str] | None = None) -> list[EntityCount]:
    """Each label's buckets with curated spellings folded into their canonical names."""
    out = []
    for lab in labels:
        folded = fold(lab, buckets(result[lab]), result, size + 1, curations)
        out += [EntityCount(name, lab, count) for name, count in folded
                if (lab, name) != exclude][:size]
    return out


@dataclass
class PositionSpan:
    """A position an official was named with, and when."""

    position: str
    organizations: list[str]
    count: int
    first: str | None
    last: str | None


@dataclass
class EntityView:
    canonical: str
    label: str
    total: int
    months: list[MonthCount] = field(default_factory=list)
    co_mentions: dict[str, list[EntityCount]] = field(default_factory=dict)
    positions: list[PositionSpan] = field(default_factory=list)
    recent: list[Hit] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)  # curated, besides `canonical`

    def to_dict(self) -> dict:
        return {"canonical": self.canonical, "label": self.label, "total": self.total,
                "spellings": self.spellings,
                "months": [asdict(m) for m in self.months],
                "co_mentions": {k: [asdict(e) for e in v] for k, v in self.co_mentions.items()},
                "positions": [asdict(p) for p in self.positions],
                "recent": [h.to_dict() for h in self.recent]}


def entity_query(label: str, canonical: str) -> dict:
    """The releases naming the entity in any of its curated spellings."""
    spellings = current().spellings(label, canonical)
    clauses: list[dict] = [{"terms": {FIELD_BY_LABEL[label]: spellings}}]
    if label == "PERSON":  # an official may be named without a PERSON entity
        clauses.append({"terms": {"official_names": spellings}})
        # releases indexed before official_names existed
        clauses.append({"nested": {"path": "officials",
                                   "query": {"terms": {"officials.name": spellings}}}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def releases_naming(client: Elasticsearch, index: str, label: str, name: str) -> int:
    """How many releases name the entity, in any of its curated spellings."""
    answer = run(client, index, query=entity_query(label, name), size=0,
                 track_total_hits=True)
    return answer["hits"]["total"]["value"]


def entity_exists(client: Elasticsearch, index: str, label: str, name: str) -> bool:
    return releases_naming(client, index, label, name) > 0


def entity_view(client: Elasticsearch, index: str, label: str, canonical: str) -> EntityView:
    """Mentions per month, co-mentioned entities, positions through time, latest releases."""
    label = parse_label(label) or ""
    if not label:
        raise SearchInputError("an entity page needs a type: PERSON, ORG or LOC")
    found = names(canonical, "entity")
    if not found:
        raise SearchInputError("an entity page needs a name")
    curations = current()
    spellings = curations.spellings(label, found[0])
    name = spellings[0]
    aggs: dict = {"months": month_histogram(), **groups_agg(FIELD_BY_LABEL, curations)}
    for lab, field_name in FIELD_BY_LABEL.items():
        aggs[lab] = {"terms": {"field": field_name,
                               "size": terms_size(CO_MENTIONS, lab, curations),
                               "exclude": spellings if lab == label else []}}
    aggs["officials"] = {"nested": {"path": "officials"}, "aggs": {"named": {
        "filter": {"terms": {"officials.name": spellings}},
        "aggs": {"positions": {
            "terms": {"field": "officials.position", "size": POSITIONS},
            "aggs": {"organizations": {"terms": {"field": "officials.organization", "size": 3}},
                     "docs": {"reverse_nested": {}, "aggs": {
                         "first": {"min": {"field": "published_at"}},
                         "last": {"max": {"field": "published_at"}}}}},
        }},
    }}}
    answer = run(client, index, query=entity_query(label, name), size=RECENT,
                 sort=[{"published_at": {"order": "desc", "missing": "_last"}}],
                 track_total_hits=True, aggs=aggs,
                 source=["id", "url", "canonical_url", "source", "title", "body",
                         "published_at", "categories", "entities", "officials"])
    result = answer["aggregations"]
    co_mentions = {lab: _folded(result, [lab], CO_MENTIONS, curations, (label, name))
                   for lab in FIELD_BY_LABEL}
    positions = []
    for bucket in result["officials"]["named"]["positions"]["buckets"]:
        docs = bucket["docs"]
        positions.append(PositionSpan(
            bucket["key"], [o["key"] for o in bucket["organizations"]["buckets"]],
            docs["doc_count"], docs["first"].get("value_as_string"),
            docs["last"].get("value_as_string")))
    positions.sort(key=lambda p: p.first or "")
    empty = QueryTerms("", "", ())
    return EntityView(name, label, answer["hits"]["total"]["value"],
                      months_from(result["months"]), co_mentions, positions,
                      [make_hit(raw, empty) for raw in answer["hits"]["hits"]],
                      spellings[1:])
