"""A list of names (people, agencies, places) → per name: releases, first and last
mention, the entities named with it most.

Each name is read as a query is (`search.understand`): an agency's abbreviation (สนน.) or a
district (เขตบางเขน) resolves to its canonical entity names, and a title (นาย, ผู้ว่าฯ)
is dropped from a person's name. A release counts when its entities carry one of those
canonical names (`entity`) or its text says the name, words side by side (`text`);
`matched_by` says which did. The names go to Elasticsearch in a few multi-search requests
of NAMES_PER_REQUEST, not one round trip each.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from elasticsearch import Elasticsearch

from core.limits import MAX_NAME_CHARS, MAX_NAME_LIST
from core.thai_calendar import BANGKOK
from search.entities import FIELD_BY_LABEL, EntityCount
from search.params import IndexMissing, SearchInputError, index_missing_message
from search.query import QueryTerms, call, concept_matches

# A multi-search of this many names (each a size-0 search with a few aggregations) answers
# in well under a second; 500 names are 10 requests.
NAMES_PER_REQUEST = 50
# Entities named with a name, across people, agencies and places.
CO_MENTIONS = 5
LABEL_BY_FIELD = {f: label for label, f in FIELD_BY_LABEL.items()}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def parse_name_list(text: str) -> list[str]:
    """One name a line; blank lines and repeats are ignored. More than MAX_NAME_LIST names
    or none at all is an error (never a silent cut)."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        name = " ".join(_CONTROL.sub(" ", line).split())
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise SearchInputError(
                f"line {number}: a name is at most {MAX_NAME_CHARS} characters, this one "
                f"{len(name):,}", f"บรรทัด {number}: ชื่อยาวเกิน {MAX_NAME_CHARS} ตัวอักษร")
        found.setdefault(name.casefold(), name)
    if not found:
        raise SearchInputError("the name list is empty: give one name a line",
                               "ไม่มีรายชื่อ กรุณาใส่หนึ่งชื่อต่อหนึ่งบรรทัด")
    if len(found) > MAX_NAME_LIST:
        raise SearchInputError(
            f"the list has {len(found):,} names; the limit is {MAX_NAME_LIST} a time "
            "(split it into several lists)",
            f"รายชื่อมี {len(found):,} ชื่อ เกินกำหนด {MAX_NAME_LIST} ชื่อต่อครั้ง "
            "กรุณาแบ่งเป็นหลายชุด")
    return list(found.values())


@dataclass
class ResolvedName:
    """A name as the index sees it: canonical names it may carry, and its text form."""

    name: str
    entities: list[tuple[str, str]]  # (field, canonical name), most specific first
    text: dict | None  # every concept said in the text, or None (no searchable words)

    @classmethod
    def of(cls, name: str) -> ResolvedName:
        try:
            terms = QueryTerms.of(name)
        except SearchInputError:  # punctuation only: it can still be a canonical name
            return cls(name, [(f, name) for f in FIELD_BY_LABEL.values()], None)
        entities: list[tuple[str, str]] = []
        if len(terms.concepts) == 1:  # the whole name is one known agency or place
            entities += list(terms.concepts[0].entities.items())
        for candidate in terms.names():
            entities += [(f, candidate) for f in FIELD_BY_LABEL.values()]
            entities.append(("official_names", candidate))
        text = {"bool": {"filter": [concept_matches(c, phrase=True, entities=False)
                                    for c in terms.concepts]}}
        return cls(name, list(dict.fromkeys(entities)), text)

    def entity_query(self) -> dict:
        return {"bool": {"should": [{"term": {f: v}} for f, v in self.entities],
                         "minimum_should_match": 1}}

    def request(self) -> dict:
        """One size-0 search: counts by entity and by text, first and last dates, the
        co-mentioned entities (the name's own canonical names excluded)."""
        entity = self.entity_query()
        matches = [entity] + ([self.text] if self.text else [])
        own = sorted({v for _, v in self.entities})
        aggs: dict = {
            "by_entity": {"filter": entity},
            "canonical": {"filters": {"filters": {
                str(i): {"term": {f: v}} for i, (f, v) in enumerate(self.entities)}}},
            "first": {"min": {"field": "published_at"}},
            "last": {"max": {"field": "published_at"}},
        }
        if self.text:
            aggs["by_text"] = {"filter": self.text}
        for field_name in FIELD_BY_LABEL.values():
            aggs[field_name] = {"terms": {"field": field_name, "size": CO_MENTIONS,
                                          "exclude": own}}
        return {"size": 0, "track_total_hits": True, "aggs": aggs,
                "query": {"bool": {"should": matches, "minimum_should_match": 1}}}


@dataclass
class NameStats:
    name: str  # as given
    canonical: str  # the canonical name the releases carry most, else the name
    label: str | None  # PERSON, ORG or LOC when it matched as an entity
    releases: int
    matched_by: str  # entity, text, entity+text, or none
    entity_releases: int
    text_releases: int
    first_mention: str | None  # YYYY-MM-DD, Bangkok time
    last_mention: str | None
    co_mentions: list[EntityCount] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**asdict(self), "co_mentions": [asdict(e) for e in self.co_mentions]}


def _day(agg: dict) -> str | None:
    value = agg.get("value")
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, BANGKOK).date().isoformat()


def _matched_by(by_entity: int, by_text: int) -> str:
    return "+".join(w for w, n in (("entity", by_entity), ("text", by_text)) if n) or "none"


def stats_from(resolved: ResolvedName, answer: dict) -> NameStats:
    aggs = answer["aggregations"]
    by_entity = aggs["by_entity"]["doc_count"]
    by_text = aggs["by_text"]["doc_count"] if "by_text" in aggs else 0
    canonical, label = resolved.name, None
    buckets = aggs["canonical"]["buckets"]
    best = max(buckets, key=lambda k: (buckets[k]["doc_count"], -int(k)), default=None)
    if best is not None and buckets[best]["doc_count"]:
        field_name, canonical = resolved.entities[int(best)]
        label = LABEL_BY_FIELD.get(field_name, "PERSON")  # official_names: a person
    co = [EntityCount(b["key"], LABEL_BY_FIELD[f], b["doc_count"])
          for f in FIELD_BY_LABEL.values() for b in aggs[f]["buckets"]]
    co.sort(key=lambda e: (-e.count, e.canonical))
    return NameStats(resolved.name, canonical, label, answer["hits"]["total"]["value"],
                     _matched_by(by_entity, by_text), by_entity, by_text,
                     _day(aggs["first"]), _day(aggs["last"]), co[:CO_MENTIONS])


def name_stats(client: Elasticsearch, index: str, names: list[str]) -> list[NameStats]:
    """Per name, in the order given: a multi-search per NAMES_PER_REQUEST names."""
    if len(names) > MAX_NAME_LIST:
        raise SearchInputError(f"at most {MAX_NAME_LIST} names at a time, not {len(names):,}")
    out: list[NameStats] = []
    for start in range(0, len(names), NAMES_PER_REQUEST):
        batch = [ResolvedName.of(n) for n in names[start:start + NAMES_PER_REQUEST]]
        searches: list[dict] = []
        for resolved in batch:
            searches += [{}, resolved.request()]
        answer = call(index, lambda s=searches: client.msearch(index=index,
                                                              searches=s).body)
        for resolved, response in zip(batch, answer["responses"], strict=True):
            if "error" in response:
                _raise(index, response)
            out.append(stats_from(resolved, response))
    return out


def _raise(index: str, response: dict) -> None:
    error = response["error"]
    if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
        raise IndexMissing(index_missing_message(index))
    raise SearchInputError(f"Elasticsearch could not count a name ({str(error)[:200]})")


CSV_COLUMNS = ["name", "canonical", "label", "releases", "matched_by", "entity_releases",
               "text_releases", "first_mention", "last_mention", "co_mentions"]


def csv_row(stats: NameStats) -> list:
    return [stats.name, stats.canonical, stats.label or "", stats.releases, stats.matched_by,
            stats.entity_releases, stats.text_releases, stats.first_mention or "",
            stats.last_mention or "",
            "; ".join(f"{e.canonical} ({e.count})" for e in stats.co_mentions)]
