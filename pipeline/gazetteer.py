"""Gazetteer rulers: BMA agencies (with aliases) and places (geothai, countries).

Matching starts only at token starts and must end at a token end, so a name inside a
longer word (or inside a position such as ผู้อำนวยการเขตบางรัก, one token) is not matched.
"""

from __future__ import annotations

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


def _place_entries() -> dict[str, GazetteerEntry]:
    lex = lexicon()
    out: dict[str, GazetteerEntry] = {}
    for key, place in lex.places.items():
        if place.kind == "province":
            entry = GazetteerEntry("LOC", place.name, "province", place.code)
            out[f"จังหวัด{place.name}"] = entry
            out[f"จ.{place.name}"] = entry
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
    return out


# The longest gazetteer name spans this many tokens ("สำนักวัฒนธรรม กีฬาและการท่องเที่ยว").
MAX_NAME_TOKENS = 8


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, GazetteerEntry], frozenset[str]]:
    """Surface -> entry, and the tokens a surface can start with."""
    from pipeline.tokenise import segment

    entries = _place_entries()
    for surface, agency in lexicon().agencies.items():
        entries[surface] = GazetteerEntry("ORG", agency.name)
    first_words = frozenset(w[0] for w in map(segment, entries) if w)
    return entries, first_words


# Words before กรุงเทพมหานคร/กทม. that make it a place rather than the administration.
_PLACE_CUES = ("พื้นที่", "ใน", "ทั่ว", "จังหวัด", "ที่", "เมือง", "ชาว", "ของ")


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
                before = text[max(0, start - 8) : start].rstrip()
                if before.endswith(_PLACE_CUES):
                    entry = GazetteerEntry("LOC", BANGKOK, "province", "10")
            out.append(Match(start, starts[j], entry))
            covered = starts[j]
            break
    return out
