"""The durable per-source state: `state/<source>/watermark.json` (see docs/CONTRACTS.md).

- `modified_at`: the latest modification seen in a crawl that finished completely; the
  next run without `--since` asks for everything modified after it minus `OVERLAP`.
- `hashes`: article id -> content hash of every article landed, so a run emits only what
  is new or changed, and a crawl interrupted and resumed never emits an article twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from core.thai_calendar import BANGKOK, parse_iso_datetime

# WordPress does not touch `modified` when a scheduled post goes live, and editors'
# clocks and caches lag: re-reading two days of listings is cheap (the API returns
# content with the listing) and the hashes stop anything unchanged from being emitted.
OVERLAP = timedelta(days=2)
# A first run with no watermark and no --since covers this much; the archive is a backfill.
FIRST_RUN_WINDOW = timedelta(days=30)


@dataclass
class SourceState:
    path: Path
    source: str
    modified_at: str | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    last_run_id: str | None = None
    updated_at: str | None = None

    @classmethod
    def load(cls, state_dir: Path, source: str) -> SourceState:
        path = Path(state_dir) / source / "watermark.json"
        if not path.exists():
            return cls(path=path, source=source)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            from core.errors import UserFacingError

            raise UserFacingError(f"the crawl state {path} is unreadable ({exc}); "
                                  "move it away to start over") from exc
        return cls(path=path, source=source, modified_at=data.get("modified_at"),
                   hashes=dict(data.get("hashes") or {}), last_run_id=data.get("last_run_id"),
                   updated_at=data.get("updated_at"))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.updated_at = datetime.now(BANGKOK).isoformat(timespec="seconds")
        document = {"source": self.source, "modified_at": self.modified_at,
                    "last_run_id": self.last_run_id, "updated_at": self.updated_at,
                    "hashes": self.hashes}
        # Write then rename: a crash mid-write never leaves a truncated watermark.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".watermark-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def advance(self, modified_at: str | None) -> None:
        if not modified_at:
            return
        new = parse_iso_datetime(modified_at)
        old = parse_iso_datetime(self.modified_at)
        if new and (old is None or new > old):
            self.modified_at = new.isoformat()

    def window_start(self, now: datetime | None = None) -> datetime:
        """Where an incremental run starts: the watermark minus the overlap, or 30 days ago."""
        now = now or datetime.now(BANGKOK)
        watermark = parse_iso_datetime(self.modified_at)
        if watermark is None:
            return now - FIRST_RUN_WINDOW
        return watermark - OVERLAP
