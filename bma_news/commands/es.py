"""`bma-news es up|down|status|with`: the local Elasticsearch node (or the configured cluster)."""

from __future__ import annotations

import os
import subprocess

import typer

from bma_news.commands.console import err, out
from core.errors import UserFacingError
from core.settings import get_settings

es_app = typer.Typer(help="The local Elasticsearch node (or the cluster in BMA_NEWS_ES_URL).",
                     no_args_is_help=True)


def _local_node():
    from core.es.node import LocalNode

    return LocalNode(get_settings())


@es_app.command("up")
def es_up() -> None:
    """Download (once), start and wait for the local node."""
    settings = get_settings()
    if not settings.uses_local_node:
        from core.es.client import connect, redact_url

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
        from core.es.client import connect, redact_url

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


def register(app: typer.Typer) -> None:
    app.add_typer(es_app, name="es")
