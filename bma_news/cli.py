"""The `bma-news` command.

Each part of the project owns its commands: `crawler.cli`, `pipeline.cli`, `flows.cli` and
`bma_news.search.cli` each expose `register(app)`. Those modules import their heavy
dependencies (Scrapy, spaCy, Prefect) inside the commands so `bma-news --help` stays quick.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import typer
from pydantic import ValidationError
from rich.console import Console

from bma_news.errors import UserFacingError
from bma_news.settings import get_settings

# Prefect's temporary server would try to send telemetry; this project makes no calls
# outside the machine unless asked to.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(
    name="bma-news",
    help="BMA press releases: crawl, enrich, load into Elasticsearch, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
es_app = typer.Typer(help="The local Elasticsearch node (or the cluster in BMA_NEWS_ES_URL).",
                     no_args_is_help=True)
app.add_typer(es_app, name="es")

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)

COMMAND_MODULES = ("crawler.cli", "pipeline.cli", "flows.cli", "bma_news.search.cli")


def _local_node():
    from bma_news.es.local import LocalNode

    return LocalNode(get_settings())


@es_app.command("up")
def es_up() -> None:
    """Download (once), start and wait for the local node."""
    settings = get_settings()
    if not settings.uses_local_node:
        from bma_news.es.client import connect, redact_url

        connect(settings)
        out.print(f"using the existing cluster at {redact_url(settings.es_url)}; nothing started")
        return
    status = _local_node().up(report=lambda msg: err.print(msg))
    out.print(f"Elasticsearch is up at {status.url} (health: {status.health})")


@es_app.command("down")
def es_down() -> None:
    """Stop the local node started by `es up`."""
    if not get_settings().uses_local_node:
        raise UserFacingError("BMA_NEWS_ES_URL is set: an external cluster is not ours to stop")
    stopped = _local_node().down()
    out.print("Elasticsearch stopped" if stopped else "Elasticsearch was not running")


@es_app.command("status")
def es_status() -> None:
    """Print the node's URL and health; exit 0 when it is up, 1 when not."""
    settings = get_settings()
    if not settings.uses_local_node:
        from bma_news.es.client import connect, redact_url

        health = connect(settings).cluster.health()["status"]
        out.print(f"{redact_url(settings.es_url)} health={health}")
        return
    status = _local_node().status()
    detail = f" ({status.detail})" if status.detail else ""
    if status.running:
        out.print(f"{status.url} health={status.health}{detail}")
        return
    out.print(f"{status.url} is down{detail}")
    raise typer.Exit(1)


@es_app.command(
    "with", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def es_with(ctx: typer.Context) -> None:
    """Run a command with the node up: start it if needed, stop it after if we started it.

    Example: bma-news es with -- pytest -q
    """
    if not ctx.args:
        raise UserFacingError("usage: bma-news es with -- COMMAND [ARGS...]")
    settings = get_settings()
    started = False
    if settings.uses_local_node:
        node = _local_node()
        if not node.status().running:
            node.up(report=lambda msg: err.print(msg))
            started = True
    try:
        rc = subprocess.call(ctx.args, env=os.environ.copy())
    finally:
        if started:
            node.down()
            err.print("Elasticsearch stopped (it was started for this command)")
    raise typer.Exit(rc)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name or name.startswith(f"{exc.name}."):
                continue  # that part of the project is not built yet
            raise
        register = getattr(module, "register", None)
        if register:
            register(app)


_register_commands()


def main() -> None:
    try:
        result = app(standalone_mode=False)
    except UserFacingError as exc:
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "_".join(str(p) for p in first["loc"]).upper()
        err.print(f"error: invalid setting BMA_NEWS_{field}: {first['msg']}")
        sys.exit(2)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
