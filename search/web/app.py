"""The search web page: search with filters and facets, entity pages, CSV/JSON export.

Safety: Jinja2 autoescaping is on for every template; the only markup taken from code is
the highlight HTML built by `search.highlight` (escaped text + our `<mark>`);
a strict Content-Security-Policy allows scripts from our own /static only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from elasticsearch import Elasticsearch
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import ElasticsearchUnavailable, UserFacingError
from core.status import ScheduleProvider
from core.thai_calendar import gregorian_date, parse_display_date, thai_date
from search.entities import LABEL_NAMES, entity_view
from search.export import export_chunks, open_export
from search.params import IndexMissing, SearchInputError, SearchParams
from search.query import search
from search.web import links
from search.web.chart import SIDEBAR_HEIGHT, SIDEBAR_WIDTH, month_chart
from search.web.curate import add_curation_routes
from search.web.names import add_name_routes
from search.web.status import add_status_routes
from search.web.watches import add_watch_routes

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
log = logging.getLogger(__name__)


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(links=links, label_names=LABEL_NAMES, entity_param=links.ENTITY_PARAM)
    env.filters["safe_href"] = links.safe_href
    env.filters["thai_date"] = lambda v: thai_date(d) if (d := parse_display_date(v)) else ""
    env.filters["gregorian_date"] = lambda v: gregorian_date(d) if (d := parse_display_date(v)) else ""
    return Jinja2Templates(env=env)


def _params(request: Request, *, size: str | None = None, max_size: int | None = None,
            page: str | None = None) -> SearchParams:
    q = request.query_params
    extra = {"max_size": max_size} if max_size else {}
    return SearchParams.build(
        q.get("q", ""), persons=q.getlist("person"), organizations=q.getlist("org"),
        places=q.getlist("place"), categories=q.getlist("category"),
        sources=q.getlist("source"), date_from=q.get("from"), date_to=q.get("to"),
        sort=q.get("sort") or "relevance", page=page or q.get("page"),
        size=size or q.get("size"), **extra)


def create_app(client: Elasticsearch | None = None, index: str | None = None, *,
               data_dir: Path | None = None, schedule: ScheduleProvider | None = None) -> FastAPI:
    """The app; without `client`/`index` it connects with the settings on first use.
    `data_dir` and `schedule` are for the status page (`search.web.status`)."""
    app = FastAPI(title="bma-news search", docs_url=None, redoc_url=None, openapi_url=None)
    templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    state: dict = {"client": client, "index": index}

    def backend() -> tuple[Elasticsearch, str]:
        if state["client"] is None:
            from core.es.client import connect
            from core.settings import get_settings

            state["client"], state["index"] = connect(), get_settings().index
        return state["client"], state["index"] or "bma-news"

    def page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def error_page(request: Request, message: str, status: int,
                   thai: str | None = None) -> Response:
        if request.url.path.endswith(".json"):
            return JSONResponse({"error": message}, status)
        if request.url.path.endswith(".csv"):
            return Response(f"error: {message}\n", status, media_type="text/plain")
        return page(request, "error.html",
                    {"message": message, "thai": thai, "status": status}, status)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(SearchInputError)
    async def bad_input(request: Request, exc: SearchInputError) -> Response:
        return error_page(request, str(exc), 400, exc.thai)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, "the request's parameters are not valid", 400)

    @app.exception_handler(IndexMissing)
    @app.exception_handler(ElasticsearchUnavailable)
    async def unavailable(request: Request, exc: UserFacingError) -> Response:
        return error_page(request, str(exc), 503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        message = "ไม่พบหน้านี้ / page not found" if exc.status_code == 404 else str(exc.detail)
        return error_page(request, message, exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_page(request, "something went wrong on our side; try again later", 500)

    @app.get("/", response_class=HTMLResponse)
    def search_page(request: Request) -> HTMLResponse:
        params = _params(request)
        result = search(*backend(), params)  # no query and no filter: the whole archive
        return page(request, "search.html", {
            "params": params, "result": result, "filters": links.active_filters(params),
            "chart": month_chart(result.facets.months, SIDEBAR_WIDTH, SIDEBAR_HEIGHT),
            "browsing": not (params.query or params.has_filters()),
        })

    @app.get("/entity", response_class=HTMLResponse)
    def entity_page(request: Request, label: str = Query("", alias="type"),
                    name: str = "") -> HTMLResponse:
        view = entity_view(*backend(), label, name)
        return page(request, "entity.html", {
            "view": view, "chart": month_chart(view.months),
            "search_url": "/?" + urlencode(
                [(links.ENTITY_PARAM[view.label], view.canonical), ("sort", "date")]),
        })

    add_curation_routes(app, backend, page)

    def export(request: Request, fmt: str, media_type: str) -> StreamingResponse:
        # every hit, streamed page by page on a point in time (search.export): no cap
        params = _params(request, page="1")
        opened = open_export(*backend(), params, with_highlights=fmt == "json")
        return StreamingResponse(export_chunks(opened, fmt), media_type=media_type, headers={
            "Content-Disposition": f'attachment; filename="bma-news-search.{fmt}"'})

    @app.get("/export.json")
    def export_json(request: Request) -> Response:
        return export(request, "json", "application/json; charset=utf-8")

    @app.get("/export.csv")
    def export_csv(request: Request) -> Response:
        return export(request, "csv", "text/csv; charset=utf-8")

    add_name_routes(app, templates, backend)

    add_watch_routes(app, backend, page)

    add_status_routes(app, page, lambda: (state["client"], state["index"]),
                      data_dir=data_dir, schedule=schedule)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            client, index = backend()
            exists = bool(client.indices.exists_alias(name=index)) or bool(
                client.indices.exists(index=index))
        except Exception as exc:  # the node is down: say so, as the health check's answer
            return JSONResponse({"status": "unavailable", "detail": str(exc)[:200]}, 503)
        return JSONResponse({"status": "ok", "index": index, "index_exists": exists})

    return app
