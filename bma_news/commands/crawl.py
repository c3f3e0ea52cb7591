"""`bma-news crawl`: Scrapy is imported inside the command so `bma-news --help` stays quick."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import InputError, UserFacingError
from crawler.sources import SOURCE_NAMES

SOURCE_CHOICES = (*SOURCE_NAMES, "all")


def crawl(
    source: Annotated[str, typer.Option("--source", help=f"{', '.join(SOURCE_CHOICES)}.")],
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Replace the site's origin for every request (a mirror, a test server).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="YYYY-MM-DD: backfill from this day (default: from the watermark).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="YYYY-MM-DD: up to and including this day.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Raw JSONL root (default: DATA_DIR/raw).")] = None,
    state: Annotated[Path | None, typer.Option(
        "--state", help="Watermark and JOBDIR root (default: DATA_DIR/state).")] = None,
    summary_json: Annotated[Path | None, typer.Option(
        "--summary-json", help="Write the run's counts and the raw files it wrote here.")] = None,
) -> None:
    """Crawl BMA press releases into the landing zone (new and changed articles only)."""
    from urllib.parse import urlsplit

    from core.settings import get_settings

    if source not in SOURCE_CHOICES:
        raise InputError(f"--source must be one of {', '.join(SOURCE_CHOICES)}, not {source!r}")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"--base-url must be an http(s) URL like https://host, not {base_url!r}")
        base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    from crawler.run import failure_reason, parse_day, run_crawl

    since_day = parse_day(since, "--since")
    until_day = parse_day(until, "--until")
    summary = run_crawl(get_settings(), source, base_url=base_url, since=since_day,
                        until=until_day, out_dir=out, state_dir=state,
                        progress=sys.stderr.isatty())
    reason = failure_reason(summary)
    if reason:
        summary["error"] = reason
    if summary_json is not None:
        summary_json.parent.mkdir(parents=True, exist_ok=True)
        summary_json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    _print_summary(summary)
    if reason:
        raise UserFacingError(reason)


def _print_summary(summary: dict) -> None:
    counts = summary["counts"]
    skipped = ", ".join(f"{k}={v}" for k, v in sorted(counts["skipped"].items())) or "none"
    print(f"run {summary['run_id']}: {summary['status']}; fetched {counts['fetched']}, "
          f"new {counts['new']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
          f"duplicate {counts['duplicate']}; skipped: {skipped}")
    for path in summary["raw_files"]:
        print(f"  wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl)
