"""Rebuild (a new index from the landing zone, then an atomic alias swap) and reprocess
(re-enrich the archive into the current index), both without crawling."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow

from core.landing import Landing, latest_records
from core.settings import get_settings
from flows.ledger import Ledger
from flows.nightly import flow_run_id, recorded_run
from flows.summary import RunSummary

# Searches that resolved the alias just before the swap may still be running on the old
# index; it is deleted only after they have had time to finish.
OLD_INDEX_GRACE_S = 5.0


def _load_archive(summary: RunSummary, data: Path, index: str) -> list[Path]:
    """Enrich the latest version of every archived article and load it into `index`."""
    from core.es.client import connect
    from pipeline.batch import load_archive

    settings = get_settings()
    landing = Landing(data)
    files = landing.raw_files()
    counts = load_archive(latest_records(files), landing, connect(), index,
                          workers=settings.enrich_workers, chunk_size=settings.bulk_chunk_size)
    summary.files = len(files)
    summary.add(counts.as_dict())
    return files


def _mark_all_loaded(data: Path, files: list[Path], run_id: str) -> None:
    from pipeline import ENRICHMENT_VERSION

    Ledger(data).mark_loaded(files, ENRICHMENT_VERSION, run_id)


def rebuild_index(summary: RunSummary, data: Path, alias: str, keep_old: bool) -> str:
    from core.es.client import connect
    from index_mappings import create_index, point_alias

    client = connect()
    new_index = create_index(client, alias)
    try:
        files = _load_archive(summary, data, new_index)
    except BaseException:
        client.indices.delete(index=new_index, ignore_unavailable=True)
        raise
    previous = point_alias(client, alias, new_index)
    _mark_all_loaded(data, files, summary.run_id)
    if previous and not keep_old:
        time.sleep(OLD_INDEX_GRACE_S)
        client.indices.delete(index=",".join(previous), ignore_unavailable=True)
    return new_index


@flow(name="bma-news-rebuild")
def rebuild(data_dir: str | None = None, index: str | None = None,
            keep_old: bool = False) -> dict:
    """A fresh versioned index from the landing zone, then the alias moves to it atomically.

    Searches go through the alias and keep working throughout; the local distribution
    has no `_reindex`, and the archive is the source of truth anyway.
    """
    settings = get_settings()
    data = Path(data_dir or settings.data_dir).resolve()
    alias = index or settings.index
    with recorded_run(RunSummary("rebuild", flow_run_id("rebuild"), index=alias), data) as summary:
        summary.index = rebuild_index(summary, data, alias, keep_old)
    return summary.as_result()


@flow(name="bma-news-reprocess")
def reprocess(data_dir: str | None = None, index: str | None = None) -> dict:
    """Re-enrich every archived article (after a model or rule change) into the current
    index, without crawling; articles whose enrichment did not change are left alone."""
    from core.es.client import connect
    from index_mappings import ensure_index

    settings = get_settings()
    data = Path(data_dir or settings.data_dir).resolve()
    alias = index or settings.index
    with recorded_run(RunSummary("reprocess", flow_run_id("reprocess"), index=alias),
                      data) as summary:
        ensure_index(connect(), alias)
        files = _load_archive(summary, data, alias)
        _mark_all_loaded(data, files, summary.run_id)
    return summary.as_result()
