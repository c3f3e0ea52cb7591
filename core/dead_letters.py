"""Reading the dead letters (`dead-letter/<date>.jsonl`, written by `core.landing.DeadLetter`)
for the status, and taking out the ones a retry has processed.

A dead letter's id is a hash of its line as written: stable as long as the line is, the
same on every machine, and needing no change to the writer. An operator who repairs a
record in the file gives it a new id, which the status then shows.

A retried record is never thrown away: its line moves to `dead-letter/retried/<date>.jsonl`
with the outcome of the retry. The caller holds the run lock while lines move, so no run
appends to a file that is being rewritten.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InputError
from core.landing import Landing, write_jsonl_atomic

ID_LENGTH = 12  # hex digits of sha1: unique among millions of lines, short enough to type
# What differs between records in one kind of failure (a quoted value or document id, a
# line, a column, a length) is folded, so that the kind is counted once however many
# records it hit.
_QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'|\[[^\]]{40,}\]")
_NUMBER = re.compile(r"\d+")
REASON_KIND_CHARS = 160


class LetterNotFound(InputError):
    pass


def letter_id(line: str) -> str:
    return hashlib.sha1(line.strip().encode("utf-8")).hexdigest()[:ID_LENGTH]


def reason_kind(reason: str) -> str:
    return _NUMBER.sub("N", _QUOTED.sub("'…'", reason))[:REASON_KIND_CHARS]


@dataclass(frozen=True)
class DeadLetterEntry:
    id: str
    file: str  # the file's name under dead-letter/
    lineno: int
    at: str | None
    stage: str
    reason: str
    record_id: str | None
    record: object

    @property
    def title(self) -> str | None:
        title = self.record.get("title") if isinstance(self.record, dict) else None
        return title if isinstance(title, str) else None

    def as_dict(self, with_record: bool = False) -> dict:
        out = {"id": self.id, "file": self.file, "line": self.lineno, "at": self.at,
               "stage": self.stage, "reason": self.reason, "record_id": self.record_id,
               "title": self.title}
        return out | ({"record": self.record} if with_record else {})


def _entry(line: str, path: Path, lineno: int) -> DeadLetterEntry:
    try:
        data = json.loads(line)
    except ValueError as exc:
        data = {"stage": "dead-letter", "reason": f"unreadable dead-letter line: {exc}",
                "record": line[:2000]}
    if not isinstance(data, dict):
        data = {"stage": "dead-letter", "reason": "dead-letter line is not an object",
                "record": data}
    record_id = data.get("id")
    return DeadLetterEntry(
        id=letter_id(line), file=path.name, lineno=lineno,
        at=data.get("at") if isinstance(data.get("at"), str) else None,
        stage=str(data.get("stage") or "unknown"), reason=str(data.get("reason") or ""),
        record_id=record_id if isinstance(record_id, str) else None,
        record=data.get("record"))


def dead_letter_files(data_dir: Path | str) -> list[Path]:
    """The dead-letter files, oldest first (they are named by date)."""
    directory = Landing(data_dir).dead_letter_dir
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def iter_dead_letters(data_dir: Path | str) -> Iterator[DeadLetterEntry]:
    """Every dead letter, oldest first, one line at a time (the files may be large)."""
    for path in dead_letter_files(data_dir):
        with path.open(encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    yield _entry(line, path, lineno)


@dataclass(frozen=True)
class ReasonCount:
    stage: str
    reason: str  # the kind of reason: numbers folded, see `reason_kind`
    count: int


@dataclass(frozen=True)
class DeadLetterSummary:
    total: int
    reasons: list[ReasonCount]  # most frequent first
    latest: list[DeadLetterEntry]  # newest first

    def as_dict(self) -> dict:
        return {"total": self.total,
                "reasons": [{"stage": r.stage, "reason": r.reason, "count": r.count}
                            for r in self.reasons],
                "latest": [e.as_dict() for e in self.latest]}


def summarize(entries: Iterable[DeadLetterEntry], latest: int = 20) -> DeadLetterSummary:
    counts: Counter = Counter()
    newest: deque[DeadLetterEntry] = deque(maxlen=max(latest, 0))
    total = 0
    for entry in entries:
        total += 1
        counts[(entry.stage, reason_kind(entry.reason))] += 1
        newest.append(entry)
    reasons = [ReasonCount(stage, reason, n) for (stage, reason), n in
               sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return DeadLetterSummary(total, reasons, list(reversed(newest)))


def find(data_dir: Path | str, ids: Iterable[str]) -> list[DeadLetterEntry]:
    """The dead letters with these ids; a start of an id will do when it is unique. An id
    that matches none, or a start that matches several, is a `LetterNotFound`."""
    wanted = {i.strip().lower() for i in ids if i.strip()}
    matches: dict[str, dict[str, DeadLetterEntry]] = {want: {} for want in wanted}
    for entry in iter_dead_letters(data_dir):
        for want in wanted:
            if entry.id.startswith(want):
                matches[want].setdefault(entry.id, entry)
    missing = sorted(want for want, found in matches.items() if not found)
    if missing:
        raise LetterNotFound("no dead letter with id " + ", ".join(missing)
                             + " (`bma-news status` lists them)")
    several = sorted(want for want, found in matches.items() if len(found) > 1)
    if several:
        raise LetterNotFound(", ".join(several) + " starts several dead-letter ids; give "
                             "more of it")
    found: dict[str, DeadLetterEntry] = {}
    for by_id in matches.values():
        found.update(by_id)
    return list(found.values())


def _json_or_text(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return line


def move_to_retried(data_dir: Path | str, outcomes: dict[str, str]) -> int:
    """Take the lines with the ids in `outcomes` out of the dead letters and append each to
    `dead-letter/retried/<date>.jsonl` with its outcome; the number of lines moved.

    The retried copy is written before the dead-letter file is rewritten, so a crash in
    between leaves a line in both places, never in neither.
    """
    if not outcomes:
        return 0
    landing = Landing(data_dir)
    retried_file = landing.dead_letter_dir / "retried" / f"{datetime.now(UTC).date()}.jsonl"
    moved = 0
    for path in dead_letter_files(data_dir):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        keep = [line for line in lines if line.strip() and letter_id(line) not in outcomes]
        gone = [line for line in lines if line.strip() and letter_id(line) in outcomes]
        if not gone:
            continue
        retried_file.parent.mkdir(parents=True, exist_ok=True)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with retried_file.open("a", encoding="utf-8") as fh:
            for line in gone:
                fh.write(json.dumps({"retried_at": at, "id": letter_id(line),
                                     "outcome": outcomes[letter_id(line)],
                                     "dead_letter": _json_or_text(line)}, ensure_ascii=False)
                         + "\n")
        if keep:
            write_jsonl_atomic(path, keep)
        else:
            path.unlink()
        moved += len(gone)
    return moved
