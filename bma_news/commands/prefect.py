"""`bma-news prefect up|down|status`: the local Prefect server that schedules the flows."""

from __future__ import annotations

import typer

from bma_news.commands.console import err, out
from core.errors import UserFacingError
from core.settings import get_settings

prefect_app = typer.Typer(
    help="The local Prefect server (loopback, its own PREFECT_HOME under the cache dir), "
         "or the one in PREFECT_API_URL.", no_args_is_help=True)


def _local_server():
    from flows.server import LocalPrefectServer

    return LocalPrefectServer(get_settings())


@prefect_app.command("up")
def prefect_up() -> None:
    """Start the local Prefect server and wait until it answers (nothing to do when it does)."""
    from flows.server import check_compatible, configured_api_url

    configured = configured_api_url()
    if configured:
        version = check_compatible(configured)
        out.print(f"using the Prefect server in PREFECT_API_URL ({configured}, Prefect "
                  f"{version}); nothing started")
        return
    server = _local_server()
    status = server.up(report=lambda msg: err.print(msg))
    out.print(f"Prefect server {status.version} is up at {status.url} (home {server.home})")
    out.print(f"use it from a shell with: export PREFECT_API_URL={status.url}")


@prefect_app.command("down")
def prefect_down() -> None:
    """Stop the local Prefect server started by `prefect up`."""
    from flows.server import configured_api_url

    if configured_api_url():
        raise UserFacingError("PREFECT_API_URL is set: that server is not ours to stop")
    stopped = _local_server().down()
    out.print("Prefect server stopped" if stopped else "Prefect server was not running")


@prefect_app.command("status")
def prefect_status() -> None:
    """Print the server's URL and version; exit 0 when it answers, 1 when not."""
    from flows.server import check_compatible, configured_api_url

    configured = configured_api_url()
    if configured:
        out.print(f"{configured} Prefect {check_compatible(configured)} (from PREFECT_API_URL)")
        return
    status = _local_server().status()
    detail = f" ({status.detail})" if status.detail else ""
    if status.running:
        pid = f" pid={status.pid}" if status.pid else ""
        out.print(f"{status.url} Prefect {status.version}{pid}{detail}")
        return
    out.print(f"{status.url} is down{detail}")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(prefect_app, name="prefect")
