"""The NLP steps as a spaCy `Language`: blank Thai with our tokenizer and components, in the
order they run: normalise + tokenise (the tokenizer), gazetteer, ner, entities, officials.

spaCy never builds its own Thai tokenizer (which would import PyThaiNLP's): the config
names ours. Normalisation happens inside the tokenizer because a spaCy Doc holds exactly
the text its tokens cover; the map back to the original text rides in `doc.user_data`.
Each component calls a plain function from this package and stores plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice

from core.limits import MAX_BODY_CHARS
from pipeline.entities import crf_spans_many, crf_spans_words, extract_entities, to_original
from pipeline.gazetteer import gazetteer_matches
from pipeline.ner import CrfTagger
from pipeline.normalise import normalise
from pipeline.officials import extract_officials, units_in_positions
from pipeline.spacy_import import spacy
from pipeline.tokenise import segment

Language = spacy.language.Language
Doc = spacy.tokens.Doc
Vocab = spacy.vocab.Vocab

TOKENIZER = "bma_news.nlpo3_tokenizer.v1"


class Nlpo3Tokenizer:
    """Normalise, then segment with newmm (nlpo3) and our dictionary."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        norm = normalise(text)
        words = segment(norm.text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["normalised"] = norm
        doc.user_data["words"] = words
        return doc


def normalised_text(doc: Doc) -> str:
    """The doc's text: `doc.text` rebuilds it from every token (a Token object each, a
    tenth of enrichment's time); the tokenizer kept the string."""
    return doc.user_data["normalised"].text


@spacy.registry.tokenizers(TOKENIZER)
def create_tokenizer():
    def make(nlp: Language) -> Nlpo3Tokenizer:
        return Nlpo3Tokenizer(nlp.vocab)

    return make


@Language.component("bma_gazetteer")
def gazetteer_component(doc: Doc) -> Doc:
    doc.user_data["gazetteer"] = gazetteer_matches(normalised_text(doc), doc.user_data["words"])
    return doc


class CrfNer:
    """The CRF. `pipe` tags the sentences of a whole batch of docs in one Viterbi pass.
    `tagger` is the committed model unless set (the training's held-out scoring)."""

    tagger: CrfTagger | None = None

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data["crf"] = crf_spans_words(doc.user_data["words"], self.tagger)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        docs = iter(docs)
        while batch := list(islice(docs, batch_size)):
            spans = crf_spans_many([d.user_data["words"] for d in batch], self.tagger)
            for doc, doc_spans in zip(batch, spans, strict=True):
                doc.user_data["crf"] = doc_spans
                yield doc


@Language.factory("bma_ner")
def create_ner(nlp: Language, name: str) -> CrfNer:
    return CrfNer()


@Language.component("bma_entities")
def entities_component(doc: Doc) -> Doc:
    """Merge gazetteer and CRF, canonicalise; offsets stay in the normalised text here."""
    entities = extract_entities(
        normalised_text(doc), doc.user_data["words"], doc.user_data["crf"], doc.user_data["gazetteer"]
    )
    doc.user_data["entities"] = entities
    spans = []
    for ent in entities:
        span = doc.char_span(ent.start, ent.end, label=ent.label)
        if span is not None:
            spans.append(span)
    doc.ents = spans
    return doc


@Language.component("bma_officials")
def officials_component(doc: Doc) -> Doc:
    text, entities = normalised_text(doc), doc.user_data["entities"]
    spans: list[tuple[int, int]] = []
    doc.user_data["officials"] = extract_officials(text, entities, spans)
    doc.user_data["entities"] = units_in_positions(text, entities, spans)
    return doc


def original_entities(doc: Doc) -> list:
    """The doc's entities with offsets into the text as given (before normalisation)."""
    return to_original(doc.user_data["entities"], doc.user_data["normalised"])


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    nlp = spacy.blank("th", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    nlp.max_length = MAX_BODY_CHARS  # our tokenizer and CRF work in bounded pieces
    for name in ("bma_gazetteer", "bma_ner", "bma_entities", "bma_officials"):
        nlp.add_pipe(name)
    return nlp
