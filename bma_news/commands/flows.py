"""`bma-news run|nightly|backfill|rebuild|reprocess|deploy`: the Prefect flows."""

from __future__ import annotations

import logging
import re
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import typer

from core.errors import InputError, UserFacingError

DEMO_HINT = "to watch the whole job work without network, run `bma-news run --demo` (or `make demo`)"


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{flag} must be a date as YYYY-MM-DD, not {value!r}") from None


class _StatusHandler(logging.Handler):
    """Shows the latest flow or task log line on one live status line."""

    def __init__(self, status):
        super().__init__(logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        self.status.update(f"[bold]running[/bold] {message[:110]}")


@contextmanager
def quiet_prefect(console, verbose: bool):
    """Prefect's console logs become one live status line (with --verbose: everything).

    Its tracebacks stay in Prefect's own run logs; the terminal gets one clear line.
    """
    from prefect.logging.configuration import setup_logging

    setup_logging()  # idempotent; Prefect would otherwise do it lazily at the first run
    if verbose:
        yield
        return
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            if type(handler).__name__ == "PrefectConsoleHandler":
                handler.setLevel(logging.CRITICAL + 1)
    with console.status("[bold]starting[/bold] Prefect") as status:
        live = _StatusHandler(status)
        watched = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
        for logger in watched:
            logger.addHandler(live)
        try:
            yield
        finally:
            # Prefect's console stays quiet through its shutdown messages at exit.
            for logger in watched:
                logger.removeHandler(live)


def _print_summary(console, result: dict) -> None:
    from rich.table import Table

    from flows.summary import RunSummary

    summary = RunSummary(**{k: v for k, v in result.items() if k in RunSummary.__dataclass_fields__})
    table = Table(title=f"bma-news {summary.flow}: {summary.run_id}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("count")
    for key, value in summary.rows():
        table.add_row(key, value)
    console.print(table)


def example_searches(console, index: str) -> str | None:
    """Two searches a user might make next: the top agency, and a text search within it.
    Returns the top place (else agency) searched for."""
    from core.es.client import connect
    from search.entities import top_entities
    from search.params import SearchParams
    from search.query import search

    client = connect()
    top_orgs = top_entities(client, index, label="ORG", top=3)
    top_places = top_entities(client, index, label="LOC", top=1)
    if not top_orgs:
        console.print("no entities indexed yet, so no example searches")
        return None
    org = top_orgs[0].canonical
    examples = [(f'bma-news search --org "{org}"', SearchParams.build("", organizations=[org],
                                                                      size=3))]
    if top_places:
        place = top_places[0].canonical
        examples.append((f'bma-news search "{place}" --sort date',
                         SearchParams.build(place, sort="date", size=3)))
    for command, params in examples:
        result = search(client, index, params, with_facets=False)
        console.print(f"\n[bold]$ {command}[/bold]  ({result.total} releases)", markup=True)
        for hit in result.hits:
            title = " ".join(hit.title.split())
            console.print(f"  {(hit.published_at or '')[:10]}  {title}", markup=False,
                          no_wrap=True, overflow="ellipsis")
    return top_places[0].canonical if top_places else org


def demo_next_steps(console, base_index: str, example: str | None) -> None:
    """What to open after the demo: the search and the web page over the demo's index
    (`bma-news search`/`serve` read it while there is no real archive yet)."""
    from bma_news.commands.search import demo_index
    from bma_news.commands.web import DEFAULT_HOST, DEFAULT_PORT
    from core.es.client import connect

    # with a real archive already there, the commands read it unless told otherwise
    real = connect().indices.exists(index=base_index)
    prefix = f"BMA_NEWS_INDEX={demo_index(base_index)} " if real else ""
    query = f' "{example}"' if example else ""
    console.print("\n[bold]ต่อไป / Next:[/bold]", markup=True)
    console.print(f"  {prefix}bma-news search{query}    search the demo's releases here",
                  markup=False)
    console.print(f"  {prefix}bma-news serve    then open http://{DEFAULT_HOST}:{DEFAULT_PORT}/ "
                  "in a browser (Ctrl-C stops it)", markup=False)
    console.print("  make run    the real archive: the last 30 days of pr-bangkok.com "
                  "(needs the network)", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_command(
        base_url: str = typer.Option(None, "--base-url", help="Crawl this origin instead (a mirror or test server)."),
        since: str = typer.Option(None, "--since", help="Crawl from this date (YYYY-MM-DD) instead of the watermark."),
        demo: bool = typer.Option(False, "--demo", help="Run against a bundled sample site on loopback."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's own logs."),
    ) -> None:
        """The main job: the nightly flow once (crawl → enrich → load), a summary and two example searches.

        A first run without a watermark covers the last 30 days; the whole archive is `backfill`.
        """
        from rich.console import Console

        from core.settings import get_settings
        from crawler.sources import PRIMARY_SOURCE
        from flows.tasks import CrawlFailed

        console = Console(stderr=True, highlight=False)
        since = _check_date(since, "--since")
        if base_url and not re.match(r"^https?://", base_url):
            raise InputError(f"--base-url must be an http(s) URL, not {base_url!r}")
        settings = get_settings()
        data_dir, index = Path(settings.data_dir), settings.index
        sources = None
        with ExitStack() as stack:
            from core.es.node import ensure_elasticsearch

            ensure_elasticsearch(settings, report=lambda msg: console.print(msg))
            if demo:
                from demo import demo_site

                base_url = stack.enter_context(demo_site())
                from bma_news.commands.search import demo_index

                data_dir, index, sources = data_dir / "demo", demo_index(index), [PRIMARY_SOURCE]
                console.print(f"demo: serving a sample site of 36 releases at {base_url}")
            elif base_url:
                sources = [PRIMARY_SOURCE]
            from flows.nightly import nightly

            try:
                with quiet_prefect(console, verbose):
                    result = nightly(sources=sources, base_url=base_url, since=since,
                                     data_dir=str(data_dir), index=index, crawl_retries=0)
            except CrawlFailed as exc:
                hint = "" if demo else f"; {DEMO_HINT}"
                raise CrawlFailed(f"{exc}{hint}") from None
        out = Console(highlight=False)
        _print_summary(out, result)
        example = example_searches(out, index)
        if demo:
            demo_next_steps(out, settings.index, example)

    @app.command("nightly")
    def nightly_command(
        serve: bool = typer.Option(False, "--serve", help="Serve the deployment on a Prefect server: run every night on schedule."),
    ) -> None:
        """Run the nightly flow once, or serve it on its schedule (02:00 Bangkok time).

        --serve uses the Prefect server in PREFECT_API_URL, or else the local one of
        `bma-news prefect up`, started if needed (a temporary server cannot schedule).
        """
        from core.settings import get_settings

        settings = get_settings()
        if serve:
            from bma_news.commands.console import err
            from flows.deploy import serve_nightly
            from flows.server import ensure_prefect_server

            api_url = ensure_prefect_server(settings, report=lambda msg: err.print(msg))
            serve_nightly(settings, api_url, report=lambda msg: err.print(msg))
            return
        from rich.console import Console

        from flows.nightly import nightly

        _print_summary(Console(), nightly())

    @app.command("backfill")
    def backfill_command(
        since: str = typer.Option(..., "--since", help="First day, YYYY-MM-DD."),
        until: str = typer.Option(None, "--until", help="Last day, YYYY-MM-DD (default: today)."),
        chunk_days: int = typer.Option(30, "--chunk-days", min=1, max=366),
        base_url: str = typer.Option(None, "--base-url"),
    ) -> None:
        """Crawl and load a date range, in chunks that can each be re-run on their own."""
        from flows.nightly import backfill

        since_d = _check_date(since, "--since")
        until_d = _check_date(until, "--until") or date.today().isoformat()
        if since_d > until_d:
            raise InputError(f"--since {since_d} is after --until {until_d}")
        from crawler.sources import PRIMARY_SOURCE

        sources = [PRIMARY_SOURCE] if base_url else None
        results = backfill(since=since_d, until=until_d, chunk_days=chunk_days,
                           sources=sources, base_url=base_url)
        from rich.console import Console

        for result in results:
            _print_summary(Console(), result)

    @app.command("rebuild")
    def rebuild_command(
        keep_old: bool = typer.Option(False, "--keep-old", help="Keep the previous index."),
    ) -> None:
        """Build a new versioned index from the landing zone and swap the alias to it."""
        from rich.console import Console

        from flows.maintenance import rebuild

        _print_summary(Console(), rebuild(keep_old=keep_old))

    @app.command("reprocess")
    def reprocess_command() -> None:
        """Re-enrich the archived raw records into the current index (no crawling)."""
        from rich.console import Console

        from flows.maintenance import reprocess

        _print_summary(Console(), reprocess())

    @app.command("deploy")
    def deploy_command(
        work_pool: str = typer.Option("bma-news", "--work-pool", help="Prefect work pool (process type)."),
    ) -> None:
        """Register the nightly deployment (02:00 Bangkok time) with the Prefect server in
        PREFECT_API_URL, or else with the local one of `bma-news prefect up` if it is running."""
        from core.settings import get_settings
        from flows.deploy import DEPLOYMENT_NAME, FLOW_NAME, deploy_nightly
        from flows.server import LocalPrefectServer, configured_api_url

        settings = get_settings()
        api_url = configured_api_url()
        if not api_url:
            local = LocalPrefectServer(settings)
            if not local.status().running:
                raise UserFacingError(
                    "no Prefect server to deploy to: set PREFECT_API_URL to your server, or "
                    "start the local one with `bma-news prefect up` (or serve on one machine "
                    "with `bma-news nightly --serve`)")
            api_url = local.url
        deployment_id = deploy_nightly(settings, api_url, work_pool)
        typer.echo(f"deployment {FLOW_NAME}/{DEPLOYMENT_NAME} registered on {api_url} "
                   f"({deployment_id}); start a worker with: PREFECT_API_URL={api_url} "
                   f"prefect worker start --pool {work_pool}")
