"""The domain data the pipeline uses: titles, positions, the BMA agency registry, places.

Everything is read from `pipeline/data/`, PyThaiNLP's bundled corpora and `geothai`, all
offline. Loaded once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geothai

DATA_DIR = Path(__file__).parent / "data"

# Prefixes of administrative names, with the kind of place they introduce.
PLACE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("จังหวัด", "province"),
    ("จ.", "province"),
    ("อำเภอ", "district"),
    ("อ.", "district"),
    ("เขต", "district"),
    ("ตำบล", "subdistrict"),
    ("ต.", "subdistrict"),
    ("แขวง", "subdistrict"),
    ("ประเทศ", "country"),
)
BANGKOK = "กรุงเทพมหานคร"
BANGKOK_ALIASES = ("กทม.", "กทม", "กรุงเทพฯ", "กรุงเทพ", BANGKOK)

# Head words of organization names; a CRF feature and a rule for ORG spans.
ORG_HEADS = (
    "สำนัก", "สำนักงาน", "กรม", "กระทรวง", "กอง", "โรงเรียน", "โรงพยาบาล", "มหาวิทยาลัย",
    "บริษัท", "พรรค", "คณะกรรมการ", "ศูนย์", "สถาบัน", "การไฟฟ้า", "การประปา", "องค์การ",
    "สมาคม", "มูลนิธิ", "ธนาคาร", "สถานี", "ศาล", "วิทยาลัย", "ชมรม", "เครือข่าย", "สภา",
    "กองทัพ", "สหภาพ", "สหกรณ์", "ห้าง", "ตลาดหลักทรัพย์",
)


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True)
class Agency:
    name: str
    aliases: tuple[str, ...]
    parent: str | None


@dataclass(frozen=True)
class Place:
    name: str  # without prefix
    kind: str  # province, district, subdistrict, country
    code: str | None


@dataclass
class Lexicon:
    titles: tuple[str, ...]  # longest first
    positions: tuple[str, ...]  # longest first
    agencies: dict[str, Agency]  # every name and alias -> agency
    places: dict[str, Place] = field(default_factory=dict)  # surface form -> place
    countries: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    bangkok_districts: dict[str, str] = field(default_factory=dict)  # name -> code
    bangkok_subdistricts: dict[str, str] = field(default_factory=dict)
    given_names: frozenset[str] = frozenset()
    family_names: frozenset[str] = frozenset()
    # given names of well-known BMA executives (pipeline/data/people.txt); not a CRF feature
    executives_given: frozenset[str] = frozenset()
    # foreign cities and official country names: surface -> (canonical, kind)
    foreign_places: dict[str, tuple[str, str]] = field(default_factory=dict)

    def custom_words(self) -> set[str]:
        """Words the tokeniser must keep whole (no spaces: newmm splits at spaces)."""
        words = set(self.titles) | set(self.positions) | set(self.agencies)
        words |= {f"เขต{d}" for d in self.bangkok_districts}
        words |= {f"สำนักงานเขต{d}" for d in self.bangkok_districts}
        words |= {f"ผู้อำนวยการเขต{d}" for d in self.bangkok_districts}
        words |= {f"แขวง{s}" for s in self.bangkok_subdistricts}
        words |= set(self.provinces) | {f"จังหวัด{p}" for p in self.provinces}
        words |= set(self.countries)
        return {w for w in words if w and " " not in w}


def _load_agencies() -> dict[str, Agency]:
    raw = json.loads((DATA_DIR / "agencies.json").read_text(encoding="utf-8"))
    out: dict[str, Agency] = {}
    for item in raw["agencies"]:
        agency = Agency(item["name"], tuple(item.get("aliases", ())), item.get("parent"))
        for surface in (agency.name, *agency.aliases):
            out.setdefault(surface, agency)
    return out


# Prefixes a foreign city is written with (กรุงโซล, นครโอซากา, เมืองปูซาน).
CITY_PREFIXES = ("กรุง", "นคร", "เมือง")
# A bare city name shorter than this is too often part of another word (เว้).
_MIN_BARE_CITY_CHARS = 5


def _load_foreign_places(countries: frozenset[str]) -> dict[str, tuple[str, str]]:
    """foreign_places.txt: cities as X, กรุงX, นครX, เมืองX; `official = common` country
    names."""
    out: dict[str, tuple[str, str]] = {}
    for line in _lines("foreign_places.txt"):
        if "=" in line:
            official, common = (part.strip() for part in line.split("=", 1))
            out[official] = (common, "country")
            continue
        for prefix in CITY_PREFIXES:
            out[f"{prefix}{line}"] = (line, "city")
        if len(line) >= _MIN_BARE_CITY_CHARS and line not in countries:
            out.setdefault(line, (line, "city"))
    return out


def _pythainlp_words(name: str) -> frozenset[str]:
    from pythainlp.corpus import get_corpus

    return frozenset(w.strip() for w in get_corpus(name) if w.strip())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    titles = tuple(sorted(set(_lines("titles.txt")), key=len, reverse=True))
    positions = tuple(sorted(set(_lines("positions.txt")), key=len, reverse=True))
    places: dict[str, Place] = {}
    provinces: set[str] = set()
    bkk_districts: dict[str, str] = {}
    bkk_subdistricts: dict[str, str] = {}
    for prov in geothai.provinces():
        provinces.add(prov.name_th)
        places[prov.name_th] = Place(prov.name_th, "province", prov.code)
        for district in geothai.districts(prov.code):
            dname = district.name_th.removeprefix("เขต")
            if prov.code == "10":
                bkk_districts[dname] = district.code
            places.setdefault(f"district:{dname}", Place(dname, "district", district.code))
            for sub in geothai.subdistricts(district.code):
                if prov.code == "10":
                    bkk_subdistricts[sub.name_th] = sub.code
                places.setdefault(f"subdistrict:{sub.name_th}", Place(sub.name_th, "subdistrict", sub.code))
    # Bangkok wins for เขต/แขวง names that also exist elsewhere.
    for dname, code in bkk_districts.items():
        places[f"district:{dname}"] = Place(dname, "district", code)
    for sname, code in bkk_subdistricts.items():
        places[f"subdistrict:{sname}"] = Place(sname, "subdistrict", code)
    countries = _pythainlp_words("countries_th.txt") | {"ไทย", "สหรัฐฯ", "สปป.ลาว"}
    given = _pythainlp_words("person_names_male_th.txt") | _pythainlp_words(
        "person_names_female_th.txt"
    )
    return Lexicon(
        titles=titles,
        positions=positions,
        agencies=_load_agencies(),
        places=places,
        countries=frozenset(countries),
        provinces=frozenset(provinces),
        bangkok_districts=bkk_districts,
        bangkok_subdistricts=bkk_subdistricts,
        given_names=given,
        family_names=_pythainlp_words("family_names_th.txt"),
        executives_given=frozenset(line.split()[0] for line in _lines("people.txt")),
        foreign_places=_load_foreign_places(frozenset(countries)),
    )
