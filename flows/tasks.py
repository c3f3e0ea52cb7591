"""Prefect tasks: thin wrappers over `crawler/` (in a subprocess) and `pipeline/`.

Tasks take paths and names only, never credentials: Prefect records task parameters, and
the Elasticsearch API key must not end up in its database. Clients are built inside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from bma_news.errors import ElasticsearchUnavailable, UserFacingError
from pipeline.landing import BadLine, enriched_dir, read_jsonl, write_jsonl_atomic
from pipeline.load import DeadLetter, Loader, LoadInterrupted

# Failures worth another try: the node or the site was briefly away or overloaded.
TRANSIENT_ERRORS = (LoadInterrupted, ElasticsearchUnavailable, ConnectionError, TimeoutError)


class CrawlFailed(UserFacingError):
    """The crawl subprocess failed; its one-line reason is the message, and `status` is
    the crawler's own word for it (`unreachable`, `blocked_by_robots`, `no_listing`, ...)."""

    exit_code = 4

    def __init__(self, message: str, status: str | None = None):
        super().__init__(message)
        self.status = status


# Crawl outcomes that another try later may change; robots.txt or a missing listing won't.
TRANSIENT_CRAWL_STATUSES = frozenset({"unreachable", "interrupted"})


def is_transient(_task, _task_run, state) -> bool:
    """Prefect retry condition: retry transient failures, never permanent ones."""
    try:
        state.result()
    except TRANSIENT_ERRORS:
        return True
    except CrawlFailed as exc:
        return exc.status in TRANSIENT_CRAWL_STATUSES
    except Exception:  # noqa: BLE001 - anything else is permanent
        return False
    return False


def dead_letter_for(data_dir: Path) -> DeadLetter:
    return DeadLetter(data_dir / "dead-letter")


@task(name="crawl", retries=0, cache_policy=NO_CACHE, persist_result=False, retry_delay_seconds=exponential_backoff(10),
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def crawl_source(source: str, data_dir: str, base_url: str | None = None,
                 since: str | None = None, until: str | None = None) -> dict:
    """Run `bma-news crawl` for one source in its own process (Twisted's reactor cannot be
    restarted inside one process) and return its summary."""
    logger = get_run_logger()
    with tempfile.TemporaryDirectory() as tmp:
        summary_path = Path(tmp) / "summary.json"
        cmd = [sys.executable, "-m", "bma_news.cli", "crawl", "--source", source,
               "--summary-json", str(summary_path)]
        for flag, value in (("--base-url", base_url), ("--since", since), ("--until", until)):
            if value:
                cmd += [flag, value]
        env = {**os.environ, "BMA_NEWS_DATA_DIR": data_dir}
        logger.info("crawling %s%s", source, f" from {base_url}" if base_url else "")
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("w") as stderr:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                  check=False)
        lines = [ln.strip() for ln in stderr_path.read_text(errors="replace").splitlines()
                 if ln.strip()]
        summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
        if proc.returncode != 0:
            errors = [ln for ln in lines if ln.startswith("error:")]
            reason = (errors or lines or [f"exit status {proc.returncode}"])[-1]
            raise CrawlFailed(f"crawl of {source} failed: {reason.removeprefix('error: ')}",
                              status=summary.get("status"))
    logger.info("crawl of %s: %s", source, summary.get("counts", summary))
    return summary


def enriched_stream(items: Iterable[dict | BadLine], dead_letter: DeadLetter,
                    counts: Counter) -> Iterator[dict]:
    """Enrich the readable records of `items`; unreadable lines and records enrichment
    rejects go to the dead letter. Counts `records`, `enriched` and `dead` as it goes."""
    from bma_news.settings import get_settings
    from pipeline.enrich import enrich_parallel

    def readable():
        for item in items:
            counts["records"] += 1
            if isinstance(item, BadLine):
                dead_letter.write({"id": None, "line": item.text}, item.reason, "read")
                counts["dead"] += 1
                continue
            yield item

    for record in enrich_parallel(readable(), get_settings().enrich_workers):
        if record.get("error"):
            dead_letter.write(record, f"enrichment failed: {record['error']}", "enrich")
            counts["dead"] += 1
            continue
        counts["enriched"] += 1
        yield record


def make_loader(client, index: str, data_dir: Path) -> Loader:
    from bma_news.settings import get_settings

    return Loader(client, index, dead_letter_for(data_dir), get_settings().bulk_chunk_size)


@task(name="enrich-and-load", retries=2, cache_policy=NO_CACHE, persist_result=False, retry_delay_seconds=exponential_backoff(5),
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def process_raw_file(raw_file: str, data_dir: str, index: str) -> dict:
    """Enrich one raw file (reusing a finished enriched copy of the same version) and load it.

    Returns the counts; the caller marks the file loaded in the ledger only after this
    returns, so a failure anywhere leaves it pending for the next run.
    """
    from bma_news.es.client import connect
    from index_mappings import ensure_index
    from pipeline import ENRICHMENT_VERSION

    logger = get_run_logger()
    data = Path(data_dir)
    raw = Path(raw_file)
    out = enriched_dir(data) / raw.relative_to(data / "raw")
    counts_file = out.with_suffix(".counts.json")
    counts = json.loads(counts_file.read_text()) if counts_file.is_file() else {}
    # A file enriched (same version) by an earlier run that failed while loading is reused.
    started = time.perf_counter()
    if not (out.is_file() and counts.get("version") == ENRICHMENT_VERSION):
        tally: Counter = Counter()
        write_jsonl_atomic(out, enriched_stream(read_jsonl(raw), dead_letter_for(data), tally))
        counts = dict(tally) | {"version": ENRICHMENT_VERSION}
        counts_file.write_text(json.dumps(counts))
    records, enriched, dead = (counts.get(k, 0) for k in ("records", "enriched", "dead"))
    enrich_s = time.perf_counter() - started
    started = time.perf_counter()
    client = connect()
    ensure_index(client, index)
    report = make_loader(client, index, data).load(
        r for r in read_jsonl(out) if not isinstance(r, BadLine))
    logger.info("%s: %d records, %d indexed, %d unchanged, %d dead-lettered", raw.name,
                records, report.indexed, report.unchanged, dead + report.dead_lettered)
    return {
        "records": records,
        "enriched": enriched,
        "indexed": report.indexed,
        "unchanged": report.unchanged,
        "dead_lettered": dead + report.dead_lettered,
        "skipped": dict(report.skipped),
        "transient_retries": report.transient_retries,
        "seconds": {"enrich": round(enrich_s, 3), "load": round(time.perf_counter() - started, 3)},
    }
