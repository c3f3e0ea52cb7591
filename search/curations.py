"""Curated entities: staff merge two spellings of one person, agency or place, add an
alias, or split a wrong merge. Applied when the index is read, never written into it.

The curations live in `<data dir>/curations.json`: one line per spelling, sorted, so that
`git diff` on the data dir reads well:

    {
     "schema": 1,
     "PERSON": {
      "ชัชชาติ": "ชัชชาติ สิทธิพันธุ์"
     },
     "ORG": {},
     "LOC": {}
    }

Each entry says "this spelling is merged into that name". Chains are allowed (a spelling
merged into a name that is itself merged further), cycles are not; the name at the end of
a chain is the canonical one. Why at read time and not in the index: a curation then
applies at once to filters, facets and entity pages (no re-crawl, no reprocess); a split
is undone exactly, since the index still holds what enrichment found; and a rebuild or a
reprocess can never lose a curation, because none is stored where they write. The cost
is a `terms` filter instead of a `term` and one `filters` aggregation per request, and
only when curations exist.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError
from core.landing import write_json_atomic
from core.limits import MAX_CURATED_FACET_EXTRA
from core.records import NAME_FIELDS
from search.params import SearchInputError, names

CURATIONS_FILE = "curations.json"
SCHEMA = 1
LABELS = tuple(NAME_FIELDS)  # PERSON, ORG, LOC
# Index fields holding canonical names, and the entity type their names are.
LABEL_BY_FIELD = {**{f: label for label, f in NAME_FIELDS.items()}, "official_names": "PERSON"}
OPS = ("merge", "alias", "split")


class CurationError(SearchInputError):
    """A curation that cannot be made (into itself, a cycle, already merged elsewhere)."""


def curations_path(data_dir: Path | None = None) -> Path:
    if data_dir is None:
        from core.settings import get_settings

        data_dir = get_settings().data_dir
    return Path(data_dir) / CURATIONS_FILE


@dataclass(frozen=True)
class Change:
    """What a curation did: `changed` is False when it was already so (a re-run)."""

    op: str
    label: str
    canonical: str  # where the spelling's group ends up (or, for a split, the old group)
    spelling: str
    changed: bool


@dataclass
class Curations:
    # label -> spelling -> the name it is merged into
    merged: dict[str, dict[str, str]] = field(default_factory=lambda: {lab: {} for lab in LABELS})

    # --- reading -----------------------------------------------------------------------
    def canonical(self, label: str, name: str) -> str:
        table, seen = self.merged.get(label, {}), {name}
        while name in table:
            name = table[name]
            if name in seen:  # a hand-edited cycle; load() refuses them, this is a guard
                break
            seen.add(name)
        return name

    def spellings(self, label: str, name: str) -> list[str]:
        """The canonical name of `name`'s group first, then every other spelling, sorted."""
        top = self.canonical(label, name)
        others = sorted(s for s in self.merged.get(label, {}) if self.canonical(label, s) == top)
        return [top, *others]

    def groups(self, label: str) -> dict[str, list[str]]:
        """Canonical name -> all its spellings, for the groups that have more than one."""
        out: dict[str, list[str]] = {}
        for spelling in sorted(self.merged.get(label, {})):
            top = self.canonical(label, spelling)
            out.setdefault(top, [top]).append(spelling)
        return out

    def count(self, label: str | None = None) -> int:
        return sum(len(self.merged.get(lab, {})) for lab in ([label] if label else LABELS))

    def entries(self) -> Iterator[tuple[str, str, str, str]]:
        """(label, spelling, merged into, canonical) for every entry, in file order."""
        for label in LABELS:
            for spelling, into in sorted(self.merged[label].items()):
                yield label, spelling, into, self.canonical(label, spelling)

    # --- changing ----------------------------------------------------------------------
    def merge(self, label: str, into: str, spelling: str, op: str = "merge") -> Change:
        """`spelling` becomes another spelling of `into` (and of `into`'s canonical name)."""
        label, into, spelling = _label(label), clean_name(into), clean_name(spelling)
        table = self.merged[label]
        if into == spelling:
            raise CurationError(f"cannot merge {spelling!r} into itself",
                                f"รวม {spelling} เข้ากับตัวเองไม่ได้")
        if table.get(spelling) == into:
            return Change(op, label, self.canonical(label, into), spelling, False)
        if spelling in table:
            raise CurationError(
                f"{spelling!r} is already merged into {table[spelling]!r}; split it first "
                f"(bma-news entities split --type {label} {table[spelling]!r} {spelling!r})",
                f"{spelling} ถูกรวมเข้ากับ {table[spelling]} แล้ว กรุณาแยกออกก่อน")
        if spelling in self._chain(label, into):
            raise CurationError(
                f"{into!r} is itself a spelling of {spelling!r}: merging would make a cycle",
                f"{into} เป็นชื่อสะกดอื่นของ {spelling} อยู่แล้ว รวมกลับไม่ได้")
        table[spelling] = into
        return Change(op, label, self.canonical(label, into), spelling, True)

    def split(self, label: str, canonical: str, spelling: str) -> Change:
        """Undo a merge or an alias: `spelling` is its own entity again."""
        label, canonical, spelling = _label(label), clean_name(canonical), clean_name(spelling)
        table = self.merged[label]
        if spelling not in table:
            raise CurationError(f"{spelling!r} is not merged into anything ({label})",
                                f"{spelling} ไม่ได้ถูกรวมกับชื่อใด")
        into = table[spelling]
        if canonical not in (into, self.canonical(label, into)):
            raise CurationError(f"{spelling!r} is merged into {into!r}, not {canonical!r}",
                                f"{spelling} ถูกรวมเข้ากับ {into} ไม่ใช่ {canonical}")
        top = self.canonical(label, into)
        del table[spelling]
        return Change("split", label, top, spelling, True)

    def _chain(self, label: str, name: str) -> list[str]:
        table, out = self.merged[label], [name]
        while out[-1] in table and table[out[-1]] not in out:
            out.append(table[out[-1]])
        return out

    # --- the file ----------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"schema": SCHEMA, **{lab: dict(sorted(self.merged[lab].items()))
                                     for lab in LABELS}}

    @classmethod
    def from_json(cls, data: object, where: str = CURATIONS_FILE) -> Curations:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ConfigError(f"{where}: not a curations file of schema {SCHEMA}")
        unknown = set(data) - {"schema", *LABELS}
        if unknown:
            raise ConfigError(f"{where}: unknown entity type {sorted(unknown)[0]!r} "
                              f"(PERSON, ORG or LOC)")
        result = cls()
        for label in LABELS:
            table = data.get(label) or {}
            if not isinstance(table, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and k and v
                    for k, v in table.items()):
                raise ConfigError(f"{where}: {label} must map spellings to names")
            for spelling, into in sorted(table.items()):
                try:
                    result.merge(label, into, spelling)
                except SearchInputError as exc:
                    raise ConfigError(f"{where}: {label}: {exc}") from None
        return result


def _label(label: str) -> str:
    if label not in LABELS:
        raise CurationError(f"entity type must be PERSON, ORG or LOC, not {str(label)[:20]!r}")
    return label


def clean_name(name: str) -> str:
    found = names(name, "entity")
    if not found:
        raise CurationError("an entity name is needed", "กรุณาระบุชื่อ")
    return found[0]


# --- reading the file, at most once per change of it ---------------------------------------
_CACHE: dict[Path, tuple[tuple[int, int], Curations]] = {}


def load(path: Path | None = None) -> Curations:
    """The curations in `path` (default: the data dir's); none when there is no file.
    Read again only when the file changed, so every search sees the latest at once."""
    path = path or curations_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Curations()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the curations ({exc})") from None
    curations = Curations.from_json(data, str(path))
    _CACHE[path] = (stamp, curations)
    return curations


def current() -> Curations:
    return load()


@contextmanager
def editing(path: Path | None = None) -> Iterator[Curations]:
    """Read, change and write the curations under an exclusive lock (the CLI and the web
    page may write at the same time); written atomically, and only when the block ends
    without an error, so a failed change leaves the file as it was."""
    path = path or curations_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _CACHE.pop(path, None)
            curations = load(path)
            before = curations.to_json()
            yield curations
            if curations.to_json() != before:
                write_json_atomic(path, curations.to_json())
                _CACHE.pop(path, None)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- applying them to queries and aggregations ----------------------------------------------
def name_clause(field_name: str, name: str, curations: Curations | None = None) -> dict:
    """A filter on a canonical name that also matches every spelling merged with it."""
    curations = curations or current()
    label = LABEL_BY_FIELD.get(field_name)
    found = curations.spellings(label, name) if label else [name]
    if len(found) == 1:
        return {"term": {field_name: found[0]}}
    return {"terms": {field_name: found}}


GROUPS_AGG = "curated_groups"


def group_key(label: str, canonical: str) -> str:
    return f"{label}\t{canonical}"


def groups_agg(labels: Iterable[str], curations: Curations) -> dict:
    """A `filters` aggregation counting the releases of every curated group exactly (one
    release naming two spellings counts once); {} when there are no curations."""
    filters = {group_key(label, top): {"terms": {NAME_FIELDS[label]: spellings}}
               for label in labels for top, spellings in curations.groups(label).items()}
    return {GROUPS_AGG: {"filters": {"filters": filters}}} if filters else {}


def terms_size(size: int, label: str, curations: Curations) -> int:
    """A terms aggregation asks for this many buckets, to refill the slots that folding
    spellings into their canonical names frees."""
    return size + min(curations.count(label), MAX_CURATED_FACET_EXTRA)


def fold(label: str, buckets: Iterable[tuple[str, int]], aggs: dict, size: int,
         curations: Curations) -> list[tuple[str, int]]:
    """(name, count) buckets with every spelling folded into its canonical name, counted
    by the groups aggregation when there is one; most first, ties in the order given."""
    exact = {key: b["doc_count"]
             for key, b in ((aggs.get(GROUPS_AGG) or {}).get("buckets") or {}).items()}
    counts: dict[str, int] = {}
    for name, count in buckets:
        top = curations.canonical(label, name)
        counts[top] = counts.get(top, 0) + count
    for key, count in exact.items():
        lab, _, top = key.partition("\t")
        if lab == label and (count or top in counts):
            counts[top] = count
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    return [item for item in ordered if item[1] > 0][:size]

