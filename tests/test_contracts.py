"""docs/CONTRACTS.md is what `core.contracts` writes from the code: they cannot drift."""

from pathlib import Path

from core.contracts import render

DOC = Path(__file__).resolve().parent.parent / "docs" / "CONTRACTS.md"


def test_contracts_doc_is_generated_from_the_code():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/CONTRACTS.md is stale: run `python -m core.contracts > docs/CONTRACTS.md`")


def test_every_record_field_is_in_the_doc():
    from core.records import EnrichedRecord, RawRecord

    text = DOC.read_text(encoding="utf-8")
    for model in (RawRecord, EnrichedRecord):
        for name in model.model_fields:
            assert f"| `{name}` |" in text
