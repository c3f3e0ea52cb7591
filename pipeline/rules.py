"""Patterns for organizations whose names follow a formula, where the CRF cuts or splits
them: district offices written with a space or abbreviated (สำนักงานเขต บางกอกใหญ่,
สนง.เขตคลองสามวา), district PR bylines (ปชส.เขตบางรัก), police stations (สน.X), schools
(รร.X, with a parenthesised name kept whole), hospitals (รพ.X), numbered health centres
(ศูนย์บริการสาธารณสุข 22 วัดปากบ่อ, ศบส.41 คลองเตย), numbered military units and regional
branches (สำนักงานหลักประกันสุขภาพแห่งชาติ เขต 13 กรุงเทพมหานคร).

Each match is an ORG with its canonical (full) name; `pipeline.entities` lets these win over
the CRF and the gazetteer where they overlap. The generic words alone (สำนักงานเขต, สนง.,
ปชส., ศบส.) are not matched here: `pipeline.entities.resolve_generic` handles them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from pipeline.gazetteer import GazetteerEntry, Match
from pipeline.lexicon import lexicon

_THAI = "\u0e01-\u0e4e"
# Tokens that end the proper name after a head word (verbs, conjunctions, prepositions).
RUN_STOP = frozenset((
    "กล่าว", "เปิดเผย", "เป็น", "ได้", "ให้", "และ", "พร้อม", "ร่วม", "ร่วมกับ", "นำ", "ลง",
    "ลงพื้นที่", "ตรวจ", "ว่า", "เพื่อ", "ที่", "ซึ่ง", "โดย", "ใน", "ณ", "เข้า", "มอบ", "เดินทาง",
    "ประชุม", "ชี้แจง", "แถลง", "เผย", "ระบุ", "สั่งการ", "พบ", "กับ", "ของ", "จะ", "ยัง", "ก็",
    "จัด", "จึง", "อยู่", "ตั้ง", "แล้ว", "คือ", "หรือ", "รวม", "รวมทั้ง", "ทั้ง", "ต่าง", "ต่างๆ",
    "สังกัด", "นำร่อง", "จำนวน", "กว่า", "ทุก", "แห่ง", "เอกชน", "รัฐ", "ภายใน", "ภายนอก",
    "บริเวณ", "ด้าน", "หน้า", "หลัง", "เมื่อ", "ตาม", "เพราะ", "ไป", "มา", "รับ", "ส่ง", "ขอ",
    "ทำ", "เริ่ม", "เปิด", "ปิด", "สอน", "ช่วย", "ดูแล", "แจ้ง", "ประสาน", "ประสานกับ",
    "ต่อ", "แก่", "จาก", "ถึง", "ระหว่าง", "เช่น", "ได้แก่", "ฯลฯ", "นั้น", "นี้",
))
_MAX_RUN_TOKENS = 4
_MAX_PAREN = 40


@lru_cache(maxsize=1)
def _districts() -> str:
    names = sorted(lexicon().bangkok_districts, key=len, reverse=True)
    return "|".join(map(re.escape, names))


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    d = _districts()
    return (
        ("district", re.compile(rf"(?:สำนักงานเขต|สนง\. ?เขต) ?({d})")),
        ("pr", re.compile(rf"ปชส\. ?เขต ?({d})")),
        ("health", re.compile(rf"(?:ศูนย์บริการสาธารณสุข|ศบส\.) ?(\d+)(?=[ {_THAI}])")),
        ("police", re.compile(r"(?:สถานีตำรวจนครบาล|สน\.) ?")),
        # the full heads only with a parenthesised name (the CRF finds the rest, and would
        # not be overruled on "โรงเรียนดีประจำอำเภอ"); the abbreviations always
        ("school", re.compile(r"รร\. ?")),
        ("school_paren", re.compile(rf"โรงเรียน(?=[{_THAI}]+ ?\()")),
        ("hospital", re.compile(r"รพ\. ?")),
        ("military", re.compile(
            rf"(?:กองพลทหาร|กองพันทหาร|กองร้อยทหาร|กรมทหาร|มณฑลทหาร|กองพล|กองพัน|กองบิน)"
            rf"[{_THAI}]{{0,14}}?(?:ที่ ?)?\d+(?: ?รักษาพระองค์(?:ใน[{_THAI}]+)?)?")),
        # a committee with its whole name, written glued up to the next space
        ("committee", re.compile(
            r"คณะ(?:อนุ)?กรรมการ(?=(?:วิสามัญ|สามัญ|บริหาร|อำนวยการ|ขับเคลื่อน|กำกับ|ติดตาม"
            r"|พิจารณา|นโยบาย|ตรวจสอบ|ส่งเสริม|พัฒนา|เตรียมการ|รณรงค์|ไต่สวน|แก้ไข|ป้องกัน)"
            rf"[{_THAI}0-9]{{4,}})")),
        ("branch", re.compile(
            rf"(สำนักงาน[{_THAI}]{{4,60}}) เขต (\d+)(?: (?:กรุงเทพมหานคร|กทม\.))?")),
    )


_CANONICAL_HEAD = {"police": "สถานีตำรวจนครบาล", "school": "โรงเรียน", "school_paren": "โรงเรียน",
                   "hospital": "โรงพยาบาล"}


class _Tokens:
    def __init__(self, text: str, words: list[str]) -> None:
        self._text = text
        self.words = words
        self.starts = [0, *accumulate(map(len, words))]
        self.index = {s: i for i, s in enumerate(self.starts)}
        self.ends = self.index

    def run(self, pos: int) -> int:
        """End of the proper name starting at `pos`: tokens of Thai letters (and digits
        glued to them), up to a space, a stop word or _MAX_RUN_TOKENS tokens."""
        i = self.index.get(pos)
        if i is None:  # the head is glued inside a dictionary word: up to a space
            m = _THAI_RUN.match(self._text, pos)
            return m.end() if m else pos
        end = pos
        for w in self.words[i : i + _MAX_RUN_TOKENS]:
            if w in RUN_STOP or not _THAI_WORD.fullmatch(w):
                break
            end += len(w)
        return end


_THAI_RUN = re.compile(rf"[{_THAI}0-9]{{2,40}}")
_THAI_WORD = re.compile(rf"[{_THAI}0-9]+")
_PAREN = re.compile(rf" ?\([^()\n]{{2,{_MAX_PAREN}}}\)")
_PAREN_NAME = re.compile(rf"[{_THAI}]{{2,22}} ?\([^()\n0-9]{{2,{_MAX_PAREN}}}\)")
# First words after a head that make it a generic phrase, not a name.
_GENERIC_FIRST = RUN_STOP | frozenset((
    "ทั่วประเทศ", "ทั่ว", "ขนาด", "อัจฉริยะ", "ต้นแบบ", "สนาม", "ชุมชน", "เครือข่าย", "ประจำ",
    "กลุ่ม", "หลาย", "บาง", "อื่น", "ใหม่", "เก่า", "เดิม", "ดี", "ชั้นนำ", "แห่งนี้", "ดังกล่าว",
    "เท่ากับ", "ปลายทาง", "ต้นทาง", "ใกล้", "ใกล้เคียง", "พื้นที่", "เป้าหมาย", "นำร่อง"))


def _segment(text: str) -> list[str]:
    from pipeline.tokenise import segment

    return segment(text) or [text]


def _paren_after(text: str, end: int) -> int:
    """End of a parenthesised name right after `end` ("โรงเรียนวัดลาดพร้าว (เปรมประชานุกูล)")."""
    m = _PAREN.match(text, end)
    return m.end() if m else end


def rule_matches(text: str, words: list[str]) -> list[Match]:
    """Organizations found by the patterns above, non-overlapping, leftmost-longest."""
    tokens: _Tokens | None = None  # built only when a pattern matches
    found: list[Match] = []
    for kind, pattern in _patterns():
        for m in pattern.finditer(text):
            tokens = tokens or _Tokens(text, words)
            match = _one(kind, m, text, tokens)
            if match is not None:
                found.append(match)
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Match] = []
    covered = 0
    for m in found:
        if m.start >= covered:
            out.append(m)
            covered = m.end
    return out


def _one(kind: str, m: re.Match[str], text: str, tokens: _Tokens) -> Match | None:
    start, end = m.span()
    if start not in tokens.ends:
        return None  # inside a longer word
    if kind == "district":
        if end not in tokens.ends:
            return None
        return _org(start, end, f"สำนักงานเขต{m.group(1)}")
    if kind == "pr":
        if end not in tokens.ends:
            return None
        return _org(start, end, f"ปชส.เขต{m.group(1)}")
    if kind == "health":
        name_at = end + 1 if text[end : end + 1] == " " else end
        name_end = tokens.run(name_at)
        if name_end == name_at:
            name_end = end
        number = m.group(1)
        name = text[name_at:name_end] if name_end > end else ""
        canonical = f"ศูนย์บริการสาธารณสุข {number} {name}".strip()
        return _org(start, name_end, canonical)
    if kind in _CANONICAL_HEAD:
        first = _THAI_WORD.match(text, end)
        if first is None or not first.group(0)[0].isalpha() \
                or _segment(first.group(0))[0] in _GENERIC_FIRST:
            return None  # "รพ.ทั่วประเทศ", "โรงเรียนสังกัด…", "สน. 1341": not one named body
        whole = _PAREN_NAME.match(text, end) if kind.startswith("school") else None
        if whole is not None:  # "โรงเรียนวัดคลองเตยใน (ศรีสุนทรรังสฤษดิ์)": up to the bracket
            return _org(start, whole.end(), f"โรงเรียน{whole.group(0)}")
        name_end = tokens.run(end)
        if name_end - end < 2:
            return None
        if kind == "police" and re.match(r" \d+(?![\d.,])", text[name_end:]):
            name_end += len(re.match(r" \d+", text[name_end:]).group(0))  # type: ignore[union-attr]
        full_end = _paren_after(text, name_end) if kind.startswith("school") else name_end
        if kind == "school_paren" and full_end == name_end:
            return None
        name = text[end:full_end]
        return _org(start, full_end, f"{_CANONICAL_HEAD[kind]}{name}")
    if kind == "committee":
        if text.endswith(("สำนักงาน", "สำนัก"), 0, start):
            return None  # สำนักงานคณะกรรมการ…: the office, a name of its own
        name_end = _committee_end(text, end, tokens)
        if name_end is None:
            return None
        return _org(start, name_end, text[start:name_end])
    if kind == "military":
        return _org(start, end, re.sub(r"\s+", " ", m.group(0)))
    if kind == "branch":
        if m.end(1) not in tokens.ends:
            return None
        return _org(start, end, text[start:end])
    return None


# A committee's name is written without spaces; these glued words end it (the sentence's verb).
_COMMITTEE_STOP = frozenset(("ได้", "มีมติ", "เห็นชอบ", "กล่าว", "ซึ่ง", "จะ", "ได้รับ", "ว่า",
                             "ลงพื้นที่", "จำนวน", "ประกอบด้วย", "โดยมี", "โดย", "ที่", "ชุด",
                             "แล้ว", "เห็น", "อนุมัติ", "มี", "ให้", "เป็น", "ก็", "ยัง"))
_MAX_COMMITTEE_CHARS = 120


def _committee_end(text: str, end: int, tokens: _Tokens) -> int | None:
    """End of a committee's name: the glued run after the head, up to a space, a bracket or
    the sentence's verb, on a token boundary; None when it is too long to be a name."""
    run = _THAI_WORD.match(text, end)
    if run is None:
        return None
    i = tokens.index.get(end)
    if i is None:
        return None
    stop, words = end, 0
    for w in tokens.words[i:]:
        if stop + len(w) > run.end() or w in _COMMITTEE_STOP:
            break
        stop += len(w)
        words += 1
    if words < 2 or stop - end > _MAX_COMMITTEE_CHARS:
        return None  # "คณะกรรมการพิจารณาแล้ว": the committee and a verb
    return stop



def _org(start: int, end: int, canonical: str) -> Match:
    return Match(start, end, GazetteerEntry("ORG", canonical), strong=True)
