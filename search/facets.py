"""Facet aggregations for any query, and turning their answer into plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.records import NAME_FIELDS, POSITION_SEPARATOR
from core.thai_calendar import UTC_OFFSET, gregorian_month, thai_month
from search.curations import LABELS, Curations, current, fold, groups_agg, terms_size

FACET_SIZE = 10
# Officials looked at for positions: more than FACET_SIZE, since some may be missing from
# `persons` and we merge the two lists.
OFFICIAL_NAMES = 50
POSITIONS_PER_PERSON = 3
# Results and charts are in Bangkok time, like the stored dates.
TIME_ZONE = UTC_OFFSET


def facet_aggs(size: int = FACET_SIZE) -> dict:
    """Curated spellings are folded into their canonical names by parse_facets: the name
    facets then ask for a few more buckets, and a groups aggregation counts each curated
    group exactly."""
    curations = current()
    names = {field_name: {"terms": {"field": field_name,
                                    "size": terms_size(size, label, curations)}}
             for label, field_name in NAME_FIELDS.items()}
    return {
        **names,
        **groups_agg(LABELS, curations),
        "categories": {"terms": {"field": "categories", "size": size}},
        "sources": {"terms": {"field": "source", "size": size}},
        # flat copies of the nested officials (a nested aggregation cost 4x as much)
        "official_names": {"terms": {"field": "official_names", "size": OFFICIAL_NAMES}},
        "official_positions": {"terms": {"field": "official_positions",
                                         "size": OFFICIAL_NAMES * POSITIONS_PER_PERSON}},
        "months": month_histogram(),
    }


def month_histogram() -> dict:
    return {"date_histogram": {"field": "published_at", "calendar_interval": "month",
                               "time_zone": TIME_ZONE, "format": "yyyy-MM",
                               "min_doc_count": 0}}


@dataclass
class FacetValue:
    value: str
    count: int
    positions: list[str] = field(default_factory=list)


@dataclass
class MonthCount:
    month: str  # YYYY-MM
    count: int
    thai: str
    english: str


@dataclass
class Facets:
    persons: list[FacetValue] = field(default_factory=list)
    organizations: list[FacetValue] = field(default_factory=list)
    places: list[FacetValue] = field(default_factory=list)
    categories: list[FacetValue] = field(default_factory=list)
    sources: list[FacetValue] = field(default_factory=list)
    months: list[MonthCount] = field(default_factory=list)
    approximate: bool = False  # estimated from a sample (more than 10,000 matches)

    def to_dict(self) -> dict:
        return asdict(self)


def _values(agg: dict | None) -> list[FacetValue]:
    return [FacetValue(b["key"], b["doc_count"]) for b in (agg or {}).get("buckets", [])]


def buckets(agg: dict | None) -> list[tuple[str, int]]:
    return [(b["key"], b["doc_count"]) for b in (agg or {}).get("buckets", [])]


def _names(aggs: dict, label: str, size: int, curations: Curations) -> list[FacetValue]:
    return [FacetValue(name, count) for name, count in
            fold(label, buckets(aggs.get(NAME_FIELDS[label])), aggs, size, curations)]


def months_from(agg: dict | None) -> list[MonthCount]:
    result = []
    for bucket in (agg or {}).get("buckets", []):
        key = bucket["key_as_string"]
        year, month = int(key[:4]), int(key[5:7])
        result.append(MonthCount(key, bucket["doc_count"], thai_month(year, month),
                                 gregorian_month(year, month)))
    return result


def parse_facets(aggs: dict, size: int = FACET_SIZE) -> Facets:
    """People come from `persons` (document counts) with the positions officials were named
    with; officials not among the canonical persons are added with their own counts."""
    curations = current()
    positions: dict[str, list[str]] = {}
    for bucket in (aggs.get("official_positions") or {}).get("buckets", []):
        name, _, position = bucket["key"].partition(POSITION_SEPARATOR)
        found = positions.setdefault(curations.canonical("PERSON", name), [])
        if len(found) < POSITIONS_PER_PERSON and position not in found:
            found.append(position)  # buckets come most frequent first
    officials: dict[str, tuple[int, list[str]]] = {}
    for name, count in buckets(aggs.get("official_names")):
        top = curations.canonical("PERSON", name)
        officials[top] = (officials.get(top, (0, []))[0] + count, positions.get(top, []))
    people = _names(aggs, "PERSON", size, curations)
    for person in people:
        if person.value in officials:
            person.positions = officials[person.value][1]
    known = {p.value for p in people}
    people += [FacetValue(name, count, positions)
               for name, (count, positions) in officials.items() if name not in known]
    people.sort(key=lambda p: -p.count)  # stable: keeps Elasticsearch's order for ties
    return Facets(
        persons=people[:size],
        organizations=_names(aggs, "ORG", size, curations),
        places=_names(aggs, "LOC", size, curations),
        categories=_values(aggs.get("categories")),
        sources=_values(aggs.get("sources")),
        months=months_from(aggs.get("months")),
    )
