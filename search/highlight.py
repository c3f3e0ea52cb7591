"""Highlights on the original text, not on the token fields.

The token fields hold space-separated Thai tokens, so Elasticsearch's highlighter would show
those spaces. Instead the stored tokens are aligned back onto the stored original text
(same order, searched forward), and the tokens that are query terms become marked spans.
Everything is HTML-escaped; the only markup is our own `<mark>`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

# How much text a snippet shows, and how many snippets a hit gets.
FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 3
# Context kept before the first mark of a snippet.
LEAD_CHARS = 50
# A stored token that is not found this far ahead of the previous one is skipped rather than
# matched somewhere unrelated (the tokeniser may normalise a character the text still has).
ALIGN_LOOKAHEAD = 80
# Snippets come from the start of a release; past this, a huge body costs time for nothing.
MAX_HIGHLIGHT_CHARS = 30_000
# Token-by-token alignment is a Python loop; past this many characters (a few releases run
# to 50,000+) query terms are found as plain text instead, which keeps a results page fast.
ALIGN_MAX_CHARS = 20_000

Span = tuple[int, int]


@dataclass(frozen=True)
class Fragment:
    """A piece of the original text with marked spans (offsets into `text`)."""

    text: str
    marks: tuple[Span, ...]
    cut_before: bool
    cut_after: bool

    def to_html(self) -> str:
        parts = ["…" if self.cut_before else ""]
        pos = 0
        for start, end in self.marks:
            parts.append(escape(self.text[pos:start]))
            parts.append(f"<mark>{escape(self.text[start:end])}</mark>")
            pos = end
        parts.append(escape(self.text[pos:]))
        parts.append("…" if self.cut_after else "")
        return "".join(parts)

    def plain(self) -> str:
        return ("…" if self.cut_before else "") + self.text + ("…" if self.cut_after else "")


def _lowered(text: str) -> str:
    """Lower-case without changing length, so offsets stay valid.

    str.lower() never shortens a character, so when the whole text keeps its length every
    character mapped to one: the C fast path (a long body a character at a time cost
    about 1 s a page of results). Otherwise (e.g. U+0130 İ becomes two characters), the
    characters that would grow are left as they are.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def align_tokens(text: str, tokens: str) -> list[tuple[str, int, int]]:
    """Where each stored token sits in the original text: [(token, start, end)].

    The tokeniser also emits the parts of some compounds after the compound itself
    (เขตบางเขน, then บางเขน); such a part is placed inside the compound it came from.
    """
    lowered = _lowered(text)
    aligned: list[tuple[str, int, int]] = []
    pos = 0
    previous: tuple[str, int, int] | None = None
    for token in tokens.split():
        if pos >= len(lowered) and not (previous and token in previous[0]):
            break  # the text is used up (it may be a prefix of what was tokenised)
        at = pos
        while at < len(lowered) and lowered[at].isspace():
            at += 1
        if lowered.startswith(token, at):
            found = at
        elif previous and token in previous[0]:
            start = previous[1] + previous[0].index(token)
            aligned.append((token, start, start + len(token)))
            continue
        else:
            found = lowered.find(token, pos, pos + ALIGN_LOOKAHEAD + len(token))
            if found < 0:
                continue
        previous = (token, found, found + len(token))
        aligned.append(previous)
        pos = found + len(token)
    return aligned


def _normalised(text: str) -> tuple[str, Callable[[int, int], tuple[int, int]]]:
    """The text as the tokeniser saw it (zero-width characters dropped, spaces collapsed,
    Thai marks reordered) and the map from its offsets back to the original."""
    from pipeline.normalise import normalise

    norm = normalise(text)
    return norm.text, norm.to_original


def find_spans(text: str, tokens: str, terms: set[str], phrase: str = "") -> list[Span]:
    """Spans of `text` to mark: aligned tokens that are query terms, plus the whole phrase.

    When nothing aligns (a document indexed by an older tokeniser), each term is looked
    for as plain text, so a hit still shows why it matched.
    """
    text = text[:MAX_HIGHLIGHT_CHARS]
    seen, to_original = _normalised(text)
    spans = [(s, e) for token, s, e in align_tokens(seen[:ALIGN_MAX_CHARS], tokens)
             if token in terms]
    lowered = _lowered(seen)
    if len(seen) > ALIGN_MAX_CHARS:
        rest = _find_all(lowered[ALIGN_MAX_CHARS:], sorted(terms, key=len, reverse=True))
        spans += [(s + ALIGN_MAX_CHARS, e + ALIGN_MAX_CHARS) for s, e in rest]
    needles = [_normalised(phrase)[0].lower()] if phrase else []
    found = _find_all(lowered, needles)
    if not spans and not found:
        found = _find_all(lowered, sorted(terms, key=len, reverse=True))
    return _merge(text, [to_original(s, e) for s, e in spans + found])


def _find_all(lowered: str, needles: list[str]) -> list[Span]:
    spans = []
    for needle in needles:
        if not needle:
            continue
        start = lowered.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    return spans


def _merge(text: str, spans: list[Span]) -> list[Span]:
    """Sort, and join spans that overlap or are separated only by spaces (a phrase)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip(" ")):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


# Thai vowels written after their consonant (letters, not marks, in Unicode): sara a, sara aa,
# sara am, lakkhangyao. A cut never separates them from the consonant before them.
_CLINGING = {"\u0e30", "\u0e32", "\u0e33", "\u0e45"}
# Leading vowels belong to the consonant after them: a snippet never ends with one.
_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44")


def _clings(ch: str) -> bool:
    return ch in _CLINGING or unicodedata.category(ch).startswith("M")


def _safe_cut(text: str, pos: int, backwards: bool) -> int:
    """Move a cut point to a space if one is near, and never inside a Thai character cluster."""
    pos = max(0, min(len(text), pos))
    window = range(pos, max(0, pos - 20), -1) if backwards else range(pos, min(len(text), pos + 20))
    for i in window:
        if 0 < i < len(text) and text[i - 1].isspace():
            return i
    step = -1 if backwards else 1
    while 0 < pos < len(text) and (_clings(text[pos]) or text[pos - 1] in _LEADING):
        pos += step
    return pos


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fragments(text: str, spans: list[Span], *, max_fragments: int = MAX_FRAGMENTS,
              size: int = FRAGMENT_CHARS) -> list[Fragment]:
    """Up to `max_fragments` snippets of about `size` characters around the marked spans."""
    flat = text.replace("\r", " ").replace("\n", " ")
    result: list[Fragment] = []
    i = 0
    while i < len(spans) and len(result) < max_fragments:
        first = spans[i]
        start = 0 if first[0] <= LEAD_CHARS else _safe_cut(flat, first[0] - LEAD_CHARS, True)
        end = _safe_cut(flat, max(start + size, first[1]), False)
        while i < len(spans) and spans[i][0] < end:
            end = max(end, spans[i][1])
            i += 1
        cut_before, cut_after = start > 0, end < len(flat)
        start, end = _trim(flat, start, end)
        inside = tuple((s - start, e - start) for s, e in spans if start <= s and e <= end)
        result.append(Fragment(flat[start:end], inside, cut_before, cut_after))
    return result


def lead(text: str, size: int = FRAGMENT_CHARS) -> Fragment:
    """The opening of a text, for hits without marks (a filter-only search)."""
    flat = text.replace("\r", " ").replace("\n", " ").strip()
    end = _safe_cut(flat, size, False) if len(flat) > size else len(flat)
    return Fragment(flat[:end].rstrip(), (), False, end < len(flat))


def mark_whole(text: str, tokens: str, terms: set[str], phrase: str = "") -> Fragment:
    """All of a short text (a title) with its marks."""
    return Fragment(text, tuple(find_spans(text, tokens, terms, phrase)), False, False)
