"""Prefect tasks: thin wrappers over `crawler/` (in a process of its own) and `pipeline/`.

Tasks take paths and names only, never credentials: Prefect records task parameters, and
the Elasticsearch API key must not end up in its database. Clients are built inside.
Retries follow `core.errors`: transient failures are retried with backoff, permanent never.
"""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from core.errors import EXIT_SITE_UNREACHABLE, UserFacingError, is_transient
from core.landing import Landing
from core.settings import get_settings


class CrawlFailed(UserFacingError):
    """The crawl process failed; its one-line reason is the message, and `transient` says
    whether another try later may change the outcome (the crawler's own `status`)."""

    exit_code = EXIT_SITE_UNREACHABLE

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def retry_transient(_task, _task_run, state) -> bool:
    """Prefect retry condition: retry transient failures, never permanent ones."""
    try:
        state.result()
    except CrawlFailed as exc:
        return exc.transient
    except Exception as exc:  # noqa: BLE001 - classified by core.errors
        return is_transient(exc)
    return False


@task(name="crawl", retries=0, cache_policy=NO_CACHE, persist_result=False,
      retry_delay_seconds=exponential_backoff(10), retry_jitter_factor=0.5,
      retry_condition_fn=retry_transient)
def crawl_source(source: str, data_dir: str, base_url: str | None = None,
                 since: str | None = None, until: str | None = None) -> dict:
    """Crawl one source in its own process and return its summary."""
    from crawler.launch import run_crawl_subprocess

    logger = get_run_logger()
    logger.info("crawling %s%s", source, f" from {base_url}" if base_url else "")
    outcome = run_crawl_subprocess(source, data_dir=data_dir, base_url=base_url, since=since,
                                   until=until)
    if outcome.returncode != 0:
        raise CrawlFailed(f"crawl of {source} failed: {outcome.error}", outcome.transient)
    summary = outcome.summary or {}
    logger.info("crawl of %s: %s", source, summary.get("counts", summary))
    return summary


@task(name="enrich-and-load", retries=2, cache_policy=NO_CACHE, persist_result=False,
      retry_delay_seconds=exponential_backoff(5), retry_jitter_factor=0.5,
      retry_condition_fn=retry_transient)
def process_raw_file(raw_file: str, data_dir: str, index: str) -> dict:
    """Enrich one raw file (reusing a finished enriched copy of the same version) and load it."""
    from core.es.client import connect
    from index_mappings import ensure_index
    from pipeline.batch import process_raw_file as process

    settings = get_settings()
    client = connect()
    ensure_index(client, index)
    counts = process(Path(raw_file), Landing(data_dir), client, index,
                     workers=settings.enrich_workers, chunk_size=settings.bulk_chunk_size)
    get_run_logger().info("%s: %d records, %d indexed, %d unchanged, %d dead-lettered",
                          Path(raw_file).name, counts.records, counts.indexed,
                          counts.unchanged, counts.dead_lettered)
    return counts.as_dict()


@task(name="evaluate-watches", retries=2, cache_policy=NO_CACHE, persist_result=False,
      retry_delay_seconds=exponential_backoff(5), retry_jitter_factor=0.5,
      retry_condition_fn=retry_transient)
def evaluate_watches(data_dir: str, index: str, run_id: str) -> dict[str, int]:
    """Match every watch against the releases loaded since watches last looked (this run's
    new and changed ones, and any a failed run left queued); record the matches."""
    from core.es.client import connect
    from search.watches import evaluate_pending

    matches = evaluate_pending(connect(), index, data_dir, run_id)
    if matches:
        get_run_logger().info("watch matches: %s", matches)
    return matches
