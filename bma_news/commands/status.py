"""`bma-news status` (runs, next scheduled run, the node, dead letters) and
`bma-news dead-letters show|retry`.

`status` answers whatever is down: a node or a Prefect server that does not answer is a
line of the status, and the exit code says so (3 when the node is down) for scripts.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bma_news.commands.console import err, out
from bma_news.commands.search import _print_json
from core.errors import EXIT_FAILED, EXIT_UNAVAILABLE, InputError
from core.limits import MAX_STATUS_DEAD_LETTERS, MAX_STATUS_RUNS

dead_letters_app = typer.Typer(
    help="The records that could not be processed (data/dead-letter/): show one, retry them.",
    no_args_is_help=True)


def _bounded(value: int, name: str, high: int) -> int:
    if not 0 <= value <= high:
        raise InputError(f"--{name} must be between 0 and {high}, not {value}")
    return value


def _show(value: int | None) -> str:
    return "—" if value is None else str(value)


def collect(runs: int, letters: int):
    """The status of the settings' landing zone, node and Prefect server."""
    from core.es.client import make_client, redact_url
    from core.settings import get_settings
    from core.status import collect_status
    from flows.schedule import next_run

    settings = get_settings()
    client = make_client(settings, max_retries=0)
    try:
        return collect_status(settings.data_dir, client, settings.index,
                              redact_url(settings.effective_es_url),
                              schedule=lambda: next_run(settings), runs=runs, letters=letters)
    finally:
        client.close()


def print_status(report) -> None:
    from core.runs import RUN_COUNTS
    from core.status import bangkok_time

    out.print(f"landing zone: {report.data_dir}")
    out.print(f"last runs: {len(report.runs)}" if report.runs else "last runs: none yet")
    for run in report.runs:
        status = run.status + (f": {run.error}" if run.error else "")
        out.print(f"  {run.run_id}  {status}  started {bangkok_time(run.started_at)}, "
                  f"finished {bangkok_time(run.finished_at)} (Bangkok)")
        counts = "  ".join(f"{label} {_show(run.counts[key])}" for key, label, _ in RUN_COUNTS)
        others = "  ".join(f"{key} {value}" for key, value in run.other_counts.items())
        out.print(f"    {counts}" + (f"  ({others})" if others else ""))

    schedule = report.schedule
    if schedule.next_run:
        out.print(f"next scheduled run: {bangkok_time(schedule.next_run)} Bangkok "
                  f"({schedule.next_run}), {schedule.deployment}, cron {schedule.cron} "
                  f"{schedule.timezone}")
    else:
        out.print(f"next scheduled run: none: {schedule.detail}")

    node = report.node
    if node.up:
        behind = ", ".join(node.indices) or "no index"
        out.print(f"node: up at {node.where}, {node.status}, {node.nodes} node(s); alias "
                  f"'{node.alias}' → {behind}, {_show(node.docs)} documents"
                  + (f" ({node.detail})" if node.detail else ""))
    else:
        out.print(f"node: DOWN at {node.where}: {node.detail}")

    letters = report.dead_letters
    out.print(f"dead letters: {letters.total}")
    for reason in letters.reasons:
        out.print(f"  {reason.count:>6}  {reason.stage}: {reason.reason}")
    if letters.latest:
        out.print(f"latest {len(letters.latest)} (retry with `bma-news dead-letters retry ID`):")
        for entry in letters.latest:
            what = entry.title or entry.record_id or "(no id)"
            out.print(f"  {entry.id}  {bangkok_time(entry.at)}  {entry.stage}: "
                      f"{entry.reason[:160]}  [{what[:60]}]")


def status_command(
    runs: Annotated[int, typer.Option("--runs", help="How many of the latest runs.")] = 10,
    letters: Annotated[int, typer.Option("--dead-letters", help="How many of the latest dead "
                                         "letters to list (all are counted).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Last runs with their counts, the next scheduled run, the node's health, and the dead
    letters with their reasons. Exit 3 when the node is down."""
    report = collect(_bounded(runs, "runs", MAX_STATUS_RUNS),
                     _bounded(letters, "dead-letters", MAX_STATUS_DEAD_LETTERS))
    if as_json:
        _print_json(report.as_dict())
    else:
        print_status(report)
    if not report.node.up:
        raise typer.Exit(EXIT_UNAVAILABLE)


@dead_letters_app.command("show")
def show_command(letter_id: Annotated[str, typer.Argument(help="A dead letter's id (or a "
                                                          "unique start of it).")]) -> None:
    """Print one dead letter whole, with its record, as JSON."""
    from core.dead_letters import find
    from core.settings import get_settings

    _print_json(find(get_settings().data_dir, [letter_id])[0].as_dict(with_record=True))


@dead_letters_app.command("retry")
def retry_command(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead-letter ids, as `bma-news "
                                                    "status` lists them.")] = None,
    retry_all: Annotated[bool, typer.Option("--all", help="Retry every dead letter.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Process dead-lettered records again through enrich and load; those that go through
    leave the dead letters (for dead-letter/retried/), the others stay. Exit 1 when some
    failed again."""
    from core.dead_letters import find, iter_dead_letters
    from core.es.client import connect
    from core.settings import get_settings
    from flows.ledger import run_lock
    from index_mappings import ensure_index
    from pipeline.retry import retry_dead_letters

    if bool(ids) == retry_all:
        raise InputError("give dead-letter ids or --all (not both)")
    settings = get_settings()
    data_dir = settings.data_dir
    with run_lock(data_dir):
        entries = list(iter_dead_letters(data_dir)) if retry_all else find(data_dir, ids or [])
        if not entries:
            out.print("no dead letters to retry")
            return
        client = connect()
        ensure_index(client, settings.index)
        show = not quiet and not as_json and sys.stderr.isatty()
        if show:
            from rich.progress import Progress

            with Progress(transient=True, console=err) as bar:
                task = bar.add_task("retrying", total=len(entries))
                report = retry_dead_letters(entries, data_dir, client, settings.index,
                                            chunk_size=settings.bulk_chunk_size,
                                            on_progress=lambda: bar.advance(task))
        else:
            report = retry_dead_letters(entries, data_dir, client, settings.index,
                                        chunk_size=settings.bulk_chunk_size)
    if as_json:
        _print_json(report.as_dict())
    else:
        out.print(f"retried {report.retried}: indexed {report.indexed}, unchanged "
                  f"{report.unchanged}, superseded {report.superseded}, failed again "
                  f"{report.failed}"
                  + (" (still in the dead letters)" if report.failed else ""))
        for reason, count in report.reasons.most_common():
            out.print(f"  {count:>6}  {reason}")
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("status")(status_command)
    app.add_typer(dead_letters_app, name="dead-letters")
