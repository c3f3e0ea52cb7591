"""The typed document that goes into Elasticsearch; it mirrors `index_mappings/` exactly.

`tests/test_document_mapping.py` fails when the two drift apart.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# Lucene rejects a single term over 32,766 bytes; a keyword longer than this is cut
# (Thai is 3 bytes a character in UTF-8, so 8,000 characters stay well below it).
MAX_KEYWORD_CHARS = 8000


class Image(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    caption: str | None = None


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    label: str
    start: int
    end: int
    canonical: str
    kind: str | None = None
    code: str | None = None


class Official(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str | None = None
    position: str | None = None
    organization: str | None = None


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

    @classmethod
    def from_enriched(cls, record: dict, indexed_at: datetime | None = None) -> PressReleaseDoc:
        """Build the document from an enriched record (docs/CONTRACTS.md).

        The keyword arrays `persons`, `organizations`, `places` are the distinct canonical
        names, for filters and facets without nested queries.
        """
        fields = {name: record[name] for name in cls.model_fields if name in record}
        entities = [Entity(**_entity_fields(e)) for e in record.get("entities") or []]
        fields["entities"] = entities
        by_label: dict[str, list[str]] = {"PERSON": [], "ORG": [], "LOC": []}
        for entity in entities:
            names = by_label.get(entity.label)
            if names is not None and entity.canonical and entity.canonical not in names:
                names.append(entity.canonical[:MAX_KEYWORD_CHARS])
        fields["persons"] = by_label["PERSON"]
        fields["organizations"] = by_label["ORG"]
        fields["places"] = by_label["LOC"]
        fields.setdefault("canonical_url", record.get("url", ""))
        if indexed_at is not None:
            fields["indexed_at"] = indexed_at
        return cls(**fields)

    def to_source(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)


def _entity_fields(entity: dict) -> dict:
    return {k: entity.get(k) for k in Entity.model_fields if entity.get(k) is not None}
