"""Gazetteer rulers: BMA agencies (with aliases) and places (geothai, countries).

Matching starts only at token starts and must end at a token end, so a name inside a
longer word (or inside a position such as ผู้อำนวยการเขตบางรัก, one token) is not matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from pipeline.lexicon import BANGKOK, BANGKOK_ALIASES, lexicon


@dataclass(frozen=True)
class GazetteerEntry:
    label: str  # ORG or LOC
    canonical: str
    kind: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: GazetteerEntry
    strong: bool = False  # a pattern match (pipeline.rules): wins over the CRF and the table


# Provinces whose bare name is an everyday word ("เลย" = at all, "แพร่" = to spread): only
# with จังหวัด/จ. before them.
_PROVINCES_THAT_ARE_WORDS = frozenset(("เลย", "แพร่", "ตาก"))


def _place_entries() -> dict[str, GazetteerEntry]:
    lex = lexicon()
    out: dict[str, GazetteerEntry] = {}
    for key, place in lex.places.items():
        if place.kind == "province":
            entry = GazetteerEntry("LOC", place.name, "province", place.code)
            out[f"จังหวัด{place.name}"] = entry
            out[f"จ.{place.name}"] = entry
            if place.name not in _PROVINCES_THAT_ARE_WORDS:
                out.setdefault(place.name, entry)
        elif key.startswith("district:"):
            entry = GazetteerEntry("LOC", place.name, "district", place.code)
            prefixes = ("เขต",) if place.code and place.code.startswith("10") else ("อำเภอ", "อ.")
            for prefix in prefixes:
                out[f"{prefix}{place.name}"] = entry
        elif key.startswith("subdistrict:"):
            entry = GazetteerEntry("LOC", place.name, "subdistrict", place.code)
            prefixes = ("แขวง",) if place.code and place.code.startswith("10") else ("ตำบล", "ต.")
            for prefix in prefixes:
                out[f"{prefix}{place.name}"] = entry
    for country in lex.countries:
        entry = GazetteerEntry("LOC", country, "country", None)
        out.setdefault(country, entry)
        out[f"ประเทศ{country}"] = entry
    for surface, (name, kind) in lex.foreign_places.items():
        out.setdefault(surface, GazetteerEntry("LOC", name, kind, None))
    return out


# The longest gazetteer name spans this many tokens ("สำนักวัฒนธรรม กีฬาและการท่องเที่ยว").
MAX_NAME_TOKENS = 8


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, GazetteerEntry], frozenset[str]]:
    """Surface -> entry, and the tokens a surface can start with."""
    entries = _place_entries()
    for surface, agency in lexicon().agencies.items():
        entries[surface] = GazetteerEntry("ORG", agency.name)
    for short, name in mined_organizations().items():
        entries.setdefault(short, GazetteerEntry("ORG", name))
    return entries, first_tokens(entries)


# A mined abbreviation (pipeline/data/abbreviations.tsv) is an organization when its full name
# starts with one of these (not volunteers, certificates, units, positions).
ORGANIZATION_HEADS = ("กระทรวง", "กรม", "สำนักงาน", "สำนัก", "องค์การ", "ธนาคาร", "สถาบัน",
                      "บริษัท", "บรรษัท", "กองทุน", "กองบัญชาการ", "กองบังคับการ", "ศูนย์",
                      "คณะกรรมการ", "สมาคม", "มูลนิธิ", "สภา", "มหาวิทยาลัย", "การไฟฟ้า",
                      "การประปา", "การรถไฟ", "การท่าเรือ", "การท่องเที่ยว", "การนิคม",
                      "การเคหะ", "การยาง", "การทางพิเศษ", "การกีฬา", "ตลาดหลักทรัพย์")


# Abbreviations with another common sense: units, เศรษฐกิจ (and the months, below).
OTHER_SENSES = frozenset(["กก.", "กม.", "ซม.", "ชม.", "มม.", "ลบ.ม.", "ศก.", "ตร.ม."])


def _other_senses() -> frozenset[str]:
    from core.thai_calendar import ABBREVIATED_MONTHS

    months = {m for m in ABBREVIATED_MONTHS if m.endswith(".")}
    return OTHER_SENSES | months | {m.replace(".", "", m.count(".") - 1) for m in months}


def mined_organizations() -> dict[str, str]:
    """Dotted abbreviations of organizations that the releases define, with their names:
    matched as whole tokens only, they never enter the tokeniser's dictionary."""
    from pipeline.abbreviations import learned

    agencies = lexicon().agencies
    other = _other_senses()
    out = {}
    for pair in learned():
        if pair.long.startswith(ORGANIZATION_HEADS) and "." in pair.short \
                and pair.short not in other:
            agency = agencies.get(pair.long)
            out[pair.short] = agency.name if agency else pair.long
    return out


def first_tokens(surfaces: Iterable[str]) -> frozenset[str]:
    """The first token of each surface. One `segment` call for all of them (15,000 calls
    cost a tenth of a second at start-up): the tokeniser segments each line on its own, so
    newlines between the surfaces change none of their tokens."""
    from pipeline.tokenise import segment

    out: set[str] = set()
    line_start = True
    for token in segment("\n".join(surfaces)):
        if token[0] == "\n":
            line_start = True
        elif line_start:
            out.add(token)
            line_start = False
    return frozenset(out)


# Words before กรุงเทพมหานคร/กทม. that make it a place rather than the administration.
_PLACE_CUES = ("พื้นที่", "ใน", "ทั่ว", "จังหวัด", "ที่", "เมือง", "ชาว", "เขต",
               "ระหว่าง", "สู่", "ประจำ")
# Words right after it that make it a place ("กรุงเทพมหานครและจังหวัดปริมณฑล").
_PLACE_FOLLOWERS = ("และจังหวัด", "และปริมณฑล", "ปริมณฑล", "และจังหวัดใกล้เคียง")
# Words glued before it that make it part of another name: a room, a building, a sea, a
# plan ("ห้องประชุมกรุงเทพมหานคร", "ศาลาว่าการกรุงเทพมหานคร", "ทะเลกรุงเทพฯ"): neither reading.
_NAME_HEADS_BEFORE = ("ห้องประชุม", "ห้อง", "ศาลาว่าการ", "อาคาร", "ทะเล", "ตึก", "โรงแรม",
                      "แผนพัฒนา", "แผนแม่บท", "ธรรมนูญ", "อ่าว")
_QUOTES_OPEN = "\"“'‘"
_QUOTES_CLOSE = "\"”'’"
_MAX_QUOTED = 60
BLOCK = GazetteerEntry("O", "")  # a span that is no entity, and that the CRF must not tag


def in_quoted_phrase(text: str, start: int, end: int) -> bool:
    """Inside a short quoted slogan or project name that is more than the alias itself."""
    left = max(0, start - _MAX_QUOTED)
    before = text[left:start]
    opened = max(before.rfind(q) for q in _QUOTES_OPEN)
    if opened < 0 or "\n" in before[opened:]:
        return False
    after = text[end : end + _MAX_QUOTED]
    closed = min((i for i in (after.find(q) for q in _QUOTES_CLOSE) if i >= 0), default=-1)
    if closed < 0 or "\n" in after[:closed]:
        return False
    return bool(before[opened + 1 :].strip() or after[:closed].strip())


# A role written without a name, its jurisdiction after it: "ผู้ว่าฯ กทม. มอบนโยบาย",
# "โดยมีรองผู้ว่าฯ กทม. เป็นประธาน" (a role, not a person nor the organization).
_ROLE_BEFORE = re.compile(r"(?:^|[\n“\"#(]|โดยมี|โดย|และ|กับ|ของ|ให้|ว่า|นำโดย)\s*(?:รอง ?)?"
                          r"(?:ผู้ว่าฯ|ผู้ว่าราชการ|ผว\.|ปลัดฯ|ปลัด|ป\.) ?$")


def bangkok_reading(text: str, start: int, end: int, previous: Match | None) -> str:
    """ORG (the administration acting or owning), LOC (the province, as in an address) or
    O (part of another name, or of a role) for a mention of กรุงเทพมหานคร/กทม./กรุงเทพฯ."""
    glued = text[max(0, start - 12) : start]
    if glued.endswith(_NAME_HEADS_BEFORE) or in_quoted_phrase(text, start, end):
        return "O"
    line_start = max(text.rfind("\n", 0, start) + 1, start - 40)
    if _ROLE_BEFORE.search(text, line_start, start):
        return "O"
    before = glued.rstrip()
    if before.endswith(_PLACE_CUES):
        return "LOC"
    if text.startswith(_PLACE_FOLLOWERS, end) or text[end : end + 1] == " " and \
            text.startswith(_PLACE_FOLLOWERS, end + 1):
        return "LOC"
    if before == glued or not before:
        return "ORG"
    # an address: "เขตยานนาวา กรุงเทพมหานคร", "(ฝั่งพระราม 3) กรุงเทพมหานคร",
    # "ถนนพระรามที่ 6 กรุงเทพฯ"
    if before[-1] == ")":
        # "(ฝั่งพระราม 3) กรุงเทพมหานคร" is an address; "(สนน.) กรุงเทพมหานคร" an affiliation
        opened = text.rfind("(", max(0, start - 40), start)
        inside = text[opened + 1 : start] if opened >= 0 else ""
        if any(ch.isdigit() for ch in inside) or _ADDRESS_WORDS.search(inside):
            return "LOC"
    elif before[-1].isdigit() and _ADDRESS_WORDS.search(text, max(0, start - 30), start):
        return "LOC"
    if previous is not None and previous.entry.label == "LOC" \
            and previous.entry.kind in ("district", "subdistrict") \
            and previous.end == max(0, start - 12) + len(before):
        return "LOC"
    return "ORG"


_ADDRESS_WORDS = re.compile("ถนน|ซอย|ซ\\.|หมู่|เลขที่|ถ\\.|ฝั่ง|แยก|สะพาน|อาคาร|ชั้น")


# An agency's name glued after a building's head is the building ("อาคารรัฐสภา").
_BUILDING_BEFORE = ("อาคาร", "ศาลาว่าการ", "ตึก")


def _inside_other_name(text: str, start: int, surface: str) -> bool:
    before = text[max(0, start - 12) : start]
    if before.endswith(_BUILDING_BEFORE):
        return True
    # "เจ้าหน้าที่ตำรวจจราจร": police officers, not the traffic police unit
    return surface.startswith("ตำรวจ") and before.endswith("เจ้าหน้าที่")


def gazetteer_matches(text: str, words: list[str]) -> list[Match]:
    """Non-overlapping matches, leftmost-longest, aligned with token boundaries."""
    entries, first_words = _table()
    starts = [0, *accumulate(map(len, words))]
    n = len(words)
    out: list[Match] = []
    covered = 0
    for i in [i for i, w in enumerate(words) if w in first_words]:
        start = starts[i]
        if start < covered:
            continue
        # longest first: try each later token end, up to MAX_NAME_TOKENS tokens
        for j in range(min(n, i + MAX_NAME_TOKENS), i, -1):
            surface = text[start : starts[j]]
            entry = entries.get(surface)
            if entry is None:
                continue
            if surface in BANGKOK_ALIASES:
                reading = bangkok_reading(text, start, starts[j], out[-1] if out else None)
                if reading == "LOC":
                    entry = GazetteerEntry("LOC", BANGKOK, "province", "10")
                elif reading == "O":
                    entry = BLOCK
            elif entry.label == "ORG" and _inside_other_name(text, start, surface):
                entry = BLOCK
            out.append(Match(start, starts[j], entry))
            covered = starts[j]
            break
    return out
