"""Reading the landing zone (docs/CONTRACTS.md): raw and enriched JSON Lines files.

Files are append-only and named so that sorting their paths sorts them by crawl date and
run, which is what "the latest version of an article" relies on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BadLine:
    path: Path
    lineno: int
    reason: str
    text: str


def raw_dir(data_dir: Path) -> Path:
    return data_dir / "raw"


def enriched_dir(data_dir: Path) -> Path:
    return data_dir / "enriched"


def raw_files(data_dir: Path, sources: Iterable[str] | None = None) -> list[Path]:
    root = raw_dir(data_dir)
    if not root.is_dir():
        return []
    wanted = set(sources) if sources else None
    files = [p for p in root.glob("*/*/*.jsonl") if wanted is None or p.parts[-3] in wanted]
    return sorted(files, key=lambda p: (p.parts[-2], p.name, p.parts[-3]))


def read_jsonl(path: Path) -> Iterator[dict | BadLine]:
    """Records of one file; a line that is not a JSON object comes back as a BadLine."""
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield BadLine(path, lineno, f"unreadable JSON: {exc}", line[:2000])
                continue
            if not isinstance(record, dict):
                yield BadLine(path, lineno, "not a JSON object", line[:2000])
                continue
            yield record


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


def write_jsonl_atomic(path: Path, records: Iterable[dict]) -> int:
    """Write all records to `path` via a temporary file, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".partial")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return count
