"""What a flow run did, counted: written to runs/<id>.json, logged, and published as a
Prefect markdown artifact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from core.landing import Landing, write_json_atomic


@dataclass
class RunSummary:
    flow: str
    run_id: str
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str | None = None
    status: str = "running"
    error: str | None = None
    crawl: dict[str, dict] = field(default_factory=dict)
    files: int = 0
    records: int = 0
    enriched: int = 0
    indexed: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    skipped: Counter = field(default_factory=Counter)
    transient_retries: int = 0
    index: str | None = None
    seconds: Counter = field(default_factory=Counter)  # wall time per phase
    created: int = 0  # of `indexed`: new to the index
    updated: int = 0  # of `indexed`: replaced a different version
    # per watch name: how many of the releases this run added or changed it matched
    watch_matches: dict[str, int] = field(default_factory=dict)

    def add(self, counts: dict) -> None:
        """Add the counts of one file or batch (`pipeline.batch.BatchCounts.as_dict()`)."""
        for name in ("records", "enriched", "indexed", "created", "updated", "unchanged",
                     "dead_lettered", "transient_retries"):
            setattr(self, name, getattr(self, name) + counts.get(name, 0))
        self.skipped.update(counts.get("skipped") or {})
        self.seconds.update(counts.get("seconds") or {})

    def reconciles(self) -> bool:
        return self.records == (self.indexed + self.unchanged + self.dead_lettered
                                + sum(self.skipped.values()))

    def finish(self, status: str, error: str | None = None) -> None:
        self.status = status
        self.error = error
        self.finished_at = datetime.now(UTC).isoformat(timespec="seconds")

    def as_result(self) -> dict:
        # Shallow on purpose: dataclasses.asdict rebuilds a Counter from its items, which
        # turns its keys into tuples.
        result = {f.name: getattr(self, f.name) for f in fields(self)}
        return result | {"skipped": dict(self.skipped), "seconds": dict(self.seconds),
                         "crawl": dict(self.crawl), "watch_matches": dict(self.watch_matches),
                         "reconciles": self.reconciles()}

    def save(self, data_dir: Path) -> Path:
        path = Landing(data_dir).run_summary(self.run_id)
        write_json_atomic(path, self.as_result())
        return path

    def rows(self) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        for source, counts in self.crawl.items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if not isinstance(v, dict))
            skipped = counts.get("skipped") or {}
            if isinstance(skipped, dict) and skipped:
                shown += "; skipped: " + ", ".join(f"{k} {v}" for k, v in skipped.items())
            rows.append((f"crawl {source}", shown or "-"))
        rows += [
            ("raw files processed", str(self.files)),
            ("records", str(self.records)),
            ("enriched", str(self.enriched)),
            ("indexed", str(self.indexed)),
            ("created (new)", str(self.created)),
            ("updated", str(self.updated)),
            ("unchanged", str(self.unchanged)),
            ("dead-lettered", str(self.dead_lettered)),
            ("skipped", ", ".join(f"{k} {v}" for k, v in self.skipped.items()) or "0"),
            ("retries (429/5xx/connection)", str(self.transient_retries)),
            ("counts reconcile", "yes" if self.reconciles() else "NO"),
            ("watch matches", ", ".join(f"{k} {v}" for k, v in self.watch_matches.items())
             or "-"),
            ("time (s)", ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()) or "-"),
            ("status", self.status + (f": {self.error}" if self.error else "")),
        ]
        return rows

    def markdown(self) -> str:
        lines = [f"# bma-news {self.flow} run `{self.run_id}`", "", "| what | count |",
                 "| --- | --- |"]
        lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in self.rows()]
        return "\n".join(lines) + "\n"
