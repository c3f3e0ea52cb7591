"""The landing zone (`BMA_NEWS_DATA_DIR`): where every part reads and writes, and how.

    raw/<source>/<crawl-date>/<run-id>.jsonl        RawRecord lines, append-only (crawler)
    archive/<source>/<crawl-date>/<run-id>.warc.gz  every response, before parsing (crawler)
    state/<source>/                                 watermark, Scrapy JOBDIR, lock (crawler)
    state/ledger.json, state/run.lock               which raw files are loaded (flows)
    enriched/<source>/<crawl-date>/<run-id>.jsonl   EnrichedRecord lines, mirroring raw/
    dead-letter/<date>.jsonl                        what could not be processed, with why
    runs/<run-id>.json                              the counts of one run
    logs/                                           crawl logs

Files are append-only and named so that sorting their paths sorts them by crawl date and
run, which is what "the latest version of an article" relies on. Writes that must not be
seen half-done go through a temporary file and a rename.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.records import Rejected
from core.thai_calendar import BANGKOK


def new_run_id(kind: str, now: datetime | None = None, suffix: str | None = None) -> str:
    """`<kind>-<UTC time>-<suffix>`, e.g. `crawl-20240523T190000Z-a1b2c3`: sortable by time,
    unique with the suffix (6 random hex digits unless given, e.g. a Prefect flow run's)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{kind}-{stamp}-{suffix or secrets.token_hex(3)}"


def crawl_date(now: datetime | None = None) -> str:
    """The crawl-date folder: the day in Bangkok."""
    return (now or datetime.now(BANGKOK)).astimezone(BANGKOK).date().isoformat()


@dataclass(frozen=True)
class BadLine:
    path: Path
    lineno: int
    reason: str
    text: str

    def rejected(self) -> Rejected:
        return Rejected({"id": None, "line": self.text}, self.reason, "read", self.lineno)


class Landing:
    """Paths of the landing zone under one data directory."""

    def __init__(self, data_dir: Path | str):
        self.root = Path(data_dir)
        self.raw = self.root / "raw"
        self.archive = self.root / "archive"
        self.state = self.root / "state"
        self.enriched = self.root / "enriched"
        self.dead_letter_dir = self.root / "dead-letter"
        self.runs = self.root / "runs"
        self.logs = self.root / "logs"

    def raw_file(self, source: str, day: str, run_id: str) -> Path:
        return self.raw / source / day / f"{run_id}.jsonl"

    def archive_file(self, source: str, day: str, run_id: str) -> Path:
        return self.archive / source / day / f"{run_id}.warc.gz"

    def source_state(self, source: str) -> Path:
        return self.state / source

    def enriched_file(self, raw_file: Path) -> Path:
        """The enriched copy of a raw file: the same relative path under enriched/."""
        return self.enriched / Path(raw_file).resolve().relative_to(self.raw.resolve())

    def run_summary(self, run_id: str) -> Path:
        return self.runs / f"{run_id}.json"

    def watch_queue(self) -> Path:
        """Ids of loaded releases the watches have not been matched against yet."""
        return self.state / "watch-queue.jsonl"

    def raw_files(self, sources: Iterable[str] | None = None) -> list[Path]:
        """Every raw file, oldest crawl first (then by run, then by source)."""
        if not self.raw.is_dir():
            return []
        wanted = set(sources) if sources else None
        files = [p for p in self.raw.glob("*/*/*.jsonl") if wanted is None or p.parts[-3] in wanted]
        return sorted(files, key=lambda p: (p.parts[-2], p.name, p.parts[-3]))

    def dead_letters(self) -> DeadLetter:
        return DeadLetter(self.dead_letter_dir)


class DeadLetter:
    """Append-only `dead-letter/<UTC date>.jsonl` of what could not be processed, with why."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.count = 0

    @property
    def path(self) -> Path:
        return self.directory / f"{datetime.now(UTC).date().isoformat()}.jsonl"

    def write(self, record: object, reason: str, stage: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "stage": stage,
            "id": record.get("id") if isinstance(record, dict) else None,
            "reason": reason,
            "record": record,
        }
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def reject(self, rejected: Rejected) -> None:
        self.write(rejected.record, rejected.reason, rejected.stage)


def numbered_jsonl(path: Path) -> Iterator[tuple[int, int, dict | BadLine]]:
    """(line number, bytes read, record or BadLine) for each non-empty line of a file."""
    with Path(path).open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            line = raw.decode("utf-8", errors="replace")
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield lineno, len(raw), BadLine(Path(path), lineno, f"unreadable JSON: {exc}", line[:2000])
                continue
            if not isinstance(record, dict):
                reason = f"record is a {type(record).__name__}, not an object"
                yield lineno, len(raw), BadLine(Path(path), lineno, reason, line[:2000])
                continue
            yield lineno, len(raw), record


def read_jsonl(path: Path) -> Iterator[dict | BadLine]:
    """Records of one file; a line that is not a JSON object comes back as a BadLine."""
    return (item for _, _, item in numbered_jsonl(path))


def latest_records(files: list[Path]) -> Iterator[dict | BadLine]:
    """Each article once, in its latest version, without holding the archive in memory.

    First pass: remember where the last line for each id is. Second pass: read exactly
    those lines.
    """
    where: dict[str, tuple[int, int]] = {}
    for file_no, path in enumerate(files):
        with path.open("rb") as fh:
            offset = 0
            for line in fh:
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                try:
                    record_id = json.loads(line).get("id")
                except (ValueError, AttributeError):
                    continue
                if isinstance(record_id, str):
                    where[record_id] = (file_no, start)
    by_file: dict[int, list[int]] = {}
    for file_no, start in where.values():
        by_file.setdefault(file_no, []).append(start)
    for file_no in sorted(by_file):
        with files[file_no].open("rb") as fh:
            for start in sorted(by_file[file_no]):
                fh.seek(start)
                yield json.loads(fh.readline())
    # Lines without an id or unreadable are reported too, never silently dropped.
    for path in files:
        for item in read_jsonl(path):
            if isinstance(item, BadLine):
                yield item
            elif not isinstance(item.get("id"), str):
                yield BadLine(path, 0, "record without an id", json.dumps(item)[:2000])


@contextmanager
def atomic_jsonl(path: Path) -> Iterator[Callable[[str], None]]:
    """A function writing one JSON line to `path`, via a temporary file that becomes
    `path` only when the block ends without an error: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".partial")
    with tmp.open("w", encoding="utf-8") as fh:

        def write(line: str) -> None:
            fh.write(line + "\n")

        yield write
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_jsonl_atomic(path: Path, lines: Iterable[str]) -> int:
    """Write JSON lines to `path` via a temporary file, so a crash never leaves half a file."""
    count = 0
    with atomic_jsonl(path) as write:
        for line in lines:
            write(line)
            count += 1
    return count


def write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
