"""Which raw files have been loaded: the flows' memory between runs.

A raw file on disk that the ledger does not mark `loaded` (for the current enrichment
version) is pending, whatever happened to the run that crawled it: so a run that fails
half-way loses nothing, and the next run picks the work up. Writes are atomic.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.errors import UserFacingError
from core.landing import Landing, write_json_atomic


class RunInProgress(UserFacingError):
    pass


class Ledger:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.path = Landing(data_dir).state / "ledger.json"
        self.entries: dict[str, dict] = {}
        if self.path.is_file():
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))

    def _key(self, raw_file: Path) -> str:
        return str(raw_file.resolve().relative_to(self.data_dir.resolve()))

    def is_loaded(self, raw_file: Path, enrichment_version: str) -> bool:
        entry = self.entries.get(self._key(raw_file))
        return bool(entry and entry.get("loaded_version") == enrichment_version)

    def mark_loaded(self, raw_files: list[Path], enrichment_version: str, run_id: str) -> None:
        """Mark files loaded, with one write of the ledger for all of them."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        for raw_file in raw_files:
            self.entries[self._key(raw_file)] = {
                "loaded_version": enrichment_version, "run_id": run_id, "at": at}
        self._save()

    def _save(self) -> None:
        write_json_atomic(self.path, self.entries)


@contextmanager
def run_lock(data_dir: Path):
    """One run at a time per landing zone; a second one says so instead of interleaving."""
    lock_path = Landing(data_dir).state / "run.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(
                f"another bma-news run is using {data_dir} right now; wait for it to finish"
            ) from None
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
