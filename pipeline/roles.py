"""Roles written without a name (ผู้ว่าฯ กทม., ผู้ว่าราชการกรุงเทพมหานคร, ปลัดกรุงเทพมหานคร),
resolved to the person who held the role on the release's date.

The holders come from the archive's own officials timeline, `pipeline/data/officials_timeline.tsv`
(role, name, first date, last date, tab-separated), which `build_timeline` derives from
enriched records: every official named with exactly the role as position, from the first to
the last release that names them so. A holder is taken to stay in the role after the last
release seen until the next holder's first one.

A role mention is an entity with label PERSON, `kind: "role"` and the holder's canonical
name, so that the person's page shows it; ANNOTATION.md does not count a role as a person
mention, and `pipeline.evaluate_bma` leaves `kind: role` out of the PERSON scores.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.records import Entity
from pipeline.lexicon import DATA_DIR

TIMELINE_FILE = "officials_timeline.tsv"

# The roles resolved, with the ways releases write them without a name.
ROLE_FORMS: dict[str, tuple[str, ...]] = {
    "ผู้ว่าราชการกรุงเทพมหานคร": ("ผู้ว่าราชการกรุงเทพมหานคร", "ผู้ว่าฯ กทม.", "ผู้ว่าฯกทม.",
                                  "ผู้ว่าฯ กรุงเทพมหานคร", "ผว.กทม.", "ผู้ว่า กทม."),
    "ปลัดกรุงเทพมหานคร": ("ปลัดกรุงเทพมหานคร", "ปลัด กทม.", "ปลัดกทม.", "ป.กทม."),
    "ประธานสภากรุงเทพมหานคร": ("ประธานสภากรุงเทพมหานคร", "ประธานสภา กทม."),
}
# Written right before a role form, these make it another post (รองผู้ว่าฯ, ที่ปรึกษาผู้ว่าฯ…).
_OTHER_POST = ("รอง", "ผู้ช่วย", "ที่ปรึกษา", "เลขานุการ", "สำนัก", "สำนักงาน", "โฆษก",
               "คณะ", "ผู้แทน", "ตำแหน่ง", "สมัคร", "ว่าที่")


@dataclass(frozen=True)
class Tenure:
    role: str
    name: str
    first: str  # ISO date
    last: str


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    forms = sorted({f for fs in ROLE_FORMS.values() for f in fs}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)))


@lru_cache(maxsize=1)
def _role_of_form() -> dict[str, str]:
    return {f: role for role, forms in ROLE_FORMS.items() for f in forms}


def read_timeline(text: str) -> list[Tenure]:
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        role, name, first, last = line.split("\t")
        out.append(Tenure(role, name, first, last))
    return out


@lru_cache(maxsize=1)
def timeline() -> tuple[Tenure, ...]:
    path = DATA_DIR / TIMELINE_FILE
    return tuple(read_timeline(path.read_text(encoding="utf-8"))) if path.exists() else ()


def holder(role: str, date: str | None, tenures: Iterable[Tenure] | None = None) -> str | None:
    """Who held `role` on `date` (ISO; None: the latest holder): the holder whose first
    release is the latest one on or before the date."""
    candidates = sorted((t for t in (timeline() if tenures is None else tenures)
                         if t.role == role), key=lambda t: t.first)
    if not candidates:
        return None
    if date is None:
        return candidates[-1].name
    before = [t for t in candidates if t.first <= date]
    return before[-1].name if before else None


def role_mentions(text: str, entities: list[Entity], date: str | None,
                  tenures: Iterable[Tenure] | None = None) -> list[Entity]:
    """`entities` (offsets into `text`) with a `kind: role` PERSON for each role written
    without a name, resolved on `date` (none without a date); an organization or place inside the role's words
    (กทม. in ผู้ว่าฯ กทม.) is its jurisdiction, not an entity, and goes."""
    if date is None:
        return entities  # without the release's date, who held the role is not known
    found = list(_pattern().finditer(text))
    if not found:
        return entities
    tenure_list = list(timeline() if tenures is None else tenures)
    persons = [e for e in entities if e.label == "PERSON"]
    out = list(entities)
    for m in found:
        start, end = m.span()
        if text[max(0, start - 12) : start].endswith(_OTHER_POST):
            continue
        if any(p.end in (start, start - 1) or p.start in (end, end + 1) for p in persons):
            continue  # a position next to a name: the person is named
        name = holder(_role_of_form()[m.group(0)], date, tenure_list)
        if name is None:
            continue
        out = [e for e in out if not (e.label in ("ORG", "LOC") and start <= e.start
                                      and e.end <= end)]
        if any(e.start < end and start < e.end for e in out):
            continue
        out.append(Entity.model_construct(text=m.group(0), label="PERSON", start=start,
                                          end=end, canonical=name, kind="role", code=None))
    out.sort(key=lambda e: (e.start, e.end))
    return out


def build_timeline(items: Iterable[tuple[str, str, str]]) -> list[Tenure]:
    """Tenures from (date, official's name, position as written) triples: an official named
    with exactly one of the roles (spaces aside) held it from the first to the last date."""
    dates: dict[tuple[str, str], list[str]] = {}
    roles = {re.sub(r"\s+", "", f): role for role, forms in ROLE_FORMS.items() for f in forms}
    for date, name, position in items:
        role = roles.get(re.sub(r"\s+", "", position or ""))
        if role is None or not date or " " not in name:
            continue
        dates.setdefault((role, name), []).append(date)
    # A typo in a surname (สิทธิพันธ์ for สิทธิพันธุ์) is the same holder: names of one role
    # with the same given name go to the most frequent spelling.
    merged: dict[tuple[str, str], list[str]] = {}
    for (role, name), ds in sorted(dates.items(), key=lambda kv: -len(kv[1])):
        given = name.split(" ", 1)[0]
        key = next((k for k in merged if k[0] == role and k[1].split(" ", 1)[0] == given),
                   (role, name))
        merged.setdefault(key, []).extend(ds)
    return sorted((Tenure(r, n, min(ds), max(ds)) for (r, n), ds in merged.items()),
                  key=lambda t: (t.role, t.first))


def main(argv: list[str]) -> int:
    """python -m pipeline.roles ENRICHED.jsonl[.gz] ... > pipeline/data/officials_timeline.tsv:
    the timeline of records `bma-news enrich` wrote (each with `officials` and a `date` or
    `published_at`)."""
    import gzip
    import json

    items = []
    for path in argv:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                date = (record.get("date") or record.get("published_at") or "")[:10]
                for official in record.get("officials") or []:
                    items.append((date, official.get("name") or "",
                                  official.get("position") or ""))
    print("# role\tname\tfirst release\tlast release (python -m pipeline.roles ENRICHED.jsonl)")
    for t in build_timeline(items):
        print(f"{t.role}\t{t.name}\t{t.first}\t{t.last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
