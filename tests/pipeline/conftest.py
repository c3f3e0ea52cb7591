"""Fixtures for the Thai NLP tests: the spaCy pipeline and the model load once a session."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pipeline"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.language import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def enrich_one(nlp):
    from pipeline.enrich import enrich_records

    def run(body: str, **fields) -> dict:
        """The enriched record of one body, as it is written to JSON."""
        return next(enrich_records([{"id": "t", "body": body, **fields}])).model_dump(mode="json")

    return run
