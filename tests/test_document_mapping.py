"""The typed document model and the JSON mapping must describe the same fields."""

import types
import typing
from datetime import datetime

import pytest
from pydantic import BaseModel, ValidationError

from core.records import PressReleaseDoc
from index_mappings import load_definition, mapping_properties

KEYWORDISH = {"keyword", "text"}


def _inner(annotation):
    """Unwrap Optional[...] and list[...] to the element type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _inner(args[0])
    if origin is list:
        return _inner(typing.get_args(annotation)[0])
    return annotation


def _compare(model: type[BaseModel], properties: dict, path: str = "") -> list[str]:
    problems = []
    model_fields = set(model.model_fields)
    mapped = set(properties)
    for missing in sorted(model_fields - mapped):
        problems.append(f"{path}{missing}: in the model, not in the mapping")
    for missing in sorted(mapped - model_fields):
        problems.append(f"{path}{missing}: in the mapping, not in the model")
    for name in sorted(model_fields & mapped):
        spec = properties[name]
        kind = spec.get("type", "object")
        py = _inner(model.model_fields[name].annotation)
        if kind in ("nested", "object"):
            if not (isinstance(py, type) and issubclass(py, BaseModel)):
                problems.append(f"{path}{name}: mapping {kind}, model {py}")
            else:
                problems += _compare(py, spec["properties"], f"{path}{name}.")
        elif kind in KEYWORDISH and py is not str:
            problems.append(f"{path}{name}: mapping {kind}, model {py}")
        elif kind == "date" and py is not datetime:
            problems.append(f"{path}{name}: mapping date, model {py}")
        elif kind == "integer" and py is not int:
            problems.append(f"{path}{name}: mapping integer, model {py}")
    return problems


def test_model_and_mapping_agree():
    assert _compare(PressReleaseDoc, mapping_properties()) == []


def test_drift_is_detected():
    properties = dict(mapping_properties())
    properties["surprise"] = {"type": "keyword"}
    del properties["title"]
    problems = _compare(PressReleaseDoc, properties)
    assert "surprise: in the mapping, not in the model" in problems
    assert "title: in the model, not in the mapping" in problems


def test_mapping_is_strict_and_thai_fields_use_whitespace():
    mappings = load_definition()["mappings"]
    assert mappings["dynamic"] == "strict"
    for field in ("title_tokens", "body_tokens"):
        assert mappings["properties"][field]["analyzer"] == "whitespace"


def test_document_from_enriched_record_derives_entity_names():
    record = {
        "id": "a1", "url": "https://pr-bangkok.com/?p=1", "canonical_url": "https://pr-bangkok.com/?p=1",
        "source": "pr-bangkok", "title": "t", "body": "นายชาตรี วัฒนเขจร กทม.",
        "content_hash": "h", "enrichment_version": "v1", "published_at": "2024-05-23T16:30:00+07:00",
        "entities": [
            {"text": "นายชาตรี วัฒนเขจร", "label": "PERSON", "start": 0, "end": 17,
             "canonical": "ชาตรี วัฒนเขจร"},
            {"text": "กทม.", "label": "ORG", "start": 18, "end": 22, "canonical": "กรุงเทพมหานคร"},
            {"text": "กทม.", "label": "ORG", "start": 18, "end": 22, "canonical": "กรุงเทพมหานคร"},
        ],
        "unknown_passthrough_field": 1,
    }
    doc = PressReleaseDoc.from_enriched(record)
    assert doc.persons == ["ชาตรี วัฒนเขจร"]
    assert doc.organizations == ["กรุงเทพมหานคร"]
    assert doc.places == []
    assert doc.to_source()["published_at"] == "2024-05-23T16:30:00+07:00"


def test_document_rejects_unknown_fields():
    with pytest.raises(ValidationError, match="surprise"):
        PressReleaseDoc(id="x", url="u", canonical_url="u", source="s", content_hash="h",
                        enrichment_version="v", surprise=1)
