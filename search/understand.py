"""What a query is about: its concepts, each with the forms a release may write it in.

"น้ำท่วม บางเขน" is two concepts: flooding (น้ำท่วม, น้ำท่วมขัง, อุทกภัย) and the district
บางเขน (a place entity). "ผู้ว่าฯ กทม." is one concept, the governor's position, with every
way releases write it. Concepts come from, longest match first:

- the variants lexicon `search/data/variants.json` (positions and their short forms as BMA
  staff write them, national agencies, spellings),
- the BMA agency registry `pipeline/data/agencies.json` (names and abbreviations),
- the gazetteer: Bangkok's districts and subdistricts, the provinces (with or without
  เขต / แขวง / จังหวัด),
- a Buddhist-era year, which a release may also write in the common era (2567 / 2024).

Whatever is left is split by the tokeniser; a run of a few words stays one concept (a
phrase), a longer run gives a concept per word. Stopwords and titles (นาย, นาง) are dropped
unless nothing else is left. Every form is analysed by `pipeline.analysis.analyse`, the
analysis the documents were indexed with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.thai_calendar import BE_OFFSET, TO_ARABIC_DIGITS

VARIANTS_FILE = Path(__file__).parent / "data" / "variants.json"
# A run of at most this many words the lexicons do not know stays one phrase concept.
MAX_PHRASE_WORDS = 6
# A query of more concepts than this (a pasted title) keeps the longest ones: each concept is
# a few clauses, and a hundred of them would make a slow query for no better ranking.
MAX_CONCEPTS = 8
# Function words are dropped from a words concept of at least this many tokens.
MIN_STRIP_TOKENS = 4
# Weight of a related form (a near-synonym) against an exact form.
RELATED_WEIGHT = 0.5
# A mined abbreviation is also looked up without its dots when it has this many letters
# (สปสช for สปสช.; not ชม for ชม., a word).
MIN_DOTLESS_LETTERS = 3
# The ways releases refer to Bangkok's administration after a position or a body's name
# (ผู้ว่าราชการกรุงเทพมหานคร, ผู้ว่าราชการ กทม., ผู้ว่าฯ กรุงเทพฯ): a form ending in one of them
# stands for the same thing with each of the others.
BMA_REFERENCES = ("กรุงเทพมหานคร", "กทม.", "กรุงเทพฯ")
_YEAR = re.compile(r"^(25[0-9]{2})$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# English function words (and Lucene's operators typed as words) are not concepts.
ENGLISH_STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of", "on", "or", "not", "the", "to", "with"])


@dataclass(frozen=True)
class Form:
    text: str  # as written (for highlighting)
    analysed: str  # as indexed (for the phrase query)
    weight: float = 1.0
    gaps: int = 0  # function words dropped from inside `analysed` (widen the phrase slop)
    # longer positions that end with this one (รอง ผู้ว่าราชการ กรุงเทพมหานคร for ผู้ว่าราชการ
    # กรุงเทพมหานคร), analysed: a match inside one of them is another position, not this one
    not_inside: tuple[str, ...] = ()


@dataclass
class Concept:
    """One thing the query asks for, and the ways a release may say it."""

    text: str  # the query's own words for it
    forms: list[Form] = field(default_factory=list)
    # canonical entity names: {"persons"|"organizations"|"places": name}
    entities: dict[str, str] = field(default_factory=dict)
    kind: str = "words"  # words, variant, agency, place, year

    @property
    def needles(self) -> list[str]:
        """What highlighting marks: the exact forms (not near-synonyms)."""
        return [f.text for f in self.forms if f.weight >= 1.0]


@dataclass(frozen=True)
class _Entry:
    forms: tuple[tuple[str, float], ...]
    entities: tuple[tuple[str, str], ...]
    kind: str


def _fold(text: str) -> str:
    return text.lower().translate(TO_ARABIC_DIGITS)


def with_bma_references(forms: list[str]) -> list[str]:
    """`forms` and, for each form ending in a reference to Bangkok's administration after
    a head (a position, a body), the same head with every other reference."""
    out = list(forms)
    for form in forms:
        for ref in BMA_REFERENCES:
            head = form[: -len(ref)].rstrip() if form.endswith(ref) else ""
            if head and not head.endswith(BMA_REFERENCES):
                out += [head + sep + other for other in BMA_REFERENCES for sep in ("", " ")]
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def surfaces() -> dict[str, _Entry]:
    """Every surface form a query may contain -> the concept it names."""
    from pipeline.analysis import base_words
    from pipeline.lexicon import lexicon

    out: dict[str, _Entry] = {}
    lex = lexicon()

    def add(surface: str, entry: _Entry, replace: bool = False) -> None:
        key = _fold(surface).strip()
        if key and (replace or key not in out):
            out[key] = entry

    raw = json.loads(VARIANTS_FILE.read_text(encoding="utf-8"))
    related: dict[str, list[str]] = {}
    for group in raw.get("related", []):
        for form in group["forms"]:
            related.setdefault(_fold(form), []).extend(group["related"])
    agencies = {}
    for agency in {a.name: a for a in lex.agencies.values()}.values():
        agencies[agency.name] = agency
    for group in raw["groups"]:
        forms = with_bma_references(list(dict.fromkeys(group["forms"])))
        entities: tuple[tuple[str, str], ...] = ()
        for form in forms:
            agency = lex.agencies.get(form)
            if agency is not None:
                forms += [f for f in (agency.name, *agency.aliases) if f not in forms]
                entities = (("organizations", agency.name),)
                break
        extra = [r for f in forms for r in related.get(_fold(f), ())]
        entry = _Entry(tuple((f, 1.0) for f in forms) +
                       tuple((r, RELATED_WEIGHT) for r in dict.fromkeys(extra) if r not in forms),
                       entities, "variant")
        for form in forms:
            add(form, entry)
    for agency in agencies.values():
        forms = tuple(with_bma_references([agency.name, *agency.aliases]))
        entry = _Entry(tuple((f, 1.0) for f in forms), (("organizations", agency.name),),
                       "agency")
        for form in forms:
            add(form, entry)
    words = base_words()
    # abbreviations the releases define ("สำนักงาน... (สปสช.)"), mined offline; the lexicons
    # above win where they know a form
    from pipeline.abbreviations import learned, letters
    from pipeline.gazetteer import mined_organizations

    organizations = mined_organizations()  # the canonical names enrich gives them
    for pair in learned():
        agency = lex.agencies.get(pair.long)
        forms = [pair.short, pair.long]
        dotless = pair.short.replace(".", "")
        if len(letters(pair.short)) >= MIN_DOTLESS_LETTERS and dotless not in words:
            forms.append(dotless)
        canonical = agency.name if agency else organizations.get(pair.short)
        entry = _Entry(tuple((f, 1.0) for f in forms),
                       (("organizations", canonical),) if canonical else (), "variant")
        for form in forms:
            add(form, entry)

    def bare_ok(name: str) -> bool:  # a bare place name that is not also a common word
        return len(name) >= 4 or name not in words

    for district in lex.bangkok_districts:
        entry = _Entry(((district, 1.0),), (("places", district),
                                             ("organizations", f"สำนักงานเขต{district}")), "place")
        for surface in (f"เขต{district}", f"สำนักงานเขต{district}", f"เขต {district}"):
            add(surface, entry, replace=True)
        if bare_ok(district):
            add(district, entry, replace=True)
    for sub in lex.bangkok_subdistricts:
        entry = _Entry(((sub, 1.0),), (("places", sub),), "place")
        add(f"แขวง{sub}", entry)
        add(f"แขวง {sub}", entry)
        if len(sub) >= 5 and sub not in words:
            add(sub, entry)
    for province in lex.provinces:
        entry = _Entry(((province, 1.0),), (("places", province),), "place")
        for surface in (f"จังหวัด{province}", f"จ.{province}", f"จังหวัด {province}"):
            add(surface, entry)
        if bare_ok(province):
            add(province, entry)
    return out


@lru_cache(maxsize=1)
def _max_surface_chars() -> int:
    return max(len(s) for s in surfaces())


@lru_cache(maxsize=1)
def _dropped_words() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    from pipeline.lexicon import lexicon

    return frozenset(thai_stopwords()) | frozenset(lexicon().titles) | ENGLISH_STOPWORDS


def _analysed(text: str) -> str:
    from pipeline.analysis import analyse

    return analyse(text)


@lru_cache(maxsize=1)
def position_modifiers() -> tuple[str, ...]:
    """What turns a position into another one, read off the positions lexicon: รอง, ผู้ช่วย,
    ที่ปรึกษา, เลขานุการ (รองผู้ว่าราชการกรุงเทพมหานคร = รอง + ผู้ว่าราชการกรุงเทพมหานคร)."""
    from pipeline.lexicon import lexicon

    positions = lexicon().positions
    return tuple(sorted({longer[: -len(p)].strip() for longer in positions for p in positions
                         if longer != p and longer.endswith(p) and longer[: -len(p)].strip()}))


def is_position(surface: str) -> bool:
    from pipeline.lexicon import lexicon

    return surface.replace(" ", "").startswith(lexicon().positions)


@lru_cache(maxsize=4096)
def _not_inside(surface: str, analysed: str) -> tuple[str, ...]:
    """For a form of a position, the longer positions made of a modifier and it, as
    analysed: the index cuts รองผู้ว่าราชการกรุงเทพมหานคร into รอง ผู้ว่าราชการ กรุงเทพมหานคร,
    which holds the governor's phrase, so a query for the governor must not match there."""
    compact = surface.replace(" ", "")
    out = []
    for modifier in position_modifiers():
        if compact.startswith(modifier):
            continue
        longer = _analysed(modifier + surface)
        if longer.endswith(" " + analysed):
            out.append(longer)
    return tuple(out)


def _form(surface: str, analysed: str, weight: float = 1.0, gaps: int = 0) -> Form:
    return Form(surface, analysed, weight, gaps,
                _not_inside(surface, analysed) if is_position(surface) else ())


def _concept(text: str, entry: _Entry) -> Concept:
    forms: list[Form] = []
    seen: set[str] = set()
    # a concept one of whose forms is a position is a position in all of them (ผู้ว่าฯ,
    # ผู้ว่าราชการ, ผู้ว่า)
    position = any(is_position(surface) for surface, _ in ((text, 1.0), *entry.forms))
    for surface, weight in ((text, 1.0), *entry.forms):
        analysed = _analysed(surface)
        if analysed and analysed not in seen:
            seen.add(analysed)
            forms.append(Form(surface, analysed, weight,
                              not_inside=_not_inside(surface, analysed) if position else ()))
    return Concept(text, forms, dict(entry.entities), entry.kind)


def _content_form(piece: str, analysed: str) -> Form:
    """Function words (หรือ การ ให้ มี) are dropped from inside a words concept when others
    remain: they are in nearly every release, so they rank nothing and make phrase matching
    read long position lists. The phrase then allows one position per dropped word."""
    from pipeline.analysis import has_unknown_pieces

    dropped = _dropped_words()
    tokens = analysed.split()
    content = [t for t in tokens if t not in dropped]
    # not in a short concept, nor in a word cut into pieces (มิ in นว มิ นท ร is a piece)
    if (not content or len(content) == len(tokens) or len(tokens) < MIN_STRIP_TOKENS
            or has_unknown_pieces(analysed)):
        return _form(piece, analysed)
    while tokens and tokens[0] in dropped:
        tokens.pop(0)
    while tokens and tokens[-1] in dropped:
        tokens.pop()
    return _form(piece, " ".join(content), gaps=len(tokens) - len(content))


def _year_concept(text: str) -> Concept:
    be = int(text)
    return Concept(text, [Form(text, text), Form(str(be - BE_OFFSET), str(be - BE_OFFSET), 0.5)],
                   kind="year")


def understand(query: str) -> list[Concept]:
    """The query's concepts, in the order typed."""
    from pipeline.analysis import prepare
    from pipeline.normalise import normalise
    from pipeline.tokenise import tokenise

    # 10,000 is one number (documents join it after tokenising; a query is joined first)
    text = _THOUSANDS.sub("", prepare(normalise(query).text).translate(TO_ARABIC_DIGITS))
    folded = _fold(text)
    tokens = tokenise(text)
    starts = {t.start for t in tokens} | {i + 1 for i, c in enumerate(text) if c.isspace()}
    ends = {t.end for t in tokens} | {i for i, c in enumerate(text) if c.isspace()}
    ends.add(len(text))
    table = surfaces()
    longest = _max_surface_chars()
    found: list[tuple[int, int, _Entry]] = []
    pos = 0
    while pos < len(text):
        if pos not in starts or text[pos].isspace():
            pos += 1
            continue
        hit = None
        for end in range(min(len(text), pos + longest), pos, -1):
            if end in ends and folded[pos:end] in table:
                hit = (pos, end, table[folded[pos:end]])
                break
        if hit:
            found.append(hit)
            pos = hit[1]
        else:
            pos += 1
    concepts: list[tuple[int, Concept]] = [(s, _concept(text[s:e], entry))
                                           for s, e, entry in found]
    covered = [(s, e) for s, e, _ in found]
    leftovers: list[tuple[int, list[str]]] = []
    run: list[str] = []
    run_start = 0
    for token in tokens:
        inside = any(s <= token.start < e for s, e in covered)
        if inside or not any(ch.isalnum() for ch in token.text):
            if run:
                leftovers.append((run_start, run))
                run = []
            continue
        if not run:
            run_start = token.start
        run.append(token.text)
    if run:
        leftovers.append((run_start, run))
    dropped = _dropped_words()
    words_concepts: list[tuple[int, Concept]] = []
    fallback: list[tuple[int, Concept]] = []
    for start, words in leftovers:
        content = [w for w in words if _fold(w) not in dropped]
        target = words_concepts if content else fallback
        if not content:
            pieces = words
        elif len(content) <= MAX_PHRASE_WORDS:
            # one concept, function words and all (จึง in จึงรุ่งเรืองกิจ: a name or a
            # compound is not cut)
            pieces = ["".join(words)]
        else:
            pieces = content
        for piece in pieces:
            if _YEAR.match(_fold(piece)):
                target.append((start, _year_concept(_fold(piece))))
                continue
            analysed = _analysed(piece)
            if analysed:
                target.append((start, Concept(piece, [_content_form(piece, analysed)])))
    concepts += words_concepts or ([] if concepts else fallback)
    concepts.sort(key=lambda item: item[0])
    merged: list[Concept] = []
    for _, concept in concepts:
        if not any(c.forms and concept.forms and c.forms[0].analysed == concept.forms[0].analysed
                   for c in merged):
            merged.append(concept)
    if len(merged) > MAX_CONCEPTS:
        keep = set(map(id, sorted(merged, key=lambda c: -len(c.text))[:MAX_CONCEPTS]))
        merged = [c for c in merged if id(c) in keep]
    return merged
