"""The nightly flow (crawl → enrich → load) and the backfill flow built from it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from core.landing import Landing, new_run_id
from core.settings import get_settings
from crawler.sources import PRIMARY_SOURCE, SOURCE_NAMES
from flows.ledger import Ledger, run_lock
from flows.summary import RunSummary
from flows.tasks import crawl_source, evaluate_watches, process_raw_file


def flow_run_id(flow_name: str) -> str:
    """The run's id: its kind, the time, and the Prefect flow run's id when there is one."""
    run = flow_run.get_id()
    return new_run_id(flow_name, suffix=str(run).replace("-", "")[:6] if run else None)


def publish(summary: RunSummary, data_dir: Path) -> None:
    """Log the summary, save it under runs/, and publish it as a Prefect artifact."""
    logger = get_run_logger()
    summary.save(data_dir)
    for key, value in summary.rows():
        logger.info("%s: %s", key, value)
    create_markdown_artifact(markdown=summary.markdown(), key=f"bma-news-{summary.flow}",
                             description=f"bma-news {summary.flow} run counts")


@contextmanager
def recorded_run(summary: RunSummary, data_dir: Path) -> Iterator[RunSummary]:
    """One run at a time per landing zone; whatever happens, its summary is finished,
    saved and published, and a failure is re-raised after that."""
    with run_lock(data_dir):
        try:
            yield summary
        except Exception as exc:
            summary.finish("failed", str(exc))
            publish(summary, data_dir)
            raise
        summary.finish("completed")
        publish(summary, data_dir)


def dask_task_runner():
    """Prefect-dask's task runner when the settings ask for Dask: the cluster at
    BMA_NEWS_DASK_ADDRESS, or a LocalCluster of BMA_NEWS_DASK_WORKERS processes; else None."""
    settings = get_settings()
    if not settings.dask_address and not settings.dask_workers:
        return None
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": settings.dask_workers,
                                          "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def load_pending(summary: RunSummary, data_dir: Path, index: str) -> None:
    """Enrich and load every raw file not yet loaded with the current enrichment version:
    one task per raw file, fanned out over Dask when it is configured. A file is marked
    loaded only once its task succeeded; a failed one stays pending for the next run."""
    from pipeline import ENRICHMENT_VERSION
    from search.watches import WatchQueue

    ledger, watch_queue = Ledger(data_dir), WatchQueue(data_dir)
    pending = [f for f in Landing(data_dir).raw_files()
               if not ledger.is_loaded(f, ENRICHMENT_VERSION)]
    runner = dask_task_runner() if pending else None
    if runner is None:
        for raw in pending:
            counts = process_raw_file(str(raw), str(data_dir), index)
            summary.add(counts)
            summary.files += 1
            watch_queue.add(counts.get("indexed_ids") or ())
            ledger.mark_loaded([raw], ENRICHMENT_VERSION, summary.run_id)
        return
    # The index behind the alias is made once here: tasks racing to make it would put
    # two write indexes behind one alias.
    from core.es.client import connect
    from index_mappings import ensure_index

    ensure_index(connect(), index)
    failures: list[BaseException] = []
    with runner:
        futures = [(raw, runner.submit(process_raw_file, parameters={
            "raw_file": str(raw), "data_dir": str(data_dir), "index": index}))
            for raw in pending]
        for raw, future in futures:
            try:
                counts = future.result()
            except Exception as exc:  # noqa: BLE001 - the others still count; re-raised below
                failures.append(exc)
                continue
            summary.add(counts)
            summary.files += 1
            watch_queue.add(counts.get("indexed_ids") or ())
            ledger.mark_loaded([raw], ENRICHMENT_VERSION, summary.run_id)
    if failures:
        raise failures[0]


def _run(flow_name: str, sources: list[str], data_dir: str | None, index: str | None,
         base_url: str | None, since: str | None, until: str | None,
         crawl_retries: int) -> dict:
    settings = get_settings()
    data = Path(data_dir or settings.data_dir).resolve()
    alias = index or settings.index
    with recorded_run(RunSummary(flow_name, flow_run_id(flow_name), index=alias), data) as summary:
        for source in sources:
            started = time.perf_counter()
            crawl = crawl_source.with_options(retries=crawl_retries)
            summary.crawl[source] = crawl(source, str(data), base_url, since, until).get(
                "counts", {})
            summary.seconds["crawl"] += round(time.perf_counter() - started, 3)
        load_pending(summary, data, alias)
        summary.watch_matches = evaluate_watches(str(data), alias, summary.run_id)
    return summary.as_result()


@flow(name="bma-news-nightly")
def nightly(sources: list[str] | None = None, base_url: str | None = None,
            since: str | None = None, until: str | None = None, data_dir: str | None = None,
            index: str | None = None, crawl_retries: int = 2) -> dict:
    """Crawl every source from its watermark, enrich what is new, load it, say what happened.

    A `base_url` (a mirror or test site) stands for the primary source, so without
    `sources` only that one is crawled from it, as `bma-news run --base-url` does."""
    if sources is None:
        sources = [PRIMARY_SOURCE] if base_url else list(SOURCE_NAMES)
    return _run("nightly", sources, data_dir, index, base_url, since, until, crawl_retries)


def date_chunks(since: date, until: date, days: int) -> list[tuple[date, date]]:
    if since > until:
        raise ValueError("--since is after --until")
    chunks = []
    start = since
    while start <= until:
        end = min(until, start + timedelta(days=days - 1))
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


@flow(name="bma-news-backfill")
def backfill(since: str, until: str, chunk_days: int = 30, sources: list[str] | None = None,
             base_url: str | None = None, data_dir: str | None = None,
             index: str | None = None) -> list[dict]:
    """A date range in chunks; each chunk is a nightly run of its own, re-runnable alone."""
    results = []
    for start, end in date_chunks(date.fromisoformat(since), date.fromisoformat(until),
                                  chunk_days):
        chunk = nightly.with_options(name=f"bma-news-backfill-{start}")
        results.append(chunk(sources=sources, base_url=base_url, since=start.isoformat(),
                             until=end.isoformat(), data_dir=data_dir, index=index))
    return results
