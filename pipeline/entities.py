"""Entities with character offsets: the CRF, gazetteer rulers, and canonical forms."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

from core.records import Entity
from core.thai_calendar import find_thai_dates
from pipeline.gazetteer import Match, gazetteer_matches, in_quoted_phrase
from pipeline.lexicon import BANGKOK, BANGKOK_ALIASES, ORG_HEADS, PLACE_PREFIXES, lexicon
from pipeline.ner import CrfTagger, decode, default_tagger
from pipeline.normalise import Normalised, normalise
from pipeline.rules import RUN_STOP, rule_matches
from pipeline.tokenise import segment, sentences


def crf_spans_many(
    docs: list[list[str]], tagger: CrfTagger | None = None
) -> list[list[tuple[int, int, str]]]:
    """CRF entity spans for several token lists (each concatenating to a normalised text),
    decoded together."""
    tagger = tagger or default_tagger()
    jobs: list[tuple[int, list[str], int]] = []  # doc index, sentence tokens, char offset
    for d, words in enumerate(docs):
        starts = [0, *accumulate(map(len, words))]
        for a, b in sentences(words):
            jobs.append((d, words[a:b], starts[a]))
    tagged = tagger.tag_many([words for _, words, _ in jobs])
    out: list[list[tuple[int, int, str]]] = [[] for _ in docs]
    for (d, words, offset), labels in zip(jobs, tagged, strict=True):
        out[d].extend(decode(words, labels, offset))
    return out


def crf_spans_words(
    words: list[str], tagger: CrfTagger | None = None
) -> list[tuple[int, int, str]]:
    """CRF entity spans over tokens whose concatenation is the (normalised) text."""
    return crf_spans_many([words], tagger)[0]


def crf_spans_texts(
    texts: list[str], tagger: CrfTagger | None = None
) -> list[list[tuple[int, int, str]]]:
    """CRF entity spans with offsets into each text (normalised internally, mapped back),
    decoded together."""
    norms = [normalise(t) for t in texts]
    spans = crf_spans_many([segment(n.text) for n in norms], tagger)
    return [
        [(*n.to_original(s, e), label) for s, e, label in doc]
        for n, doc in zip(norms, spans, strict=True)
    ]


# --- the hybrid: CRF + gazetteer + rules ---------------------------------------------

_LABELS = {"PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "LOC", "DATE": "DATE"}


def _entity(text: str, label: str, start: int, end: int, canonical: str,
            kind: str | None = None, code: str | None = None) -> Entity:
    """An Entity from values this module has already checked (no validation: a hot path)."""
    return Entity.model_construct(text=text, label=label, start=start, end=end,
                                  canonical=canonical, kind=kind, code=code)


def split_title(name: str) -> tuple[str, str]:
    """"พล.ต.อ.ดร.สมชาย ใจดี" -> ("พล.ต.อ.ดร.", "สมชาย ใจดี"): stacked titles come off."""
    titles = _titles_at()
    title_end = 0
    rest = name
    while True:
        m = titles.match(rest)
        if m is None:
            break
        t = m.group(0)
        if len(rest) == len(t):  # a title alone: a shorter title may leave a name
            t = next((x for x in lexicon().titles if rest.startswith(x) and len(rest) > len(x)),
                     "")
            if not t:
                break
        nxt = rest[len(t) :]
        stripped = nxt.lstrip()  # "พันตำรวจเอก ทวี": a space may follow the title
        title_end += len(t) + len(nxt) - len(stripped)
        rest = stripped
    return name[:title_end].strip(), rest.strip()


@lru_cache(maxsize=1)
def _titles_at() -> re.Pattern[str]:
    """The titles, longest first, as one pattern (a C loop instead of a Python one)."""
    return re.compile("|".join(map(re.escape, lexicon().titles)))


def classify_place(text: str) -> tuple[str, str, str | None]:
    """Canonical name (prefix off), kind and DOPA code of a location mention."""
    lex = lexicon()
    if text in BANGKOK_ALIASES:
        return BANGKOK, "province", "10"
    foreign = lex.foreign_places.get(text)
    if foreign is not None:
        return foreign[0], foreign[1], None
    for prefix, kind in PLACE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            name = text[len(prefix) :].strip()
            if name in BANGKOK_ALIASES:
                return BANGKOK, "province", "10"
            if kind == "province":
                place = lex.places.get(name)
                return name, kind, place.code if place else None
            if kind == "country":
                return lex.foreign_places.get(name, (name, kind))[0], kind, None
            place = lex.places.get(f"{kind}:{name}")
            if place is not None:
                return name, kind, place.code
            if prefix in ("แขวง", "อำเภอ", "ตำบล"):
                return name, kind, None
            if prefix == "เขต":  # "เขตแนวรถไฟ": a zone, not one of the 50 districts
                return text, "facility", None
    if text in lex.provinces:
        return text, "province", lex.places[text].code
    if text in lex.countries:
        return text, "country", None
    return text, "facility", None


# Institutions the CRF sometimes tags as places (a venue): organizations (GUIDE.md).
_INSTITUTION_HEADS = ("โรงเรียน", "โรงพยาบาล", "สถานีตำรวจ", "มหาวิทยาลัย", "วิทยาลัย")


# Words the CRF sometimes glues to the front of a titled name ("โดยมีนายก ข").
_LEADING_WORD = re.compile("(?:โดยมี|มี|โดย|และ|กับ|ให้|ว่า|ที่|ของ|จาก|ถึง|แก่|ต่อ|คือ|นำโดย)")


def _make(text: str, start: int, end: int, label: str) -> Entity | None:
    surface = text[start:end]
    if not any(ch.isalpha() for ch in surface):
        return None  # ")" or "112/38" is not a name
    if label == "PERSON":
        if surface.startswith(_BUILDING_HEADS):  # "โรงแรม เดอะ สุโกศล"
            return _entity(surface, "LOC", start, end, surface, "facility")
        lead = _LEADING_WORD.match(surface)
        if lead and split_title(surface[lead.end() :])[0]:
            # "มีนายก ข": a word glued before the title is not part of the name
            start += lead.end()
            surface = surface[lead.end() :]
        title, name = split_title(surface)
        if not name or any(ch.isdigit() for ch in name):  # names have no digits
            return None
        name = name.rstrip("ฯ").strip()  # "สุทธิพงษ์ฯ": the abbreviation mark is not the name
        return _entity(surface, label, start, end, name)
    if label == "ORG":
        if surface.startswith(_BUILDING_HEADS):
            return _entity(surface, "LOC", start, end, surface, "facility")
        agency = lexicon().agencies.get(surface)
        return _entity(surface, label, start, end, agency.name if agency else surface)
    if label == "LOC" and surface.startswith(_INSTITUTION_HEADS) and len(surface) > 10:
        # a school or hospital named as the venue ("ณ โรงเรียน…") is still the organization
        agency = lexicon().agencies.get(surface)
        return _entity(surface, "ORG", start, end, agency.name if agency else surface)
    if label == "LOC":
        canonical, kind, code = classify_place(surface)
        if not any(ch.isalpha() for ch in canonical):
            return None
        return _entity(surface, label, start, end, canonical, kind, code)
    return None


@lru_cache(maxsize=1)
def _position_inside() -> re.Pattern[str]:
    heads = "|".join(re.escape(p) for p in lexicon().positions if len(p) > 3)
    return re.compile(rf"(?<=[^\s]{{2}})(?:{heads})|(?<=[^\s]{{2}}) (?=(?:รอง|ผู้ช่วย)?(?:{heads}))")


def _cut_person_at_position(text: str, start: int, end: int) -> int:
    """A position glued to the name ("...วัฒนเขจรรองปลัดกรุงเทพมหานคร") or after a space
    ("สมชาย ใจดี วิศวกรโยธาชำนาญการ") ends the name."""
    m = _position_inside().search(text, start, end)
    if m is None or text[m.start()] == " " and " " not in text[start : m.start()].strip():
        return end  # "พันตำรวจเอก ผู้…": the space after a title, not after a surname
    return m.start()


@lru_cache(maxsize=1)
def _glued_surname() -> re.Pattern[str]:
    heads = "|".join(re.escape(p) for p in lexicon().positions if len(p) > 3)
    return re.compile(rf" ([\u0e01-\u0e4e]{{2,30}}?) ?(?:{heads})")


def _extend_to_glued_surname(text: str, start: int, end: int) -> int:
    """"นางสาวสมใจ ใจดีผู้อำนวยการเขตบางรัก", "นายสมชีพ มั่นคง ผู้อำนวยการเขต…": a given name
    with a title, then one word, then a position: that word is the surname."""
    surface = text[start:end]
    if " " in surface.strip() or not split_title(surface)[0]:
        return end
    m = _glued_surname().match(text, end)
    if m is None or not _may_be_surname(m.group(1), spaced=text.startswith(" ", m.end(1))):
        return end
    return m.end(1)


def _may_be_surname(word: str, spaced: bool) -> bool:
    """A verb or conjunction after the name is not a surname ("ร่วมกับ", "ได้มอบหมาย…"), but
    a surname may begin like one ("พร้อมพันธุ์", "ร่วมจิตร") when it stands alone between
    spaces before the position."""
    head = next((w for w in _NOT_SURNAMES if word.startswith(w)), None)
    if head is None:
        return True
    rest = word[len(head):]
    return bool(rest) and spaced and not rest.startswith(_NOT_SURNAME_CONTINUATIONS)


# Words that follow a name but are not a surname (verbs, conjunctions).
_NOT_SURNAMES = ("กล่าว", "เปิดเผย", "ได้", "และ", "พร้อม", "ร่วม", "เป็น", "ให้", "ซึ่ง", "โดย",
                 "ดำรง", "อยู่", "สั่ง", "โดน", "ถูก", "เคย", "ยืนยัน", "รับ", "ขอ",
                 "ใน", "ที่", "ว่า", "จึง", "ยัง", "จะ", "เผย", "ระบุ", "แถลง", "มอบ", "นำ")


# What follows such a word in a phrase that is not a name ("ร่วมกับ", "พร้อมด้วย").
_NOT_SURNAME_CONTINUATIONS = ("กับ", "ด้วย", "คณะ", "ทั้ง", "ว่า", "ให้", "แก่", "ต่อ", "มอบ", "รับ",
                              "ตำแหน่ง", "ถึง", "อีก", "การ", "หมาย", "ตัว", "ไป", "มา", "เพิ่ม",
                              "ใน", "ที่", "เป็น")


def merge_matches(table: list[Match], rules: list[Match]) -> list[Match]:
    """Pattern matches win over table matches they overlap."""
    if not rules:
        return table
    strong = _Intervals([(m.start, m.end) for m in rules])
    kept = [m for m in table if not strong.overlapping(m.start, m.end)]
    return sorted([*kept, *rules], key=lambda m: m.start)


def extract_entities(
    text: str,
    words: list[str],
    crf: list[tuple[int, int, str]],
    matches: list[Match] | None = None,
) -> list[Entity]:
    """Entities of normalised `text` from its tokens and the CRF's spans.

    Pattern matches (pipeline.rules) win over everything they overlap. The gazetteer wins
    where it overlaps the CRF, except that a CRF organization which starts with an
    organization head and contains a gazetteer name (โรงเรียนวัดบางรัก) stays whole.
    """
    if matches is None:
        matches = gazetteer_matches(text, words)
    matches = merge_matches(matches, rule_matches(text, words))
    gazetteer = _Intervals([(m.start, m.end) for m in matches])
    by_span = {(m.start, m.end): m for m in matches}
    entities: list[Entity] = []
    kept = _Intervals([])
    for s, e, raw_label in crf:
        label = _LABELS.get(raw_label)
        if label is None or label == "DATE":
            continue
        if label == "PERSON":
            e = _cut_person_at_position(text, s, e)
            e = _extend_to_glued_surname(text, s, e)
        if label == "ORG":
            e = _cut_generic_head(text, s, e)
            s, label = _organization_or_member(text, s, e)
        overlapping = gazetteer.overlapping(s, e)
        if overlapping:
            spans = [by_span[o] for o in overlapping]
            if any(m.strong for m in spans):
                continue
            inside = all(s <= a and b <= e and (a, b) != (s, e) for a, b in overlapping)
            if label == "ORG" and inside:
                e = _cut_before_affiliation(text, s, e, overlapping)
                if any(m.entry.label == "O" for m in spans) or text.startswith("คณะ", s) \
                        and not text.startswith("คณะกรรมการ", s) \
                        and any(m.entry.label == "ORG" for m in spans):
                    continue  # "คณะผู้บริหารกรุงเทพมหานคร": the known name is the entity
            elif not (inside and (label == "PERSON" and _glued_inside(text, s, e, spans)
                                  or label == "LOC" and _glued_places(text, spans))):
                continue
        ent = _make(text, s, e, label)
        if ent is not None and not kept.overlapping(s, e):
            entities.append(ent)
            kept.add(s, e)
    for m in matches:
        if kept.overlapping(m.start, m.end):
            continue
        kept.add(m.start, m.end)
        if m.entry.label == "O":
            continue  # part of another name: no entity, and nothing else there either
        entities.append(_entity(text[m.start : m.end], m.entry.label, m.start, m.end,
                               m.entry.canonical, m.entry.kind, m.entry.code))
    for d in find_thai_dates(text):
        if not kept.overlapping(*d.date_span):
            start, end = d.date_span
            entities.append(_entity(text[start:end], "DATE", start, end,
                                    d.value.date().isoformat()))
            kept.add(start, end)
    _add_names_after_short_titles(text, entities, kept)
    _add_repeated_given_names(text, words, entities, kept)
    entities = [e for e in entities if not _not_an_entity(text, e)]
    entities.sort(key=lambda x: (x.start, x.end))
    _link_short_person_names(entities)
    return resolve_generic(text, entities)


def _glued_inside(text: str, start: int, end: int, spans: list[Match]) -> bool:
    """A place name glued to the end of a surname ("พิทักษ์ไทย") or to the rest of it
    ("ไทยเขียว"), or a surname of the form "ณ สงขลา": the person stays."""
    one_space = text.count(" ", start, end) <= 1
    return all(
        m.entry.label == "LOC" and m.start > start and (
            one_space and m.end == end and _is_letter(text[m.start - 1])
            or one_space and m.end < end and text[m.start - 1] == " " and _is_letter(text[m.end])
            or m.end == end and text.endswith("ณ ", start, m.start))
        for m in spans)


def _glued_places(text: str, spans: list[Match]) -> bool:
    """"โรงพยาบาลเพชรบูรณ์", "แม่น้ำเพชรบุรี", "ตลาดคลองเตย": a place glued inside a
    facility's name is part of it (GUIDE.md), and the facility stays whole."""
    return all(m.entry.label == "LOC" and _is_letter(text[m.start - 1]) for m in spans)


def _is_letter(ch: str) -> bool:
    """A letter, Thai vowel and tone marks included (str.isalpha says no to "ู", "์")."""
    return ch.isalpha() or "\u0e01" <= ch <= "\u0e4e"


def _cut_before_affiliation(text: str, s: int, e: int,
                            inner: list[tuple[int, int]]) -> int:
    """"ศูนย์เอราวัณ สำนักการแพทย์": a known name after a space ends the CRF's name there,
    unless all before it is a bare head ("สำนักงาน กกต.": the commission's office)."""
    for a, b in sorted(inner):
        if a > s + 1 and b == e and text[a - 1] == " " and text[s : a - 1] not in ORG_HEADS:
            return a - 1
    return e


# District-office and PR heads that are generic when no district follows them.
_GENERIC_HEADS = ("สำนักงานเขต", "สนง.เขต", "สนง.", "ปชส.", "ศบส.")


# "ที่ประชุมสภา กทม.": the meeting of a known body is the body.
_MEETING_HEADS = ("ที่ประชุม",)
# Members' titles written before a name ("ส.ก.ธวัชชัย"): a person, not the council.
_MEMBER_TITLES = ("ส.ก.", "ส.ส.", "ส.ว.")
# ... unless what follows is the body or the constituency ("ส.ก.เขตบึงกุ่ม", "ส.ส.พรรค…").
_MEMBER_NOT_NAME = ("เขต", "กทม", "กรุงเทพ", "จังหวัด", "พรรค", "ทุก", "และ", " ")


def _organization_or_member(text: str, s: int, e: int) -> tuple[int, str]:
    """Where an organization span the CRF found starts, and whether it is one."""
    for head in _MEETING_HEADS:  # (ที่ประชุมอธิการบดีแห่งประเทศไทย is a name of its own)
        if text.startswith(head, s) and text[s + len(head) : e].strip() in lexicon().agencies:
            s += len(head)
    for title in _MEMBER_TITLES:
        name_at = s + len(title) if text.startswith(title, s) else s
        if (name_at > s or text.endswith(title, 0, s)) and e - name_at > 1 \
                and not text.startswith(_MEMBER_NOT_NAME, name_at):
            return name_at, "PERSON"
    return s, "ORG"


def _cut_generic_head(text: str, s: int, e: int) -> int:
    """"สำนักงานเขตประสานกับการไฟฟ้านครหลวง", "สำนักงานเขตทั้ง 50 เขต": the CRF ran a generic
    head into the sentence; only the head is the (generic) mention."""
    surface = text[s:e]
    for head in _GENERIC_HEADS:
        if surface.startswith(head) and len(surface) > len(head) + 1:
            rest = surface[len(head) :]
            if rest[:1] == " " or segment(rest)[0] in RUN_STOP:
                return s + len(head)
    return e


# Heads of rooms and floors: never a place a journalist follows.
_ROOM = re.compile(r"(?:ห้อง|ชั้น ?\d|ชั้นที่|ลาน(?:อเนกประสงค์|จอด)|โถง)")
# Heads of buildings the CRF tags as organizations (ศาลาว่าการกรุงเทพมหานคร): facilities.
_BUILDING_HEADS = ("ศาลาว่าการ", "อาคาร", "ตึก", "โรงแรม", "หอประชุม", "ลานคนเมือง")
# Nouns a country glued after makes an adjective of (คนไทย, ภาษาไทย, อาหารจีน: the people,
# language, goods or style, ANNOTATION.md). After any other word the country itself is
# meant: a verb's object or place (ช่วยอินโดนีเซีย, น้ำท่วมอิรัก, เที่ยวไทย), a preposition
# (ระหว่างไทยกับจีน), a government or leader of it (รัฐบาลญี่ปุ่น, ทางการสหรัฐฯ).
_ADJECTIVE_HEADS = ("คน", "ชาว", "ภาษา", "อาหาร", "มวย", "ผ้า", "ศิลปะ", "วัฒนธรรม", "สังคม",
                    "ครู", "นักเรียน", "นักศึกษา", "นักกีฬา", "นักท่องเที่ยว", "แรงงาน", "สินค้า",
                    "ข้าว", "ผลไม้", "เพลง", "ดนตรี", "ฟอนต์", "อักษร", "หญิง", "ชาย", "เด็ก",
                    "ทีมชาติ", "ทีม", "สไตล์", "ลาย", "ขนม", "นวด", "สมุนไพร", "ภูมิปัญญา", "วิถี",
                    "ความเป็น", "เอกลักษณ์", "แบรนด์", "บริษัท", "ชาติ", "ลูกหลาน", "พี่น้อง",
                    "เกษตรกร", "ผู้ประกอบการ", "นักลงทุน", "ทุน", "ธุรกิจ", "ยา", "แพทย์แผน")
_HASHTAG = re.compile(r"#[^\s#]+")


def _not_an_entity(text: str, ent: Entity) -> bool:
    """Rooms and floors, a country as an adjective (คนไทย), anything inside a hashtag."""
    if ent.label == "DATE":
        return False
    if ent.label == "LOC" and ent.kind == "facility" and _ROOM.match(ent.text):
        return True
    if "#" in text[max(0, ent.start - 60) : ent.start]:
        line_start = text.rfind("\n", 0, ent.start) + 1
        line_end = text.find("\n", ent.end)
        for m in _HASHTAG.finditer(text, line_start, line_end if line_end >= 0 else len(text)):
            # "#สื่อสารรัฐบาลไทย", "#ไทยคู่ฟ้า": inside a hashtag; "#เขตลาดพร้าว" is the
            # district itself
            if m.start() < ent.start and ent.end <= m.end() \
                    and (m.start() + 1, m.end()) != (ent.start, ent.end):
                return True
    if ent.label == "LOC" and ent.kind == "country" and ent.start > 0:
        before = text[max(0, ent.start - 10) : ent.start]
        if before.endswith("แห่ง"):  # "การรถไฟแห่งประเทศไทย": part of a name
            return True
        if ent.text == ent.canonical and _is_letter(text[ent.start - 1]):
            # คนไทย, ภาษาไทย: an adjective; “โอกาสไทย”: part of a quoted slogan
            return before.endswith(_ADJECTIVE_HEADS) or in_quoted_phrase(text, ent.start, ent.end)
    if ent.label == "PERSON" and _ROYAL_ROLE.fullmatch(ent.canonical):
        return True
    if ent.label == "ORG" and (ent.text in lexicon().positions
                               or ent.text.startswith(_NOT_ORGANIZATIONS)):
        return True
    return ent.label in ("ORG", "LOC") and sum(ch.isalpha() for ch in ent.text) < 2


# Royal titles without a personal name are roles, not persons (GUIDE.md).
_ROYAL_ROLE = re.compile(r"(?:พระบาท)?สมเด็จพระเจ้าอยู่หัว|พระเจ้าอยู่หัว|(?:สมเด็จ)?พระราชินี"
                         r"|สมเด็จพระนางเจ้า(?:พระบรม)?ราชินี|พระบาทสมเด็จพระเจ้าอยู่หัวฯ")
# Internal sections without a proper name and volunteer schemes (ANNOTATION.md, GUIDE.md).
_NOT_ORGANIZATIONS = ("ฝ่าย", "กลุ่มงาน", "อปพร.", "จิตอาสา")


class _Intervals:
    """Non-overlapping [start, end) intervals with overlap queries in O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._spans = spans

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        i = bisect_left(self._starts, end)  # spans starting before `end`
        out = []
        while i > 0 and self._spans[i - 1][1] > start:
            out.append(self._spans[i - 1])
            i -= 1
        return out

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._spans.insert(i, (start, end))


@lru_cache(maxsize=1)
def _short_position_then_word() -> re.Pattern[str]:
    heads = "|".join(re.escape(p) for p in lexicon().positions if p.endswith(("ฯ", ".")))
    return re.compile(rf"(?:{heads}) ([\u0e01-\u0e4e]{{3,20}})(?=[\s,()]|$)")


def _add_names_after_short_titles(text: str, entities: list[Entity], kept: _Intervals) -> None:
    """"ผู้ว่าฯ ชัชชาติ", "รองปลัดฯ ชาตรี": after an abbreviated position, a word that is a
    known given name or not in the dictionary is the person's given name."""
    from pipeline.ner import _word_sets

    sets = _word_sets()
    for m in _short_position_then_word().finditer(text):
        name = m.group(1)
        start, end = m.span(1)
        known = name in sets["given"] or name in lexicon().executives_given
        if segment(name)[0] in RUN_STOP:
            continue  # "ป.กทม. พร้อมคณะผู้บริหาร": a verb, not a name
        if (known or name not in sets["dict"]) and not kept.overlapping(start, end):
            entities.append(_entity(name, "PERSON", start, end, name))
            kept.add(start, end)


# A given name this short is too often an ordinary word to be searched for on its own.
_MIN_GIVEN_NAME_CHARS = 3


def _add_repeated_given_names(
    text: str, words: list[str], entities: list[Entity], kept: _Intervals
) -> None:
    """"รองปลัดฯ ชาตรี" after "นายชาตรี วัฒนเขจร": the given name alone is the same person."""
    given = {e.canonical.split(" ", 1)[0] for e in entities
             if e.label == "PERSON" and " " in e.canonical}
    if not given:
        return
    starts = ends = set(accumulate(map(len, words), initial=0))
    for name in given:
        if len(name) < _MIN_GIVEN_NAME_CHARS:
            continue
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            if at in starts and end in ends and not kept.overlapping(at, end):
                entities.append(_entity(name, "PERSON", at, end, name))
                kept.add(at, end)
            at = text.find(name, end)


def _link_short_person_names(entities: list[Entity]) -> None:
    """A later "ชาตรี" after "นายชาตรี วัฒนเขจร" is the same person: same canonical."""
    full: dict[str, str] = {}
    for e in entities:
        if e.label == "PERSON" and " " in e.canonical:
            full.setdefault(e.canonical.split(" ", 1)[0], e.canonical)
    for ent in entities:
        if ent.label == "PERSON" and " " not in ent.canonical:
            ent.canonical = full.get(ent.canonical, ent.canonical)


def to_original(entities: list[Entity], norm: Normalised) -> list[Entity]:
    """Move offsets from the normalised text to the original; text = original[start:end]."""
    if norm.starts is None:
        return entities
    out = []
    for ent in entities:
        s, e = norm.to_original(ent.start, ent.end)
        surface = norm.original[s:e]
        if not surface:
            continue
        out.append(_entity(surface, ent.label, s, e, ent.canonical, ent.kind, ent.code))
    return out


# --- generic words: resolved to the organization the release is about, else dropped ---

# Generic mentions and the family of names they stand for.
_GENERIC_DISTRICT = re.compile(r"(?:สำนักงานเขต|สนง\.(?: ?เขต)?)ฯ?")
_GENERIC_PR = re.compile(r"ปชส\.(?: ?เขต)?ฯ?")
_GENERIC_HEALTH = re.compile(r"(?:ศบส\.|ศูนย์บริการสาธารณสุข)ฯ?")
# "มูลนิธิฯ", "คณะกรรมการฯ", "ศูนย์ฯ": a head word and the abbreviation mark alone.
_GENERIC_ABBREVIATED = re.compile(
    "(" + "|".join(sorted((re.escape(h) for h in ORG_HEADS), key=len, reverse=True)) + ")ฯ")
# A release about every district: its "สำนักงานเขต" is any of them.
_EVERY_DISTRICT = re.compile(r"ทุกเขต|ทุกสำนักงานเขต|(?:ทั้ง )?50 เขต|สำนักงานเขตทั้ง")
# "สำนักงานเขตทั้ง 50 เขต", "ทุกสำนักงานเขต": every district, not one.
_ALL_OF_THEM = re.compile(r"\s?(?:ทั้ง|ทุก|\d)")


_GENERIC_STARTS = ("สำนักงานเขต", "สนง.", "ปชส.", "ศบส.", "ศูนย์บริการสาธารณสุข", *ORG_HEADS)


def is_generic(surface: str) -> bool:
    """A generic organization word that names no organization on its own."""
    return any(p.fullmatch(surface) for p in (_GENERIC_DISTRICT, _GENERIC_PR, _GENERIC_HEALTH,
                                               _GENERIC_ABBREVIATED))


def _release_district(text: str, entities: list[Entity]) -> str | None:
    """The one Bangkok district a release is about: the only district office it names,
    else the only Bangkok district it mentions (as a place or in a director's title)."""
    offices = {e.canonical for e in entities
               if e.label == "ORG" and e.canonical.startswith("สำนักงานเขต")
               and e.canonical[len("สำนักงานเขต"):] in lexicon().bangkok_districts}
    if len(offices) == 1:
        return next(iter(offices))[len("สำนักงานเขต"):]
    if offices:
        return None
    districts = {e.canonical for e in entities if e.label == "LOC" and e.kind == "district"
                 and e.code and e.code.startswith("10")}
    for m in _DIRECTOR_OF_DISTRICT().finditer(text):
        districts.add(m.group(1))
    return next(iter(districts)) if len(districts) == 1 else None


@lru_cache(maxsize=1)
def _DIRECTOR_OF_DISTRICT() -> re.Pattern[str]:  # noqa: N802
    names = "|".join(sorted(map(re.escape, lexicon().bangkok_districts), key=len, reverse=True))
    return re.compile(rf"ผู้อำนวยการเขต ?({names})")


def resolve_generic(text: str, entities: list[Entity]) -> list[Entity]:
    """Generic words (สำนักงานเขตฯ, สนง., ปชส., ศบส., มูลนิธิฯ) take the canonical name of
    the one organization of their family the release names (or, for a district office, the
    one district it is about); they are dropped when there is none or several, and when
    they refer to every district ("สำนักงานเขตทั้ง 50 เขต")."""
    if not any(e.label == "ORG" and e.text.startswith(_GENERIC_STARTS) and is_generic(e.text)
               for e in entities):
        return entities
    named = [e for e in entities if e.label == "ORG" and not is_generic(e.text)]

    def only(prefix: str) -> str | None:
        names = {e.canonical for e in named if e.canonical.startswith(prefix)}
        return next(iter(names)) if len(names) == 1 else None

    out = []
    for ent in entities:
        if ent.label != "ORG" or not is_generic(ent.text):
            out.append(ent)
            continue
        resolved: str | None = None
        if _ALL_OF_THEM.match(text, ent.end) or text[max(0, ent.start - 3):ent.start] == "ทุก":
            resolved = None
        elif _GENERIC_DISTRICT.fullmatch(ent.text):
            district = None if _EVERY_DISTRICT.search(text) else _release_district(text, entities)
            resolved = f"สำนักงานเขต{district}" if district else None
        elif _GENERIC_PR.fullmatch(ent.text):
            resolved = only("ปชส.เขต")
        elif _GENERIC_HEALTH.fullmatch(ent.text):
            resolved = only("ศูนย์บริการสาธารณสุข ")
        else:
            m = _GENERIC_ABBREVIATED.fullmatch(ent.text)
            resolved = only(m.group(1)) if m else None
        if resolved:
            ent.canonical = resolved
            out.append(ent)
    return out
