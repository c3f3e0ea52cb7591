"""Score `enrich` on the BMA NER set (evals/ner-bma/), per document, as ../shared/ANNOTATION.md
says: each distinct person, organization and administrative place once per document.

How a prediction is matched (evals/ner-bma/GUIDE.md, "Scoring"):
- PERSON: a predicted mention's canonical name (titles off) equals a gold person's name, one
  of its aliases, or its given name alone (a later short mention is the same person).
- ORG: the mention's text, else its canonical name, equals the gold organization's canonical
  name or one of its surface forms. Generic words a gold organization was also written as
  (`สำนักงานเขตฯ`, `สนง.`) match only through the canonical name the output resolved them to.
- LOC: entities with `kind: facility` are not administrative places and are left out; the
  others match when their canonical name or text equals a gold place after `place_key`
  (prefix off, กทม./กรุงเทพฯ = กรุงเทพมหานคร, countries by common name, กรุง/นคร off).
- Several mentions that match the same gold entity are one true positive; mentions matching
  nothing are false positives once per distinct (normalised) name.
- A gold entry marked `either` (กรุงเทพมหานคร acting or as a place) is also found when the
  output has it under the other label; an `optional` entry (a district office written only
  as the generic `สำนักงานเขตฯ`) counts when found and is not a miss when absent.
- A PERSON mention with `kind: role` (a role written without a name, resolved to its holder)
  is not a person mention (ANNOTATION.md) and is left out, like a facility.
- Positions: of the gold persons with a position, the share whose predicted official (same
  name matching as PERSON) has that position, compared without spaces; `position_alt` lists
  other positions written next to the same name later in the text, accepted too.

The scorer uses its own small tables, not the pipeline's lexicon: changing the NER must not
change what counts as right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InputError

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "evals" / "ner-bma"
RELEASES_FILE = "releases.jsonl"
SPLITS = ("dev", "holdout")
TYPES = ("PERSON", "ORG", "LOC")

BANGKOK = "กรุงเทพมหานคร"
_BANGKOK_ALIASES = frozenset(("กทม.", "กทม", "กรุงเทพฯ", "กรุงเทพ", BANGKOK, "กรุงเทพมหานครฯ"))
# Longest first; a place is compared without these.
_PLACE_PREFIXES = ("จังหวัด", "ประเทศ", "อำเภอ", "ตำบล", "แขวง", "เขต", "เมือง", "จ.", "อ.", "ต.")
# Provinces whose name starts with นคร: the นคร of a foreign city comes off, theirs stays.
_NAKHON_PROVINCES = frozenset(("นครปฐม", "นครพนม", "นครราชสีมา", "นครศรีธรรมราช", "นครสวรรค์",
                               "นครนายก"))
# Official country names -> common names (ANNOTATION.md: a country by its common name).
_COUNTRIES = {
    "ราชอาณาจักรไทย": "ไทย", "สาธารณรัฐประชาชนจีน": "จีน", "สาธารณรัฐเกาหลี": "เกาหลีใต้",
    "เกาหลี": "เกาหลีใต้", "สาธารณรัฐฝรั่งเศส": "ฝรั่งเศส", "สหรัฐอเมริกา": "สหรัฐฯ",
    "สหรัฐ": "สหรัฐฯ", "อเมริกา": "สหรัฐฯ", "สหราชอาณาจักร": "อังกฤษ",
    "สาธารณรัฐสังคมนิยมเวียดนาม": "เวียดนาม", "สาธารณรัฐประชาธิปไตยประชาชนลาว": "ลาว",
    "สปป.ลาว": "ลาว", "ราชอาณาจักรกัมพูชา": "กัมพูชา", "สาธารณรัฐอินเดีย": "อินเดีย",
    "สาธารณรัฐสิงคโปร์": "สิงคโปร์", "สหพันธ์สาธารณรัฐเยอรมนี": "เยอรมนี",
    "เครือรัฐออสเตรเลีย": "ออสเตรเลีย", "สาธารณรัฐอินโดนีเซีย": "อินโดนีเซีย",
    "สาธารณรัฐแห่งสหภาพเมียนมา": "เมียนมา", "พม่า": "เมียนมา",
}
_SPACES = re.compile(r"\s+")
# Titles a gold person's name must not start with (the name is given without them).
_TITLES = ("นาย", "นาง", "น.ส.", "ดร.", "นพ.", "พญ.", "ศ.", "รศ.", "ผศ.", "พล.", "พ.ต.", "พ.อ.",
           "พ.ท.", "ร.ต.", "ร.อ.", "ร.ท.", "น.อ.", "น.ท.", "น.ต.", "ม.ร.ว.", "ม.ล.", "ว่าที่")


def squash(text: str) -> str:
    """Runs of whitespace (and zero-width spaces) as one space, ends trimmed."""
    return _SPACES.sub(" ", text.replace("\u200b", " ")).strip()


def name_key(text: str) -> str:
    return squash(text)


def place_key(text: str) -> str:
    """The form two place names are compared in: prefix off, Bangkok and countries canonical,
    a city's กรุง/นคร off (กรุงลอนดอน = ลอนดอน)."""
    name = squash(text).rstrip()
    if name in _BANGKOK_ALIASES:
        return BANGKOK
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):].strip()
            break
    if name in _BANGKOK_ALIASES:
        return BANGKOK
    name = _COUNTRIES.get(name, name)
    if name.startswith("กรุง") and len(name) > 5:
        name = name[len("กรุง"):]
    elif name.startswith("นคร") and name not in _NAKHON_PROVINCES and len(name) > 5:
        name = name[len("นคร"):]
    return _COUNTRIES.get(name, name)


def position_key(text: str | None) -> str:
    return _SPACES.sub("", text or "")


# --- the data -----------------------------------------------------------------------


@dataclass(frozen=True)
class GoldEntity:
    label: str
    name: str
    forms: tuple[str, ...] = ()
    either: bool = False  # also found under the other of ORG/LOC
    optional: bool = False  # counted when found, not a miss when absent
    generic: tuple[str, ...] = ()  # generic words it was also written as; never matched
    position: str | None = None
    position_alt: tuple[str, ...] = ()

    def match_keys(self) -> set[str]:
        """The normalised names a prediction of the same label may have to match this."""
        names = {self.name, *self.forms}
        if self.label == "LOC":
            return {place_key(n) for n in names}
        keys = {name_key(n) for n in names}
        if self.label == "PERSON" and " " in self.name.strip():
            keys.add(name_key(self.name).split(" ", 1)[0])  # the given name alone
        return keys

    def keys_as(self, label: str) -> set[str]:
        """Keys for a prediction under `label` (the other reading of an `either` entry)."""
        if label == "LOC":
            return {place_key(n) for n in (self.name, *self.forms)}
        return {name_key(n) for n in (self.name, *self.forms)}


@dataclass(frozen=True)
class Release:
    id: str
    split: str
    date: str
    title: str
    text: str
    gold: tuple[GoldEntity, ...]
    source: str = ""


def _problem(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}")


def _strings(value: object, where: str, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(where, f"`{what}` must be a list of strings")
    return value


def parse_release(item: object, where: str) -> Release:
    """One line of releases.jsonl as a Release; InputError (one line) when malformed."""
    if not isinstance(item, dict):
        raise _problem(where, "not a JSON object")
    for key in ("id", "split", "date", "title", "text", "source"):
        if not isinstance(item.get(key), str) or (key != "title" and not item[key]):
            raise _problem(where, f"missing or empty string `{key}`")
    if item["split"] not in SPLITS:
        raise _problem(where, f"`split` must be dev or holdout, not {item['split']!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["date"]):
        raise _problem(where, f"`date` must be ISO YYYY-MM-DD, not {item['date']!r}")
    gold: list[GoldEntity] = []
    for field_name, label in (("persons", "PERSON"), ("organizations", "ORG"),
                              ("locations", "LOC")):
        entries = item.get(field_name)
        if not isinstance(entries, list):
            raise _problem(where, f"`{field_name}` must be a list")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                    or not entry["name"].strip():
                raise _problem(where, f"each of `{field_name}` needs a string `name`")
            position = entry.get("position")
            if position is not None and not isinstance(position, str):
                raise _problem(where, f"`position` of {entry['name']} must be a string or null")
            gold.append(GoldEntity(
                label=label, name=entry["name"],
                forms=tuple(_strings(entry.get("forms"), where, "forms")
                            + _strings(entry.get("aliases"), where, "aliases")),
                either=bool(entry.get("either")), optional=bool(entry.get("optional")),
                generic=tuple(_strings(entry.get("generic"), where, "generic")),
                position=position if label == "PERSON" else None,
                position_alt=tuple(_strings(entry.get("position_alt"), where, "position_alt")),
            ))
    _strings(item.get("facilities"), where, "facilities")
    return Release(id=item["id"], split=item["split"], date=item["date"], title=item["title"],
                   text=item["text"], gold=tuple(gold), source=item["source"])


def releases_path(path: Path | None) -> Path:
    """The releases file: `path` itself, `path`/releases.jsonl, or the bundled set."""
    path = DEFAULT_DIR if path is None else path
    if path.is_dir():
        path = path / RELEASES_FILE
    if not path.is_file():
        raise InputError(f"BMA NER set not found: {path}")
    return path


def read_releases(path: Path | None = None, split: str = "all") -> list[Release]:
    if split not in (*SPLITS, "all"):
        raise InputError(f"--set must be dev, holdout or all, not {split!r}")
    path = releases_path(path)
    releases: list[Release] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text: {exc.reason}") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name} line {lineno}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _problem(where, f"not JSON ({exc.msg})") from None
        release = parse_release(item, where)
        if release.id in seen:
            raise _problem(where, f"duplicate id {release.id}")
        seen.add(release.id)
        if split in ("all", release.split):
            releases.append(release)
    if not releases:
        raise InputError(f"no releases in {path} for --set {split}")
    return releases


def check_release(release: Release) -> list[str]:
    """What in a release's gold annotation the text does not bear out (empty when sound):
    every name, surface form, alias and position must occur in the text (spaces squashed),
    except the canonical name of an organization given with its forms or marked optional,
    and the canonical of a place (compared by `place_key`)."""
    text = squash(release.text)
    problems = []
    names: dict[tuple[str, str], int] = {}
    for g in release.gold:
        names[(g.label, g.name)] = names.get((g.label, g.name), 0) + 1
        for form in (*g.forms, *g.generic):
            if squash(form) not in text:
                problems.append(f"{release.id}: {g.label} form {form!r} not in the text")
        if g.label == "PERSON" and g.name.startswith(_TITLES):
            problems.append(f"{release.id}: PERSON {g.name!r} carries a title")
        if g.label == "PERSON" and squash(g.name) not in text:
            problems.append(f"{release.id}: PERSON {g.name!r} not in the text")
        if g.label == "ORG" and not g.optional and not g.forms and squash(g.name) not in text:
            problems.append(f"{release.id}: ORG {g.name!r} not in the text")
        if g.label == "LOC" and not any(squash(n) in text for n in (g.name, *g.forms)):
            problems.append(f"{release.id}: LOC {g.name!r} not in the text")
        if g.optional and g.forms:
            problems.append(f"{release.id}: optional {g.name!r} should list no forms")
        for position in (g.position, *g.position_alt):
            if position is not None and squash(position) not in text:
                problems.append(f"{release.id}: position {position!r} not in the text")
        if g.label == "PERSON" and g.position is not None and not any(
                squash(f"{n}{gap}{g.position}") in text
                for n in (g.name, *g.forms) for gap in ("", " ")):
            problems.append(f"{release.id}: position {g.position!r} not next to {g.name!r}")
    for (label, name), count in names.items():
        if count > 1:
            problems.append(f"{release.id}: {label} {name!r} listed {count} times")
    return problems


# --- scoring ------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def row(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "support": self.tp + self.fn}


@dataclass
class DocResult:
    id: str
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    false_positives: list[dict] = field(default_factory=list)  # label, text, canonical
    misses: list[dict] = field(default_factory=list)  # label, name
    positions_total: int = 0
    positions_right: int = 0
    position_errors: list[dict] = field(default_factory=list)  # name, gold, predicted

    def as_dict(self) -> dict:
        return {"id": self.id, "scores": {t: c.row() for t, c in self.counts.items()},
                "false_positives": self.false_positives, "misses": self.misses,
                "positions": {"total": self.positions_total, "right": self.positions_right,
                              "errors": self.position_errors}}


def _predicted_key(label: str, value: str) -> str:
    return place_key(value) if label == "LOC" else name_key(value)


def _other(label: str) -> str:
    return "LOC" if label == "ORG" else "ORG"


def _match(gold: list[GoldEntity], label: str, candidates: list[str]) -> int | None:
    """The gold entry a prediction refers to: by its text first ("ปชส.เขตบางรัก" is not
    สำนักงานเขตบางรัก), then its canonical name; an entry of its own label before the other
    reading of an `either` entry."""
    for key in candidates:
        for i, g in enumerate(gold):
            if g.label == label and key in g.match_keys():
                return i
        if label != "PERSON":
            for i, g in enumerate(gold):
                if g.either and g.label == _other(label) and key in g.keys_as(label):
                    return i
    return None


def score_document(release: Release, entities: Iterable[dict],
                   officials: Iterable[dict]) -> DocResult:
    """Per-document scores of one enriched record's `entities` and `officials` (as dicts,
    the way `enrich` writes them) against the release's gold."""
    result = DocResult(release.id)
    gold = list(release.gold)
    found: set[int] = set()  # indexes into gold
    found_as: dict[int, str] = {}  # label under which an entry was found
    unmatched: dict[tuple[str, str], dict] = {}
    for ent in entities:
        label = ent.get("label")
        if label not in TYPES:
            continue
        if label == "LOC" and ent.get("kind") == "facility":
            continue
        if label == "PERSON" and ent.get("kind") == "role":
            continue  # a role without a name (ผู้ว่าฯ กทม.) resolved to its holder: no person

        text, canonical = ent.get("text") or "", ent.get("canonical") or ent.get("text") or ""
        candidates = [_predicted_key(label, text), _predicted_key(label, canonical)]
        if label == "PERSON":
            candidates = candidates[1:]  # the text carries the title
        match = _match(gold, label, candidates)
        if match is None:
            unmatched.setdefault((label, candidates[-1]),
                                 {"label": label, "text": text, "canonical": canonical})
        elif match not in found:  # several mentions of one gold entity: one true positive
            found.add(match)
            found_as[match] = label
    for (label, _key), fp in unmatched.items():
        result.counts[label].fp += 1
        result.false_positives.append(fp)
    for i, g in enumerate(gold):
        if i in found:
            result.counts[found_as[i]].tp += 1
        elif not g.optional:
            result.counts[g.label].fn += 1
            result.misses.append({"label": g.label, "name": g.name})
    _score_positions(gold, list(officials), result)
    return result


def _score_positions(gold: list[GoldEntity], officials: list[dict], result: DocResult) -> None:
    predicted: dict[str, str] = {}
    for official in officials:
        key = name_key(official.get("name") or "")
        if key and not predicted.get(key):  # the first official of a name with a position
            predicted[key] = official.get("position") or ""
    for g in gold:
        if g.label != "PERSON" or g.position is None:
            continue
        result.positions_total += 1
        keys = g.match_keys()
        got = next((predicted[k] for k in (name_key(g.name), *sorted(keys)) if k in predicted),
                   None)
        right = got is not None and position_key(got) in {
            position_key(p) for p in (g.position, *g.position_alt)}
        if right:
            result.positions_right += 1
        else:
            result.position_errors.append({"name": g.name, "gold": g.position,
                                           "predicted": got})


@dataclass
class Report:
    releases: int
    split: str
    counts: dict[str, Counts]
    positions_total: int
    positions_right: int
    documents: list[DocResult]

    def table(self) -> dict:
        micro = Counts()
        for c in self.counts.values():
            micro.add(c)
        rows = {t: self.counts[t].row() for t in TYPES}
        rows["micro"] = micro.row()
        return rows

    def position_accuracy(self) -> float:
        return round(self.positions_right / self.positions_total, 4) \
            if self.positions_total else 0.0

    def as_dict(self, per_doc: bool = False) -> dict:
        out = {"set": self.split, "releases": self.releases, "scores": self.table(),
               "positions": {"accuracy": self.position_accuracy(),
                             "right": self.positions_right, "total": self.positions_total}}
        if per_doc:
            out["documents"] = [d.as_dict() for d in self.documents]
        return out


def aggregate(documents: list[DocResult], split: str) -> Report:
    counts = {t: Counts() for t in TYPES}
    for d in documents:
        for t in TYPES:
            counts[t].add(d.counts[t])
    return Report(releases=len(documents), split=split, counts=counts,
                  positions_total=sum(d.positions_total for d in documents),
                  positions_right=sum(d.positions_right for d in documents),
                  documents=documents)


def enriched_records(releases: list[Release]) -> list[dict]:
    """The real `enrich` output of each release (its text as the body), as JSON dicts."""
    from core.records import Rejected
    from pipeline.enrich import enrich_records

    out = []
    records = [{"id": r.id, "title": r.title, "body": r.text, "date": r.date} for r in releases]
    for release, enriched in zip(releases, enrich_records(records), strict=True):
        if isinstance(enriched, Rejected):
            raise InputError(f"{release.id}: enrich rejected it: {enriched.reason}")
        out.append(enriched.model_dump(mode="json"))
    return out


def read_enriched(path: Path, releases: list[Release]) -> list[dict]:
    """Records `bma-news enrich` wrote earlier (JSONL with `id`, `entities`, `officials`), in
    the order of `releases`."""
    if not path.is_file():
        raise InputError(f"enriched file not found: {path}")
    by_id: dict[str, dict] = {}
    with path.open(encoding="utf-8") as lines:
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path.name} line {lineno}: not JSON ({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) \
                    or not isinstance(item.get("entities"), list):
                raise InputError(f"{path.name} line {lineno}: not an enriched record "
                                 "(needs `id` and `entities`)")
            by_id[item["id"]] = item
    missing = [r.id for r in releases if r.id not in by_id]
    if missing:
        raise InputError(f"{path.name} has no record for {len(missing)} releases, "
                         f"first: {missing[0]}")
    return [{"entities": by_id[r.id]["entities"],
             "officials": by_id[r.id].get("officials") or []} for r in releases]


def evaluate_bma(path: Path | None = None, split: str = "all",
                 enriched_path: Path | None = None) -> Report:
    """Score the set: by running `enrich` on it, or on records it wrote earlier."""
    releases = read_releases(path, split)
    problems = [p for r in releases for p in check_release(r)]
    if problems:
        raise InputError(f"{len(problems)} annotation problems, first: {problems[0]}")
    enriched = read_enriched(enriched_path, releases) if enriched_path is not None \
        else enriched_records(releases)
    documents = [score_document(r, e["entities"], e["officials"])
                 for r, e in zip(releases, enriched, strict=True)]
    return aggregate(documents, split)
