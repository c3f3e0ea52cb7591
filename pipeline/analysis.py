"""The one analysis of documents and queries: the terms Elasticsearch indexes and searches.

Elasticsearch here only splits on whitespace (the `whitespace` analyzer; the integ-test
distribution has no Thai analysis), so everything that makes a query meet a document
happens in this module, and the same function runs on both sides:

- **Segmentation that does not depend on context.** Our tokeniser keeps BMA compounds
  whole for the NER (`สำนักงานเขตบางซื่อ`, `สำนักการระบายน้ำ`), while the same words typed
  alone in a query are split by the base dictionary (`บางซื่อ` -> `บาง ซื่อ`). For the index
  such a compound is re-segmented with the base dictionary only (`สำนักงาน เขต บาง ซื่อ`),
  so its parts are the parts a query has; a phrase query then finds them side by side.
- **Folding**: lower case; Thai digits as Arabic (๒๕๖๗ -> 2567); thousands separators
  dropped (10,000 -> 10000); a Thai letter written four or more times in a row inside a
  word as one (ดีมากกกก -> ดีมาก, but สสส. stays); zero-width characters and Thai mark
  order are already normalised by `pipeline.normalise`.
- **Bounded terms**: a run longer than `MAX_INDEX_TOKEN_CHARS` is cut.
"""

from __future__ import annotations

import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import nlpo3

from core.limits import MAX_INDEX_TOKEN_CHARS
from core.thai_calendar import TO_ARABIC_DIGITS

BASE_DICT = "bma-news-base"
# A Thai letter written 4+ times in a row is emphasis (มากกกก). Three is not: a word can end
# with the letter the next one starts with twice (ระบบ|บริการ, สื่อ|ออนไลน์, ถนน|นิคม).
_REPEATS = re.compile(r"([\u0e01-\u0e2e\u0e30-\u0e39\u0e40-\u0e44])\1{3,}")
_lock = threading.Lock()
_base_loaded = False


def _collapse(match: re.Match) -> str:
    # a run that starts a word is an abbreviation (สสส.), not emphasis (มากกกก)
    start = match.start()
    text = match.string
    if start == 0 or not ("\u0e01" <= text[start - 1] <= "\u0e4e"):
        return match.group(0)
    return match.group(1)


def collapse_emphasis(text: str) -> str:
    return _REPEATS.sub(_collapse, text)


def fold(term: str) -> str:
    """Case, digits and emphasis folded; the same on documents and queries."""
    term = term.lower().translate(TO_ARABIC_DIGITS)
    if len(term) >= 3:
        term = collapse_emphasis(term)
    return term


@lru_cache(maxsize=1)
def base_words() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def _ensure_base() -> None:
    global _base_loaded
    if _base_loaded:
        return
    with _lock:
        if _base_loaded:
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "base.txt"
            # in any order: nlpo3 builds a trie (sorting 62,000 words cost 0.03 s at start)
            path.write_text("\n".join(base_words()), encoding="utf-8")
            message, ok = nlpo3.load_dict(str(path), BASE_DICT)
        if not ok and "already" not in message:
            raise RuntimeError(f"nlpo3 could not load the base dictionary: {message}")
        _base_loaded = True


@lru_cache(maxsize=1)
def _our_compounds() -> frozenset[str]:
    """Words our tokeniser keeps whole that the base dictionary does not know."""
    from pipeline.lexicon import lexicon

    return frozenset(w for w in lexicon().custom_words() if w not in base_words())


@lru_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    """Heads a compound is cut after: organization heads (สำนัก, สำนักงาน, กรม, ...) and
    place prefixes (เขต, แขวง, จังหวัด), longest first."""
    from pipeline.lexicon import ORG_HEADS

    heads = {*ORG_HEADS, "เขต", "แขวง", "จังหวัด", "อำเภอ", "ตำบล", "ผู้อำนวยการ"}
    return tuple(sorted(heads, key=len, reverse=True))


@lru_cache(maxsize=200_000)
def sub_words(token: str) -> tuple[str, ...]:
    """The parts a query would have for `token`.

    A BMA compound (สำนักงานเขตบางซื่อ, สำนักการระบายน้ำ) is cut after its head and the rest
    re-segmented by the base dictionary (สำนักงาน เขต บาง ซื่อ; สำนัก การ ระบาย น้ำ); a base
    word made of a head and another head or a place (สำนักงานเขต) is cut the same way.
    Abbreviations (with "." or "ฯ") and every other word stay whole.
    """
    if "." in token or "ฯ" in token:
        return (token,)
    compound = token in _our_compounds()
    for head in _heads():
        rest = token[len(head):]
        if rest and token.startswith(head) and (
                compound or rest in _heads() or _is_place(rest) or rest in _our_compounds()):
            return (head, *_rest_parts(rest))
    return _rest_parts(token) if compound else (token,)


def _rest_parts(rest: str) -> tuple[str, ...]:
    if _is_place(rest) and rest in base_words() or rest in _heads():
        return (rest,)
    if rest.startswith(_heads()):
        cut = sub_words(rest)
        if len(cut) > 1:
            return cut
    _ensure_base()
    parts = tuple(p for p in nlpo3.segment(rest, BASE_DICT, False) if not p.isspace())
    if "".join(parts) != rest:
        return (rest,)
    words = base_words()
    if all(p in words for p in parts):
        return parts
    # otherwise the parts the rest has when typed alone (our tokeniser, then these rules)
    from pipeline.tokenise import segment

    alone = [w for w in segment(rest) if not w.isspace()]
    if len(alone) > 1:
        return tuple(p for w in alone for p in sub_words(w))
    # a place the base dictionary cannot cut (บางเขน) is split as a query would split it
    return parts if _is_place(rest) else (rest,)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    from pipeline.lexicon import lexicon

    lex = lexicon()
    return frozenset({*lex.bangkok_districts, *lex.bangkok_subdistricts, *lex.provinces})


def _is_place(word: str) -> bool:
    return word in _places()


# A word shorter than this is not looked into for the words inside it.
MIN_COMPOUND_CHARS = 4
MIN_PART_CHARS = 2


@lru_cache(maxsize=200_000)
def inner_words(term: str) -> tuple[str, ...]:
    """Dictionary words a dictionary compound is made of: น้ำประปา -> (น้ำ, ประปา),
    การเลือกตั้ง -> (การ, เลือกตั้ง). Every cut into two base words counts."""
    if len(term) < MIN_COMPOUND_CHARS or not ("\u0e01" <= term[0] <= "\u0e4f") or "." in term:
        return ()
    words = base_words()
    found: list[str] = []
    for cut in range(MIN_PART_CHARS, len(term) - MIN_PART_CHARS + 1):
        head, tail = term[:cut], term[cut:]
        if head in words and tail in words:
            found += [head, tail]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=300_000)
def _piece_terms(word: str) -> tuple[str, ...]:
    """The terms of one token (cached: a release repeats its words, an archive its vocabulary)."""
    out: list[str] = []
    for piece in word.split():
        for part in sub_words(piece):
            term = fold(part)
            if len(term) > MAX_INDEX_TOKEN_CHARS:
                out.extend(term[i : i + MAX_INDEX_TOKEN_CHARS]
                           for i in range(0, len(term), MAX_INDEX_TOKEN_CHARS))
            elif term:
                out.append(term)
    return tuple(out)


def index_terms(words: list[str], inner: bool = False) -> list[str]:
    """Index terms from tokeniser output: whitespace dropped (also inside a dictionary
    entry such as "ต่าง ๆ"), compounds as their parts, folded, long runs cut.

    With `inner` (documents), the words found inside dictionary compounds follow the
    text's own terms, after it, once per occurrence of their compound: a query for ประปา
    meets a release that wrote น้ำประปา, as often as it wrote it, while phrases over the
    text's terms are unchanged.
    """
    out: list[str] = []
    for word in words:
        if not word.isspace():
            out.extend(_piece_terms(word))
    if "," in out:
        out = _join_thousands(out)
    if inner:
        # once per occurrence of the compound, so a release that says การเลือกตั้ง nine
        # times weighs เลือกตั้ง as nine mentions, not one (in text order, after the text)
        out.extend([w for t in out for w in inner_words(t)])
    return out


def _join_thousands(terms: list[str]) -> list[str]:
    """10 , 000 -> 10000: the tokeniser cuts a number at its thousands separators."""
    out: list[str] = []
    i = 0
    while i < len(terms):
        term = terms[i]
        if (term == "," and out and out[-1].isdigit() and i + 1 < len(terms)
                and len(terms[i + 1]) >= 3 and terms[i + 1][:3].isdigit()
                and (len(terms[i + 1]) == 3 or not terms[i + 1][3].isdigit())):
            out[-1] += terms[i + 1]
            i += 2
            continue
        out.append(term)
        i += 1
    return out


def analyse(text: str, document: bool = False) -> str:
    """The analysed form of a text, for the `whitespace` analyzer: documents (with
    `document`, which adds the words inside compounds) and queries alike."""
    if not text:
        return ""
    from pipeline.normalise import normalise
    from pipeline.tokenise import segment

    return " ".join(index_terms(segment(prepare(normalise(text).text)), inner=document))


def prepare(norm: str) -> str:
    """What is folded before segmenting (มากกกก would not split as มาก), on both sides; a
    normalised text in, the same length or shorter out. (10,000 is joined after.)"""
    if needs_folding(norm):
        norm = collapse_emphasis(norm)
    return norm


def needs_folding(text: str) -> bool:
    """Whether the text has emphasis, which must be folded before segmenting (the NER's own
    segmentation then does not serve the index). Rare in releases."""
    return _REPEATS.search(text) is not None


def has_unknown_pieces(analysed: str) -> bool:
    """Whether an analysed text has a Thai piece no dictionary knows (นวมินทร -> นว มิ นท ร):
    a word cut into pieces, whose cuts depend on the text around it."""
    words = base_words()
    return any("\u0e01" <= t[0] <= "\u0e4e" and t not in words for t in analysed.split())


def index_tokens(words: list[str]) -> list[str]:
    """A document's index terms from its tokens (with the words inside compounds)."""
    return index_terms(words, inner=True)


def index_text(text: str) -> str:
    """A document text's terms (title, body) for the `whitespace` analyzer. A query is
    `analyse(text)`: the same analysis without the inner words."""
    return analyse(text, document=True)
