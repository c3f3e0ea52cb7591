"""What an operator asks first: the last runs and their counts, the next scheduled run, the
node's health, the dead letters and why. Shared by `bma-news status` and the status page.

The next scheduled run comes from the Prefect server, which only the flows know how to
reach: the caller passes a `ScheduleProvider` (the CLI's is `flows.schedule.next_run`),
so this floor and the web page never import the flows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from elasticsearch import Elasticsearch

from core.dead_letters import DeadLetterSummary, iter_dead_letters, summarize
from core.health import NodeHealth, node_health
from core.runs import RunView, recent_runs

NO_SERVER = "no schedule (Prefect server not running)"


@dataclass(frozen=True)
class ScheduleInfo:
    """The next run of the nightly deployment, as the Prefect server knows it."""

    next_run: str | None = None  # ISO 8601, UTC
    deployment: str | None = None
    cron: str | None = None
    timezone: str | None = None
    paused: bool = False
    server: str | None = None  # the API URL asked
    detail: str = NO_SERVER  # a line for people when there is no next run

    def as_dict(self) -> dict:
        return asdict(self)


ScheduleProvider = Callable[[], ScheduleInfo]


@dataclass(frozen=True)
class StatusReport:
    runs: list[RunView]
    schedule: ScheduleInfo
    node: NodeHealth
    dead_letters: DeadLetterSummary
    data_dir: str

    def as_dict(self) -> dict:
        return {"data_dir": self.data_dir, "runs": [r.as_dict() for r in self.runs],
                "schedule": self.schedule.as_dict(), "node": self.node.as_dict(),
                "dead_letters": self.dead_letters.as_dict()}


def collect_status(data_dir: Path | str, client: Elasticsearch, alias: str, where: str, *,
                   schedule: ScheduleProvider | None = None, runs: int = 10,
                   letters: int = 20) -> StatusReport:
    """The whole status; every part answers even when the node or the server is down."""
    return StatusReport(
        runs=recent_runs(data_dir, runs),
        schedule=schedule() if schedule else ScheduleInfo(),
        node=node_health(client, alias, where),
        dead_letters=summarize(iter_dead_letters(data_dir), letters),
        data_dir=str(data_dir))


def bangkok_time(iso: str | None) -> str:
    """`2026-12-03 02:00` in Bangkok time, for people; "—" when there is no time."""
    from datetime import datetime

    from core.thai_calendar import BANGKOK

    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return iso
    return moment.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")
