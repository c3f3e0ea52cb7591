"""Officials: each person with the position written next to the name and its organization.

Conventions (docs/annotation.md, ../shared/ANNOTATION.md): the position is the job title as
written right after the name (with or without a space), up to the next space; a trailing
affiliation after a space (" กทม.", "(สนน.)") is not part of it but gives the organization
when the position names none. A position right before the name is used when none follows.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.limits import MAX_POSITION_CHARS
from core.records import Entity, Official
from pipeline.entities import is_generic, split_title
from pipeline.lexicon import BANGKOK, ORG_HEADS, lexicon
from pipeline.tokenise import segment

# Words that end a position glued to the following verb ("...กรุงเทพมหานครกล่าวว่า").
_STOP_WORDS = frozenset((
    "กล่าว", "เปิดเผย", "เป็น", "ได้", "ให้", "และ", "พร้อม", "ร่วม", "นำ", "ลงพื้นที่", "ตรวจ",
    "ว่า", "เพื่อ", "ที่", "ซึ่ง", "โดย", "ใน", "ณ", "เข้า", "มอบ", "เดินทาง", "ประชุม", "ชี้แจง",
    "แถลง", "เผย", "ระบุ", "สั่งการ", "พบ", "กับ", "ของ", "จะ", "ยัง", "ก็",
))
# Verbs the tokeniser may glue to what follows ("กล่าวถึง", "เปิดเผยว่า").
_STOP_PREFIXES = ("กล่าว", "เปิดเผย", "เผย", "ชี้แจง", "แถลง", "ระบุ", "ลงพื้นที่")
# Head words that start the unit inside a position ("อธิบดี|กรมคุมประพฤติ").
_UNIT_HEADS = ("กระทรวง", "กรม", "สำนักงาน", "สำนัก", "โรงพยาบาล", "โรงเรียน", "มหาวิทยาลัย",
               "การไฟฟ้า", "การประปา", "องค์การ", "สถาบัน", "ศูนย์", "กอง", "บริษัท")
_POSITION_STOP_CHARS = " \t\n()[]{},;:\"'“”‘’/"
_MAX_GAP = 1  # at most one space between a name and its position


@lru_cache(maxsize=1)
def _units() -> re.Pattern[str]:
    """Agency names (no spaces) that may sit inside a position, longest first."""
    names = {a for a in lexicon().agencies if " " not in a and len(a) > 3}
    # "เลขาธิการคณะกรรมการดิจิทัล…": the office's name without สำนักงาน names its board
    names |= {a.removeprefix("สำนักงาน") for a in names
              if a.startswith("สำนักงานคณะกรรมการ")}
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


@lru_cache(maxsize=1)
def _spaced_units() -> re.Pattern[str]:
    """Agency names with a space inside, which the run-to-the-next-space rule would cut."""
    names = sorted((a for a in lexicon().agencies if " " in a), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)) or "(?!)")


@lru_cache(maxsize=1)
def _heads() -> re.Pattern[str]:
    """Position heads, longest first (`lexicon().positions` is sorted that way), also as a
    deputy or assistant (รองผู้บัญชาการ, ผู้ช่วยอธิบดี)."""
    return re.compile(f"(?:รอง|ผู้ช่วย)?(?:{'|'.join(map(re.escape, lexicon().positions))})")


def _position_at(text: str, pos: int) -> str:
    """The position starting at `pos`, or "" when no known position head starts there."""
    m = _heads().match(text, pos)
    if m is None:
        return ""
    end = m.end()
    spaced = _spaced_units().match(text, end)
    if spaced is not None:  # "ผู้อำนวยการสำนักวัฒนธรรม กีฬาและการท่องเที่ยว"
        return text[pos : spaced.end()]
    n = len(text)
    run_end = end
    limit = min(n, pos + MAX_POSITION_CHARS)
    while run_end < limit and text[run_end] not in _POSITION_STOP_CHARS:
        run_end += 1
    units = _units()
    while end < run_end:
        # a unit named in the position (สำนักการวางผังและพัฒนาเมือง) is taken whole
        unit = units.match(text, end, run_end)
        if unit is not None:
            end = unit.end()
            continue
        word = segment(text[end:run_end])[0]
        if word == "และ" and _heads().match(text, end + len(word)):
            # "นายกรัฐมนตรีและรัฐมนตรีว่าการกระทรวงการคลัง": a double title is one position
            end += len(word)
            continue
        if word in _STOP_WORDS or word.startswith(_STOP_PREFIXES):
            break
        end += len(word)
    end = _numbered_unit_end(text, pos, end)
    position = text[pos:end]
    # "ผู้อำนวยการเขต บางรัก": a district name after a space still belongs to เขต
    if position.endswith("เขต") and end < n and text[end] == " ":
        for d in lexicon().bangkok_districts:
            if text.startswith(d, end + 1):
                position = text[pos : end + 1 + len(d)]
                break
    return position


# "ผู้อำนวยการศูนย์บริการสาธารณสุข 22 วัดปากบ่อ", "รองผู้บัญชาการมณฑลทหารบกที่ 11": the
# unit's number (and a health centre's name) after a space is still the position.
_NUMBER_AFTER = re.compile(r" ?\d+(?![\d.,:/])")
_NUMBERED_HEADS = ("ศูนย์บริการสาธารณสุข", "ที่")
_ROYAL_GUARD = " รักษาพระองค์"


def _numbered_unit_end(text: str, pos: int, end: int) -> int:
    if not text.startswith(_NUMBERED_HEADS, end - len("ศูนย์บริการสาธารณสุข")) \
            and not text[pos:end].endswith(_NUMBERED_HEADS):
        return end
    m = _NUMBER_AFTER.match(text, end)
    if m is None:
        return end
    end = m.end()
    if text[pos:m.start()].endswith("ศูนย์บริการสาธารณสุข") and text[end : end + 1] == " ":
        name_end = end + 1
        while name_end < len(text) and text[name_end] not in _POSITION_STOP_CHARS:
            word = segment(text[name_end : name_end + 30])[0]
            if word in _STOP_WORDS:
                break
            name_end += len(word)
        if name_end > end + 1:
            end = name_end
    elif text.startswith(_ROYAL_GUARD, end):
        end += len(_ROYAL_GUARD)
    return end


def _position_before(text: str, start: int) -> str:
    """A position that ends right before a name (with at most one space between)."""
    cut = start
    if cut > 0 and text[cut - 1] == " ":
        cut -= 1
    line_start = max(text.rfind("\n", 0, cut), text.rfind(" ", 0, cut)) + 1
    line_start = max(line_start, cut - MAX_POSITION_CHARS)
    for m in _heads().finditer(text, line_start, cut):
        candidate = _position_at(text, m.start())
        if candidate and m.start() + len(candidate) == cut:
            return candidate
    return ""


@lru_cache(maxsize=1)
def _any_agency() -> re.Pattern[str]:
    """Every agency name and alias, longest first."""
    names = sorted(lexicon().agencies, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def organization_of(position: str, following: Entity | None) -> str:
    """The organization a position belongs to: a unit named in it, the BMA, the district
    office, else the affiliation written after it."""
    lex = lexicon()
    best = ""
    for m in _any_agency().finditer(position):
        surface = m.group(0)
        if len(surface) > len(best) and lex.agencies[surface].name != BANGKOK:
            best = surface
    if best:
        return lex.agencies[best].name
    for d in lex.bangkok_districts:
        if position.endswith(("เขต" + d, "เขต " + d)):
            return f"สำนักงานเขต{d}"
    if any(alias in position for alias in ("กรุงเทพมหานคร", "กทม.", "กทม")):
        return BANGKOK
    if following is not None and following.label == "ORG":
        return following.canonical
    # "รองอธิบดีกรมคุมประพฤติ": the unit starts at an organization head word after the head
    for i in range(1, len(position)):
        if position.startswith(_UNIT_HEADS, i):
            unit = position[i:]
            agency = lex.agencies.get(unit)
            return agency.name if agency else unit
    return ""


def _weak(position: str, after: bool) -> bool:
    """A position that a later full one replaces: an abbreviation with ฯ that drops the unit
    (ปลัดฯ, รองผู้ว่าฯ), or one written before the name."""
    return bool(position) and (position.endswith("ฯ") or not after)


def extract_officials(text: str, entities: list[Entity],
                      spans: list[tuple[int, int]] | None = None) -> list[Official]:
    """One official per distinct person (canonical name), in order of first mention.
    `spans`, when given, receives the (start, end) of every position found in the text."""
    by_name: dict[str, Official] = {}
    weak: dict[str, bool] = {}  # the position kept is abbreviated or written before the name
    orgs = {e.start: e for e in entities if e.label == "ORG"}
    taken_until = 0  # end of the last position given after a name
    for ent in entities:
        if ent.label != "PERSON":
            continue
        pos = ent.end
        gap = 0
        while pos < len(text) and text[pos] == " " and gap < _MAX_GAP:
            pos += 1
            gap += 1
        position = _position_at(text, pos)
        position_end = pos + len(position)
        after_name = bool(position)
        if position:
            taken_until = position_end
            if spans is not None:
                spans.append((pos, position_end))
        else:
            position = _position_before(text, ent.start)
            position_end = ent.end
            if position and ent.start - len(position) - 1 < taken_until:
                # "นายก ข อธิบดีกรมX พลตำรวจเอก ค ง": that position is the previous name's
                position = ""
            if position and spans is not None:
                before = ent.start - (1 if text[ent.start - 1 : ent.start] == " " else 0)
                spans.append((before - len(position), before))
        following = None
        if position:
            after = position_end
            while after < len(text) and text[after] in " (":
                after += 1
            following = orgs.get(after)
        official = Official(
            name=ent.canonical,
            title=split_title(ent.text)[0],
            position=position,
            organization=organization_of(position, following) if position else "",
        )
        known = by_name.get(ent.canonical)
        if known is None:
            by_name[ent.canonical] = official
            weak[ent.canonical] = _weak(position, after_name)
        elif position and (not known.position or weak[ent.canonical]
                           and not _weak(position, after_name)):
            # the headline's "ปลัดฯ จตุพร" gives way to the body's full title
            weak[ent.canonical] = _weak(position, after_name)
            by_name[ent.canonical] = Official(
                name=known.name, title=known.title or official.title, position=position,
                organization=official.organization,
            )
    return list(by_name.values())


# Civil-service levels: a span holding one is part of a title, not an organization.
_LEVEL_WORDS = re.compile("ชำนาญการ|ชำนาญงาน|ปฏิบัติการ|ปฏิบัติงาน|อาวุโส|ทรงคุณวุฒิ")


def units_in_positions(text: str, entities: list[Entity],
                       spans: list[tuple[int, int]]) -> list[Entity]:
    """A unit named in a position is an organization (ANNOTATION.md): "ที่ปรึกษาคณะกรรมการ
    วิสาหกิจชุมชน…บางขุนเทียน" names the committee whole (over a shorter piece the CRF
    found at its start). Pieces of a civil-service title the CRF took for an organization
    ("สาธารณสุขชำนาญการพิเศษ" in นักวิชาการสาธารณสุขชำนาญการพิเศษ) are dropped."""
    if not spans:
        return entities
    lex = lexicon()
    out = list(entities)
    for start, end in spans:
        head = _heads().match(text, start)
        if head is None:
            continue
        unit_start = head.end()
        unit = text[unit_start:end]
        inside = [e for e in out if e.label == "ORG" and start <= e.start and e.end <= end]
        overlapping = [e for e in out if e.label != "DATE" and e.start < end and unit_start < e.end]
        if unit.startswith(ORG_HEADS) and len(unit) > 6 and not is_generic(unit) \
                and not _LEVEL_WORDS.search(unit) \
                and all(e.label == "ORG" and e.start == unit_start and e.end < end
                        for e in overlapping):
            agency = lex.agencies.get(unit)
            out = [e for e in out if e not in inside or e.start < unit_start]
            out.append(Entity.model_construct(
                text=unit, label="ORG", start=unit_start, end=end,
                canonical=agency.name if agency else unit, kind=None, code=None))
            continue
        for e in inside:
            if _LEVEL_WORDS.search(e.text) and e.text not in lex.agencies:
                out.remove(e)
    out.sort(key=lambda x: (x.start, x.end))
    return out
