"""The ThaiNER inline-tag format (`[PERSON]...[/PERSON]`) and entity-level scoring.

ThaiNER by Wannaphong Phatthiyaphaibun (PyThaiNLP), CC BY 3.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SCORED_LABELS = ("PERSON", "ORGANIZATION", "LOCATION")
# ThaiNER's own training notebook counts FACILITY as LOCATION.
LABEL_MAP = {"FACILITY": "LOCATION"}
_TAG = re.compile(r"\[(/?)([A-Za-z_]+)\]")
# Byte-order marks and zero-width spaces are scattered inside the corpus (an artifact of how
# it was assembled, e.g. "พ.ต.ท.ทักษิณ\ufeff"); they are dropped before offsets are taken.
_INVISIBLE = re.compile("[\ufeff\u200b]")


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, label


def parse_line(line: str) -> Example:
    """One corpus line -> text and entity spans (whitespace trimmed from span edges)."""
    line = _INVISIBLE.sub("", line.rstrip("\r\n"))
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    open_label: str | None = None
    open_at = 0
    for m in _TAG.finditer(line):
        chunk = line[pos : m.start()]
        text_parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, label = m.group(1) == "/", m.group(2).upper()
        if not closing:
            open_label, open_at = label, length
        elif open_label == label:
            spans.append((open_at, length, LABEL_MAP.get(label, label)))
            open_label = None
    text_parts.append(line[pos:])
    text = "".join(text_parts)
    trimmed = []
    for s, e, label in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e, label))
    return Example(text, trimmed)


def read_corpus(path: str | Path) -> list[Example]:
    with open(path, encoding="utf-8-sig") as fh:
        return [parse_line(line) for line in fh if line.strip()]


@dataclass
class Scores:
    tp: dict[str, int]
    fp: dict[str, int]
    fn: dict[str, int]

    @staticmethod
    def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def table(self) -> dict[str, dict[str, float | int]]:
        out: dict[str, dict[str, float | int]] = {}
        for label in SCORED_LABELS:
            p, r, f = self._prf(self.tp[label], self.fp[label], self.fn[label])
            out[label] = {"precision": p, "recall": r, "f1": f, "support": self.tp[label] + self.fn[label]}
        tp, fp, fn = (sum(d[x] for x in SCORED_LABELS) for d in (self.tp, self.fp, self.fn))
        p, r, f = self._prf(tp, fp, fn)
        out["micro"] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
        return out


def score(
    gold: Iterable[list[tuple[int, int, str]]], predicted: Iterable[list[tuple[int, int, str]]]
) -> Scores:
    """Entity-level exact-span scores over the scored labels, per example pairs."""
    tp = dict.fromkeys(SCORED_LABELS, 0)
    fp = dict.fromkeys(SCORED_LABELS, 0)
    fn = dict.fromkeys(SCORED_LABELS, 0)
    for g, p in zip(gold, predicted, strict=True):
        gs = {x for x in g if x[2] in tp}
        ps = {x for x in p if x[2] in tp}
        for x in gs & ps:
            tp[x[2]] += 1
        for x in ps - gs:
            fp[x[2]] += 1
        for x in gs - ps:
            fn[x[2]] += 1
    return Scores(tp, fp, fn)
