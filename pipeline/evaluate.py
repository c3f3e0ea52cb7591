"""Score the NER on a ThaiNER-format corpus (entity level, exact span)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.thainer import read_corpus, score

if TYPE_CHECKING:
    from pipeline.ner import CrfTagger

# Pipeline labels -> ThaiNER labels, for scoring the full pipeline on ThaiNER.
_TO_THAINER = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION"}


def hybrid_spans(texts: list[str], tagger: CrfTagger | None = None) -> list[list[tuple[int, int, str]]]:
    """The full pipeline's PERSON/ORG/LOC spans of each text, in ThaiNER's labels (with
    another CRF model than the committed one if `tagger` is given)."""
    from pipeline.language import load_nlp, original_entities

    nlp = load_nlp()
    ner = nlp.get_pipe("bma_ner")
    previous, ner.tagger = ner.tagger, tagger
    try:
        return [[(e.start, e.end, _TO_THAINER[e.label]) for e in original_entities(doc)
                 if e.label in _TO_THAINER] for doc in nlp.pipe(texts)]
    finally:
        ner.tagger = previous


def evaluate_corpus(path: Path, mode: str = "crf") -> dict:
    from pipeline.entities import crf_spans_texts

    examples = read_corpus(path)
    t0 = time.perf_counter()
    if mode == "crf":
        predicted = crf_spans_texts([ex.text for ex in examples])
    else:
        predicted = hybrid_spans([ex.text for ex in examples])
    elapsed = time.perf_counter() - t0
    chars = sum(len(ex.text) for ex in examples)
    return {
        "corpus": str(path),
        "mode": mode,
        "sentences": len(examples),
        "chars_per_second": chars / elapsed if elapsed else 0.0,
        "scores": score([ex.spans for ex in examples], predicted).table(),
    }
