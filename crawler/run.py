"""One crawl run: Scrapy's CrawlerProcess in this process, then a summary.

Twisted's reactor cannot restart, so a process runs one crawl; the `crawl` command is that
process (the flows run it as a subprocess and read `--summary-json`).
"""

from __future__ import annotations

import json
import resource
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from core.errors import InputError, UserFacingError
from core.landing import Landing, crawl_date, new_run_id
from core.settings import Settings
from core.thai_calendar import BANGKOK, now_bangkok
from crawler.engine.state import SourceState
from crawler.sources import SOURCE_NAMES, get_source

RESUME_FILE = "bma-run.json"


@dataclass
class RunContext:
    """One crawl run's identity and where it writes (the landing zone, or --out/--state)."""

    run_id: str
    crawl_date: str
    landing: Landing
    raw_root: Path  # the landing zone's raw/, or --out
    state_dir: Path
    raw_files: list[str] = field(default_factory=list)
    archive_files: list[str] = field(default_factory=list)

    def raw_path(self, source: str) -> Path:
        return self.raw_root / source / self.crawl_date / f"{self.run_id}.jsonl"

    def archive_path(self, source: str) -> Path:
        return self.landing.archive_file(source, self.crawl_date, self.run_id)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


def _window(source: str, state: SourceState, since: date | None, until: date | None,
            now: datetime) -> tuple[datetime | None, datetime | None]:
    start = end = None
    if since is not None:
        # One second early: WordPress's modified_after is exclusive.
        start = datetime.combine(since, time(), BANGKOK) - timedelta(seconds=1)
    elif get_source(source).incremental:
        start = state.window_start(now)
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), BANGKOK)
    return start, end


def _prepare_jobdir(jobdir: Path, wanted: dict) -> dict | None:
    """The saved parameters when `jobdir` holds an interrupted crawl of the same request."""
    params_path = jobdir / RESUME_FILE
    if params_path.exists():
        try:
            saved = json.loads(params_path.read_text(encoding="utf-8"))
        except ValueError:
            saved = None
        if saved and all(saved.get(k) == v for k, v in wanted.items()):
            return saved
    if jobdir.exists():
        shutil.rmtree(jobdir)  # another request's leftovers: never resume the wrong crawl
    return None


def run_crawl(
    settings: Settings,
    source: str,
    *,
    base_url: str | None = None,
    since: date | None = None,
    until: date | None = None,
    out_dir: Path | None = None,
    state_dir: Path | None = None,
    progress: bool = False,
) -> dict:
    """Crawl `source` (a name or "all") and return the run's summary."""
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings as Settings_
    from scrapy.utils.reactor import install_reactor

    from crawler.engine.settings import scrapy_settings

    names = list(SOURCE_NAMES) if source == "all" else [source]
    if any(name not in SOURCE_NAMES for name in names):
        raise InputError(f"unknown source {source!r}; choose {', '.join(SOURCE_NAMES)} or all")
    if since and until and until < since:
        raise InputError("--until is before --since")
    now = now_bangkok()
    landing = Landing(settings.data_dir)
    run = RunContext(
        run_id=new_run_id("crawl", now), crawl_date=crawl_date(now), landing=landing,
        raw_root=Path(out_dir) if out_dir else landing.raw,
        state_dir=Path(state_dir) if state_dir else landing.state,
    )
    log_file = landing.logs / f"{run.run_id}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    base = scrapy_settings(settings, jobdir=None, log_file=log_file)
    install_reactor(base.get("TWISTED_REACTOR") or "twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    process = CrawlerProcess(base)
    crawlers: dict[str, tuple[Crawler, Path, bool]] = {}
    locks = [_lock(run.state_dir, name) for name in names]  # held until the process ends
    for name in names:
        state = SourceState.load(run.state_dir, name)
        jobdir = run.state_dir / name / "jobdir"
        wanted = {"source": name, "base_url": base_url,
                  "since": since.isoformat() if since else None,
                  "until": until.isoformat() if until else None}
        saved = _prepare_jobdir(jobdir, wanted)
        if saved:
            window_start, window_end = saved.get("window_start"), saved.get("window_end")
        else:
            start, end = _window(name, state, since, until, now)
            window_start = start.isoformat() if start else None
            window_end = end.isoformat() if end else None
            jobdir.mkdir(parents=True, exist_ok=True)
            (jobdir / RESUME_FILE).write_text(json.dumps(
                {**wanted, "window_start": window_start, "window_end": window_end,
                 "run_id": run.run_id}), encoding="utf-8")
        spider_settings = scrapy_settings(settings, jobdir=jobdir, log_file=log_file)
        spider_class = _load_spider(get_source(name).spider)
        # "spider" priority: the process's own settings must not override the JOBDIR.
        per_crawler = Settings_()
        per_crawler.setdict(spider_settings, priority="spider")
        crawler = Crawler(spider_class, per_crawler)
        crawlers[name] = (crawler, jobdir, bool(saved))
        process.crawl(crawler, run=run, base_url=base_url, window_start=window_start,
                      window_end=window_end, page_size=settings.crawl_page_size)
    bar = _progress([c for c, _, _ in crawlers.values()]) if progress else None

    try:
        process.start()
    finally:
        if bar is not None:
            bar.stop()
        for lock in locks:
            lock.close()
    finished_at = now_bangkok()
    summary = _summary(run, crawlers, started=now, finished=finished_at, since=since,
                       until=until, log_file=log_file)
    for name, (_crawler, jobdir, _) in crawlers.items():
        if summary["sources"][name]["finish_reason"] == "finished" and jobdir.exists():
            shutil.rmtree(jobdir)  # done: the next run must not inherit its seen-requests
    return summary


def _lock(state_dir: Path, source: str):
    """One crawl per source and state dir at a time: two would share a JOBDIR and a watermark."""
    import fcntl

    path = state_dir / source / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")  # noqa: SIM115 - kept open (and locked) for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise UserFacingError(f"another crawl of {source} is running (lock {path})") from None
    return handle


def _load_spider(path: str):
    from scrapy.utils.misc import load_object

    return load_object(path)


COUNT_KEYS = ("new", "updated", "unchanged", "duplicate")


def _summary(run: RunContext, crawlers: dict, *, started: datetime, finished: datetime,
             since: date | None, until: date | None, log_file: Path) -> dict:
    totals: dict = {"fetched": 0, "requests": 0, "articles": 0, "emitted": 0,
                    **dict.fromkeys(COUNT_KEYS, 0), "skipped": {}, "blocked": {}}
    sources: dict = {}
    for name, (crawler, _, resumed) in crawlers.items():
        stats = crawler.stats.get_stats() if crawler.stats else {}
        spider = crawler.spider
        counts: dict = {
            "fetched": int(stats.get("downloader/response_count", 0)),
            "requests": int(stats.get("downloader/request_count", 0)),
            "articles": int(stats.get("bma/articles", 0)),
            **{key: int(stats.get(f"bma/{key}", 0)) for key in COUNT_KEYS},
            "skipped": {k.split("/", 2)[2]: int(v) for k, v in stats.items()
                        if k.startswith("bma/skipped/")},
            "blocked": {k.split("/", 2)[2]: int(v) for k, v in stats.items()
                        if k.startswith("bma/blocked/")},
        }
        counts["emitted"] = counts["new"] + counts["updated"]
        finish_reason = stats.get("finish_reason")
        status = "ok"
        robots_forbid = stats.get("bma/robots/disallow_all") or (
            spider is not None and spider.exhausted and counts["blocked"].get("robots"))
        if finish_reason != "finished":
            status = "interrupted"
        elif counts["articles"] == 0 and robots_forbid and not stats.get("bma/robots/unreachable"):
            status = "blocked_by_robots"
        elif counts["fetched"] == 0:
            status = "unreachable"
        elif spider is not None and spider.exhausted:
            status = "no_listing"
        elif spider is not None and spider.incomplete:
            status = "partial"
        sources[name] = {
            "status": status, "finish_reason": finish_reason, "resumed": resumed,
            "strategy": getattr(spider, "strategy_used", None),
            "window_start": spider.window_start.isoformat() if spider and spider.window_start else None,
            "window_end": spider.window_end.isoformat() if spider and spider.window_end else None,
            "watermark": stats.get("bma/watermark"),
            "counts": counts,
            "raw_files": [f for f in run.raw_files if f"/{name}/" in f],
            "archive_files": [f for f in run.archive_files if f"/{name}/" in f],
        }
        for key in ("fetched", "requests", "articles", "emitted", *COUNT_KEYS):
            totals[key] += counts[key]
        for group in ("skipped", "blocked"):
            for reason, value in counts[group].items():
                totals[group][reason] = totals[group].get(reason, 0) + value
    statuses = {s["status"] for s in sources.values()}
    overall = "ok"
    for status in ("interrupted", "unreachable", "blocked_by_robots", "no_listing", "partial"):
        if status in statuses:
            overall = status
            break
    return {
        "run_id": run.run_id, "status": overall,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "counts": totals, "sources": sources,
        "raw_files": list(run.raw_files), "archive_files": list(run.archive_files),
        "log_file": str(log_file),
        "max_rss_mb": peak_memory_mb(),
    }


def peak_memory_mb() -> float:
    """Peak resident memory of this process since it started the crawl's program.

    VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from a
    big parent would report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _progress(crawlers: list):
    """A progress line on the terminal: responses fetched and articles landed."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from scrapy import signals

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                   transient=True)
    task = bar.add_task("crawling", total=None)
    counts = {"fetched": 0, "articles": 0}

    def update() -> None:
        bar.update(task, description=f"crawling: {counts['fetched']} fetched, "
                                     f"{counts['articles']} articles")

    def on_response(*_args, **_kwargs) -> None:
        counts["fetched"] += 1
        update()

    def on_item(*_args, **_kwargs) -> None:
        counts["articles"] += 1
        update()

    for crawler in crawlers:
        crawler.signals.connect(on_response, signal=signals.response_received, weak=False)
        crawler.signals.connect(on_item, signal=signals.item_scraped, weak=False)
    bar.start()
    return bar



def failure_reason(summary: dict) -> str | None:
    """Why a crawl failed, in one line for the user, or None when it did not."""
    status = summary["status"]
    if status == "unreachable":
        names = [n for n, s in summary["sources"].items() if s["status"] == "unreachable"]
        return (f"site unreachable: {', '.join(names)} answered no request "
                f"(see {summary['log_file']})")
    if status == "blocked_by_robots":
        return ("robots.txt forbids the crawl or could not be read (5xx/timeout): "
                "nothing fetched, as RFC 9309 requires")
    if status == "no_listing":
        return ("no way of listing articles worked (REST API, RSS, sitemap, "
                f"listings); see {summary['log_file']}")
    if status == "interrupted":
        return "crawl interrupted; run the same command again to resume"
    return None
