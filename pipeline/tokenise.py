"""Thai word segmentation: PyThaiNLP's newmm through nlpo3 with a BMA dictionary.

The same `tokenise` serves documents, search queries and the NER, so a query such as
"เขตบางเขน น้ำท่วม" yields the tokens the indexed documents hold.
"""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import nlpo3

from core.limits import MAX_SENTENCE_TOKENS, MAX_TOKENISER_CHUNK_CHARS

# Chunks handed to nlpo3 are cut at whitespace where possible, else before a character
# that starts a cluster (core.limits.MAX_TOKENISER_CHUNK_CHARS).
MAX_CHUNK_CHARS = MAX_TOKENISER_CHUNK_CHARS

_MARKS = "\u0e31\u0e33-\u0e3a\u0e47-\u0e4e"
# A chunk is a line, or a piece of a long line ending before whitespace, or (no whitespace
# in reach) a piece ending before a character that does not combine with the one before:
# nlpo3 can garble a chunk that starts mid-cluster.
_PIECES = re.compile(
    rf"\n+|[^\n]{{1,{MAX_CHUNK_CHARS}}}(?=\s|$)"
    rf"|[^\n]{{1,{MAX_CHUNK_CHARS}}}(?![{_MARKS}])|[^\n]{{1,{MAX_CHUNK_CHARS}}}"
)
# nlpo3 glues brackets and quotes to the words they enclose ("(สพฐ.)", "หัวเว่ย”"); they are
# cut off first, so an entity never starts or ends inside a token because of them.
_PUNCT = re.compile(r"([()\[\]{}“”‘’\"«»,;!?…])")
_DICT_NAME = "bma-news"
_lock = threading.Lock()
_loaded = False


def _ensure_dictionary() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        from pythainlp.corpus import thai_words

        from pipeline.lexicon import lexicon

        words = set(thai_words())
        # +0.0055 micro-F1 on the held-out tenth of ThaiNER train (0.8055 -> 0.8110)
        words -= _entity_swallowing_words(words)
        words |= lexicon().custom_words()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "words.txt"
            path.write_text("\n".join(sorted(words)), encoding="utf-8")
            message, ok = nlpo3.load_dict(str(path), _DICT_NAME)
        if not ok and "already" not in message:
            raise RuntimeError(f"nlpo3 could not load the dictionary: {message}")
        _loaded = True


# Words that glue onto a following name or organization in the base dictionary.
_GLUE_PREFIXES = ("คน", "ชาว", "ใน", "ภาษา", "ต่าง", "รัฐบาล", "ประชาชน", "ฝ่าย", "ทั่ว", "นอก",
                  "แห่ง", "ปลัด", "ประธาน", "ผู้ว่า", "ผู้ว่าการ", "รัฐมนตรี", "อธิบดี", "ให้")


def _entity_swallowing_words(words: set[str]) -> set[str]:
    """Dictionary compounds in which a common word swallows a place name or an organization
    head ("คนไทย", "ในประเทศ", "ปลัดกระทรวง"), which would hide an entity boundary."""
    from pipeline.lexicon import ORG_HEADS, lexicon

    lex = lexicon()
    names = {n for n in (*lex.countries, *lex.provinces) if len(n) >= 3} | {"ประเทศ"}
    heads = (*ORG_HEADS, "ประเทศ", "กรรมการ", "การไฟฟ้า")
    out = set()
    for w in (w for w in words if w.startswith(_GLUE_PREFIXES)):
        for prefix in _GLUE_PREFIXES:
            rest = w[len(prefix) :]
            if w.startswith(prefix) and rest and (rest in names or rest.startswith(heads)):
                out.add(w)
                break
    return out


def segment(text: str) -> list[str]:
    """Split `text` into tokens whose concatenation is `text`. Whitespace runs are tokens;
    a dictionary entry may contain a space ("ต่าง ๆ")."""
    _ensure_dictionary()
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if piece[0] == "\n":
            out.append(piece)
            continue
        for part in _PUNCT.split(piece) if _PUNCT.search(piece) else (piece,):
            if len(part) == 1 and _PUNCT.match(part):
                out.append(part)
            elif part:
                # nlpo3's "safe" mode cuts long ambiguous runs at arbitrary points and
                # garbles words; our chunks are short enough for the exact search.
                words = nlpo3.segment(part, _DICT_NAME, False)
                if "".join(words) != part:  # never lose or reorder a character
                    words = [part]
                out.extend(words)
    return out


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenise(text: str) -> list[Token]:
    """Tokens of `text` (already normalised) with their character offsets."""
    tokens = []
    pos = 0
    for word in segment(text):
        end = pos + len(word)
        tokens.append(Token(word, pos, end))
        pos = end
    return tokens


def sentences(words: list[str]) -> list[tuple[int, int]]:
    """Token index ranges of sentences: paragraphs (newlines) cut to a bounded length."""
    spans: list[tuple[int, int]] = []
    start = 0
    last_space = -1
    for i, word in enumerate(words):
        if "\n" in word:
            if i > start:
                spans.append((start, i))
            start = i + 1
            last_space = -1
            continue
        if word.isspace():
            last_space = i
        if i + 1 - start >= MAX_SENTENCE_TOKENS:
            cut = last_space + 1 if last_space > start else i + 1
            spans.append((start, cut))
            start = cut
            last_space = -1
    if start < len(words):
        spans.append((start, len(words)))
    return spans
