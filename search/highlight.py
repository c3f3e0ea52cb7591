"""Highlights on the original text, not on the token fields.

The token fields hold space-separated Thai tokens, so Elasticsearch's highlighter would show
those spaces. Instead the forms of the query's concepts (as a release writes them: สนน.,
สำนักการระบายน้ำ) are found in the stored original text. Everything is HTML-escaped; the
only markup is our own `<mark>`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

from core.thai_calendar import to_arabic_digits

# How much text a snippet shows, and how many snippets a hit gets.
FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 3
# Context kept before the first mark of a snippet.
LEAD_CHARS = 50
# Snippets come from the start of a release; past this, a huge body costs time for nothing.
MAX_HIGHLIGHT_CHARS = 30_000

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
    """Lower-case and Arabic digits without changing length, so offsets stay valid.

    str.lower() never shortens a character, so when the whole text keeps its length every
    character mapped to one (the C fast path). Otherwise (e.g. U+0130 İ becomes two
    characters), the characters that would grow are left as they are.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    return to_arabic_digits(lowered)




def find_spans(text: str, needles: list[str]) -> list[Span]:
    """Spans of `text` to mark: every occurrence of every needle (the forms of the query's
    concepts, as written), case and digits folded, longest needle first.

    Plain substring search (str.find, in C) over the first MAX_HIGHLIGHT_CHARS characters:
    a results page of long releases costs a few milliseconds.
    """
    text = text[:MAX_HIGHLIGHT_CHARS]
    lowered = _lowered(text)
    wanted = sorted({_lowered(n.strip()) for n in needles if n and n.strip()},
                    key=len, reverse=True)
    return _merge(text, _find_all(lowered, wanted))


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


def mark_whole(text: str, needles: list[str]) -> Fragment:
    """All of a short text (a title) with its marks."""
    return Fragment(text, tuple(find_spans(text, needles)), False, False)
