"""The operators' status page (`/status`, and `/status.json` for scripts): last runs and
their counts, the next scheduled run, the node's health, the dead letters and why.

It answers 200 whatever is down: a node that does not answer is shown down. The schedule
comes from a provider the caller gives (`bma-news serve` passes the flows' one); without
it the page says there is no schedule. Dead-lettered records are shown by id, title and
reason as text only, never their HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from elasticsearch import Elasticsearch
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from core.limits import MAX_STATUS_DEAD_LETTERS, MAX_STATUS_RUNS
from core.runs import RUN_COUNTS
from core.status import ScheduleProvider, StatusReport, bangkok_time, collect_status
from search.params import parse_int

Backend = Callable[[], tuple[Elasticsearch | None, str | None]]
Page = Callable[..., HTMLResponse]


def cluster_address(client: Elasticsearch) -> str:
    """The client's nodes, without credentials."""
    from core.es.client import redact_url

    return ", ".join(redact_url(node.base_url) for node in client.transport.node_pool.all())


def add_status_routes(app: FastAPI, page: Page, backend: Backend, *,
                      data_dir: Path | str | None = None,
                      schedule: ScheduleProvider | None = None) -> None:
    """`/status` and `/status.json` on `app`. `backend` gives the app's client and alias
    (None until the app has connected: then a client of the settings that never waits)."""
    own: dict = {}

    def report(request: Request) -> StatusReport:
        from core.settings import get_settings

        q = request.query_params
        runs = parse_int(q.get("runs"), "runs", default=10, low=0, high=MAX_STATUS_RUNS)
        letters = parse_int(q.get("letters"), "letters", default=20, low=0,
                            high=MAX_STATUS_DEAD_LETTERS)
        client, index = backend()
        settings = get_settings()
        if client is None:
            if "client" not in own:
                from core.es.client import make_client

                own["client"] = make_client(settings, max_retries=0)
            client = own["client"]
        return collect_status(data_dir or settings.data_dir, client, index or settings.index,
                              cluster_address(client), schedule=schedule, runs=runs,
                              letters=letters)

    @app.get("/status", response_class=HTMLResponse)
    def status_page(request: Request) -> HTMLResponse:
        return page(request, "status.html", {"status": report(request), "counts": RUN_COUNTS,
                                             "local_time": bangkok_time})

    @app.get("/status.json")
    def status_json(request: Request) -> Response:
        return JSONResponse(report(request).as_dict())
