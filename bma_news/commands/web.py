"""`bma-news serve`: the search web page (uvicorn is imported inside the command)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bma_news.commands.search import client_and_index
from core.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve_command(
    host: Annotated[str, typer.Option("--host")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port")] = DEFAULT_PORT,
) -> None:
    """Serve the search web page."""
    import uvicorn

    from search.web.app import create_app
    from search.web.server import server_config

    if not 0 < port < 65536:
        raise InputError(f"port must be between 1 and 65535, not {port}")
    client, index = client_and_index()
    print(f"bma-news search on http://{host}:{port}/ (index '{index}'); Ctrl-C stops it",
          file=sys.stderr)
    from flows.schedule import next_run

    app = create_app(client=client, index=index, schedule=next_run)  # next_run: /status
    uvicorn.Server(server_config(app, host, port)).run()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
