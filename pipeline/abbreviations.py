"""Abbreviations and their full names, learned from how releases define them.

Thai government releases introduce an organization once in full and then abbreviate it:
"สำนักงานหลักประกันสุขภาพแห่งชาติ (สปสช.)", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร (ธ.ก.ส.)".
`mine` reads such definitions out of a corpus (the 14,370 thaigov releases of
`../shared/data/thaigov/`) with the algorithm of Schwartz and Hearst (2003, "A simple
algorithm for identifying abbreviation definitions in biomedical text"), adapted to Thai:

- the short form is a dotted Thai abbreviation in brackets right after the long form;
- the long form is the shortest text before the bracket, starting at a word boundary, in
  which the abbreviation's consonants occur in order, the first one at the start of a word
  or after a generic head the abbreviation leaves out (กระทรวง in กระทรวงสาธารณสุข (สธ.));
- a pair is kept when the corpus defines the abbreviation that way at least MIN_DEFINITIONS
  times and in at least MIN_SHARE of its definitions (an abbreviation two bodies share, or
  a one-off misreading, is dropped).

The result is `pipeline/data/abbreviations.tsv` (abbreviation, full name, times defined),
committed, and read by the query (`search.understand`: an abbreviation finds its full name
and back) and by entity extraction (`pipeline.gazetteer`: a dotted abbreviation of an
organization, as a whole token, is that organization): nothing is learned at run time.
The hand-written variants and the agency registry take precedence over it.

    .venv/bin/python -m pipeline.abbreviations ../shared/data/thaigov/thaigov-2024.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ABBREVIATIONS_FILE = Path(__file__).parent / "data" / "abbreviations.tsv"
# A pair is kept when defined this many times, in this share of its abbreviation's definitions.
MIN_DEFINITIONS = 2
MIN_SHARE = 0.5
# The long form is looked for in this many characters before the bracket.
MAX_LONG_CHARS = 90
# A long form has at least this many characters per consonant of its abbreviation.
MIN_CHARS_PER_LETTER = 2
# A dotted Thai abbreviation: สปสช. ธ.ก.ส. ก.ล.ต. (a consonant first, a dot last)
_SHORT = r"[ก-ฮ][ก-ฮะ-ฺเ-๎]{0,7}\.(?:[ก-ฮ][ก-ฮะ-ฺเ-๎]{0,5}\.){0,4}"
_DEFINITION = re.compile(r"([ก-๛][ก-๛ ,\-]{1," + str(MAX_LONG_CHARS) + r"}?)\s*\((" + _SHORT + r")\)")
_CONSONANT = re.compile(r"[ก-ฮ]")
# Generic heads an abbreviation may leave out (กระทรวงสาธารณสุข -> สธ.).
HEADS = ("กระทรวง", "กรม", "สำนักงาน", "สำนัก", "การ", "องค์การ", "ธนาคาร", "สถาบัน",
         "บริษัท", "กอง", "ศูนย์", "คณะกรรมการ", "คณะ", "สมาคม", "มูลนิธิ", "กองทุน",
         "โครงการ")
# A long form never starts with these (ตามที่สำนักงานตำรวจแห่งชาติ, การประชุมคณะกรรมการ...).
NOT_FIRST = ("ตามที่", "ว่า", "กว่า", "การประชุม", "ในฐานะ", "โดย", "และ", "ของ", "ที่")
# Leading vowels written before their consonant (เ แ โ ใ ไ): a word may start with one.
_LEADING_VOWELS = "เแโใไ"


@dataclass(frozen=True)
class Pair:
    short: str
    long: str
    count: int


def letters(short: str) -> str:
    """The consonants of an abbreviation, in order (ธ.ก.ส. -> ธกส)."""
    return "".join(_CONSONANT.findall(short))


def _word_starts(text: str) -> set[int]:
    from pipeline.tokenise import tokenise

    starts = {t.start for t in tokenise(text)}
    starts |= {i + 1 for i, c in enumerate(text) if c == " "}
    starts.add(0)
    # a word after a head glued to it starts there too (กระทรวง|ศึกษาธิการ, การ|อุดมศึกษา)
    for head in HEADS:
        for match in re.finditer(head, text):
            if match.start() in starts:
                starts.add(match.end())
    return starts


def _first_letter_at(text: str, i: int, starts: set[int]) -> bool:
    """Does the word starting at `i` (after a leading vowel if any) begin there?"""
    return i in starts or (i - 1 in starts and text[i - 1] in _LEADING_VOWELS)


def long_form(before: str, short: str) -> str | None:
    """The long form `short` abbreviates at the end of `before`, or None (Schwartz-Hearst:
    the shortest match, scanning both from their ends)."""
    chars = letters(short)
    text = before.rstrip(" ,-")
    if not chars or not text:
        return None
    starts = _word_starts(text)
    pos = len(text) - 1
    for k in range(len(chars) - 1, -1, -1):
        ch = chars[k]
        while pos >= 0:
            if text[pos] == ch and (k > 0 or _first_letter_at(text, pos, starts)):
                break
            pos -= 1
        if pos < 0:
            return None
        if k > 0:
            pos -= 1
    begin = pos if pos in starts else pos - 1  # after a leading vowel
    # generic heads right before it belong to the name (กระทรวง + การ + อุดมศึกษา)
    for _ in range(2):
        head = next((h for h in sorted(HEADS, key=len, reverse=True)
                     if text[:begin].endswith(h) and begin - len(h) in starts), None)
        if head is None:
            break
        begin -= len(head)
    out = " ".join(text[begin:].split())
    for word in NOT_FIRST:
        if out.startswith(word) and len(out) > len(word):
            return None
    if len(out) < MIN_CHARS_PER_LETTER * len(chars) or out.startswith(short.rstrip(".")):
        return None
    return out


def definitions(text: str) -> Iterator[tuple[str, str]]:
    """(short, long) for every bracketed abbreviation defined in `text`."""
    for match in _DEFINITION.finditer(text):
        short = match.group(2)
        found = long_form(match.group(1), short)
        if found:
            yield short, found


def mine(texts: Iterable[str]) -> list[Pair]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for short, found in definitions(text):
            counts[short][found] += 1
    out = []
    for short, longs in counts.items():
        found, n = longs.most_common(1)[0]
        if n >= MIN_DEFINITIONS and n >= MIN_SHARE * sum(longs.values()):
            out.append(Pair(short, found, n))
    return sorted(out, key=lambda p: (-p.count, p.short))


def _corpus_texts(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            yield f"{doc.get('title') or ''}\n{doc.get('body') or doc.get('text') or ''}"


@lru_cache(maxsize=1)
def learned() -> tuple[Pair, ...]:
    """The committed table (empty if it is missing)."""
    if not ABBREVIATIONS_FILE.is_file():
        return ()
    out = []
    for line in ABBREVIATIONS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            short, long, count = line.split("\t")
            out.append(Pair(short, long, int(count)))
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a .jsonl.gz of releases (title, body)")
    parser.add_argument("--out", type=Path, default=ABBREVIATIONS_FILE)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: no such corpus: {args.corpus}", file=sys.stderr)
        return 2
    pairs = mine(_corpus_texts(args.corpus))
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write(f"# abbreviation\tfull name\ttimes defined; mined from {args.corpus.name} by "
                 "`python -m pipeline.abbreviations` (pipeline/abbreviations.py)\n")
        fh.writelines(f"{p.short}\t{p.long}\t{p.count}\n" for p in pairs)
    print(f"{len(pairs)} abbreviations -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
