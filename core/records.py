"""The records that cross the pipeline's boundaries, as types: the contracts themselves.

    crawler ──RawRecord──► landing zone ──► pipeline ──EnrichedRecord──► loader ──PressReleaseDoc──► Elasticsearch
                                                 └──Rejected (with its reason)──► dead letters

`docs/CONTRACTS.md` is generated from this module and `core.landing` (`python -m
core.contracts > docs/CONTRACTS.md`), and `tests/test_contracts.py` fails when they differ; `PressReleaseDoc` mirrors
`index_mappings/bma-news-v1.json`, and `tests/test_document_mapping.py` fails when they drift.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from core.limits import MAX_KEYWORD_CHARS
from core.thai_calendar import UTC_OFFSET

ENTITY_LABELS = ("PERSON", "ORG", "LOC", "DATE")
# The labels whose canonical names become the keyword arrays used by filters and facets.
NAME_FIELDS = {"PERSON": "persons", "ORG": "organizations", "LOC": "places"}
# Between a name and a position in `official_positions` (no name or position holds it).
POSITION_SEPARATOR = "|"


def article_id(canonical_url: str) -> str:
    """sha1 hex of the canonical URL: the same article keeps its id across runs and mirrors."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


def content_hash(title: str, body: str) -> str:
    """sha256 of title and body: view counters and fetch times are never part of it."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


class Image(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    caption: str | None = None


class Entity(BaseModel):
    """A mention of a person, organization, place or date, with offsets into `body`."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="body[start:end]")
    label: str = Field(description="one of ENTITY_LABELS")
    start: int
    end: int
    canonical: str = Field(description="the name it refers to: a person without title, an "
                                       "agency's full name, a place without prefix, an ISO date")
    kind: str | None = Field(default=None, description="LOC: province, district, subdistrict, "
                                                       "country or facility")
    code: str | None = Field(default=None,
                             description="LOC: the DOPA code of a Thai administrative area")

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: Any) -> dict:
        data = handler(self)
        for key in ("kind", "code"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class Official(BaseModel):
    """A person named with a position: the position as written, and its organization."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: str | None = None
    position: str | None = None
    organization: str | None = None


class RawRecord(BaseModel):
    """One article as the crawler lands it in `raw/<source>/<crawl-date>/<run-id>.jsonl`."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="article_id(canonical_url)")
    url: str
    canonical_url: str
    source: str = Field(description="a name registered in crawler.sources")
    source_id: str | None = None
    title: str = ""
    published_at: str | None = Field(default=None, description=f"ISO 8601 with {UTC_OFFSET}")
    modified_at: str | None = None
    published_raw: str | None = Field(default=None, description="the date as the page wrote it")
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    body: str = Field(default="", description="plain text, one paragraph a line")
    body_html: str = ""
    images: list[Image] = Field(default_factory=list)
    language: str = "th"
    content_hash: str = Field(description="content_hash(title, body)")
    fetched_at: str


class EnrichedRecord(BaseModel):
    """A record with entities, officials and index tokens, in `enriched/…` mirroring `raw/`.

    The input's other fields (a RawRecord's, or whatever `bma-news enrich` was given) ride
    along unchanged.
    """

    model_config = ConfigDict(extra="allow")
    id: str
    body: str
    title: str | None = None
    entities: list[Entity] = Field(default_factory=list,
                                   description="offsets into body: body[start:end] == text")
    officials: list[Official] = Field(default_factory=list)
    title_tokens: str = Field(default="", description="pipeline.analysis.index_text(title), "
                                                      "the analysis queries get too")
    body_tokens: str = ""
    enrichment_version: str = Field(default="",
                                    description="changes whenever models or rules change")


@dataclass(frozen=True)
class Rejected:
    """Something that could not be processed, and why: it goes to the dead letters."""

    record: object  # the record (or the line) as it was
    reason: str
    stage: str  # read, enrich, load
    line: int | None = None


class PressReleaseDoc(BaseModel):
    """One press release as indexed. Field names and kinds follow bma-news-v1.json."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    canonical_url: str
    source: str
    source_id: str | None = None
    title: str = ""
    title_tokens: str = ""
    body: str = ""
    body_tokens: str = ""
    body_html: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    published_raw: str | None = None
    fetched_at: datetime | None = None
    indexed_at: datetime | None = None
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    language: str | None = None
    content_hash: str
    enrichment_version: str
    images: list[Image] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    officials: list[Official] = Field(default_factory=list)
    persons: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    # flat copies of `officials` for facets without a nested aggregation (4x cheaper):
    # distinct names, and distinct "name|position" pairs
    official_names: list[str] = Field(default_factory=list)
    official_positions: list[str] = Field(default_factory=list)

    @classmethod
    def from_enriched(cls, record: EnrichedRecord | dict,
                      indexed_at: datetime | None = None) -> PressReleaseDoc:
        """Build the document from an enriched record.

        The keyword arrays `persons`, `organizations`, `places` are the distinct canonical
        names, for filters and facets without nested queries.
        """
        if isinstance(record, EnrichedRecord):
            record = record.model_dump()
        fields = {name: record[name] for name in cls.model_fields if name in record}
        entities = [e if isinstance(e, Entity) else Entity(**_entity_fields(e))
                    for e in record.get("entities") or []]
        fields["entities"] = entities
        by_label: dict[str, list[str]] = {label: [] for label in NAME_FIELDS}
        for entity in entities:
            names = by_label.get(entity.label)
            if names is not None and entity.canonical:
                name = entity.canonical[:MAX_KEYWORD_CHARS]
                if name not in names:
                    names.append(name)
        for label, field_name in NAME_FIELDS.items():
            fields[field_name] = by_label[label]
        official_names: dict[str, None] = {}
        pairs: dict[str, None] = {}
        for official in record.get("officials") or []:
            item = official if isinstance(official, dict) else official.model_dump()
            name = (item.get("name") or "")[:MAX_KEYWORD_CHARS]
            if name:
                official_names[name] = None
                if item.get("position"):
                    pairs[f"{name}{POSITION_SEPARATOR}{item['position']}"[:MAX_KEYWORD_CHARS]] = None
        fields["official_names"] = list(official_names)
        fields["official_positions"] = list(pairs)
        fields.setdefault("canonical_url", record.get("url", ""))
        if indexed_at is not None:
            fields["indexed_at"] = indexed_at
        return cls(**fields)

    def to_source(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)

    def to_source_json(self) -> bytes:
        """`to_source()` as the UTF-8 JSON a bulk request sends, serialised by pydantic's
        Rust core (several times faster than `json.dumps` of the dict)."""
        return self.model_dump_json(exclude_none=True).encode()


def _entity_fields(entity: dict) -> dict:
    return {k: entity.get(k) for k in Entity.model_fields if entity.get(k) is not None}
