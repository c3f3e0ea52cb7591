"""Reading the run summaries (`runs/<run-id>.json`) for the operators' status.

The flows write them (`flows.summary.RunSummary.save`); this reader sits on the ground
floor so that the web page can show them without importing the flows. It reads the JSON
as written, field by field: a count an older summary lacks (`created`, `updated` came
later) is None, shown as "—", never a made-up 0. `tests/core/test_status.py` fails when
the writer and this reader drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.landing import Landing

# The counts of a run, in the order an operator reads them: (key, English label, Thai).
# `fetched` is the crawl's responses summed over the sources; `created` is what the loader
# counted as new documents.
RUN_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("fetched", "fetched", "ดึงมา"),
    ("created", "new", "ใหม่"),
    ("updated", "updated", "แก้ไข"),
    ("indexed", "indexed", "เข้าดัชนี"),
    ("unchanged", "unchanged", "ไม่เปลี่ยน"),
    ("dead_lettered", "dead-lettered", "ประมวลผลไม่ได้"),
)
# Fields of a summary that are not counts (shown elsewhere, or not at all).
NOT_COUNTS = frozenset({"flow", "run_id", "started_at", "finished_at", "status", "error",
                        "crawl", "index", "seconds", "skipped", "reconciles"})


@dataclass(frozen=True)
class RunView:
    """One run as the status shows it."""

    run_id: str
    flow: str | None
    status: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    counts: dict[str, int | None]  # every key of RUN_COUNTS, None when not recorded
    other_counts: dict[str, int] = field(default_factory=dict)  # any other count it recorded
    skipped: dict[str, int] = field(default_factory=dict)
    reconciles: bool | None = None
    path: str = ""

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, "flow": self.flow, "status": self.status,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "error": self.error, "counts": self.counts, "other_counts": self.other_counts,
                "skipped": self.skipped, "reconciles": self.reconciles, "path": self.path}


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fetched(crawl: object) -> int | None:
    """Responses fetched, summed over the crawled sources; None when no source said."""
    if not isinstance(crawl, dict):
        return None
    values = [n for c in crawl.values() if isinstance(c, dict)
              if (n := _count(c.get("fetched"))) is not None]
    return sum(values) if values else None


def run_view(data: dict, path: Path) -> RunView:
    counts: dict[str, int | None] = {"fetched": _fetched(data.get("crawl"))}
    for key, _label, _thai in RUN_COUNTS[1:]:
        counts[key] = _count(data.get(key))
    other = {k: v for k, v in data.items()
             if k not in NOT_COUNTS and k not in counts and _count(v) is not None}
    skipped = data.get("skipped")
    reconciles = data.get("reconciles")
    return RunView(
        run_id=str(data.get("run_id") or path.stem), flow=data.get("flow"),
        status=str(data.get("status") or "unknown"), started_at=data.get("started_at"),
        finished_at=data.get("finished_at"), error=data.get("error"), counts=counts,
        other_counts=other,
        skipped={str(k): v for k, v in skipped.items() if _count(v) is not None}
        if isinstance(skipped, dict) else {},
        reconciles=reconciles if isinstance(reconciles, bool) else None, path=str(path))


def unreadable_run(path: Path, reason: str) -> RunView:
    return RunView(run_id=path.stem, flow=None, status="unreadable", started_at=None,
                   finished_at=None, error=reason, counts=dict.fromkeys(k for k, *_ in RUN_COUNTS),
                   path=str(path))


def read_run(path: Path) -> RunView:
    """One summary file; an unreadable one comes back with status `unreadable` and why."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return unreadable_run(Path(path), f"cannot read the summary: {exc}")
    if not isinstance(data, dict):
        return unreadable_run(Path(path), "the summary is not a JSON object")
    return run_view(data, Path(path))


def recent_runs(data_dir: Path | str, limit: int = 10) -> list[RunView]:
    """The `limit` latest runs, newest first (by the time the summary was last written,
    which a run does when it finishes)."""
    runs_dir = Landing(data_dir).runs
    if not runs_dir.is_dir():
        return []
    paths = []
    for path in runs_dir.glob("*.json"):
        try:
            paths.append((path.stat().st_mtime, path.name, path))
        except OSError:  # removed while listing
            continue
    paths.sort(reverse=True)
    return [read_run(path) for _, _, path in paths[:limit]]
