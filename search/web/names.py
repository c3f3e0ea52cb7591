"""The name-list page: paste or upload up to MAX_NAME_LIST names, get a table per name
(releases, how they matched, first and last mention, co-mentioned entities) and its
CSV/JSON downloads.

The downloads are small forms that post the same list again (a list of 500 names does not
fit in a link), so the page needs no script. A list over the limit, an empty one or a body
too large to be a name list is a 4xx with the reason, never a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from elasticsearch import Elasticsearch
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from core.limits import MAX_NAME_LIST, MAX_NAME_LIST_BYTES
from search.export import CSV_BOM, csv_lines
from search.names import CSV_COLUMNS, csv_row, name_stats, parse_name_list
from search.params import SearchInputError

# The form's own fields (the list, the file) on top of the list itself.
FORM_OVERHEAD_BYTES = 64 * 1024


class NameListTooLarge(SearchInputError):
    """A request body too large to be a list of MAX_NAME_LIST names (answered with 413)."""


async def _listed_text(request: Request) -> str:
    """The pasted list and the uploaded file's lines, as one text."""
    if request.method == "GET":
        return request.query_params.get("names", "")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_NAME_LIST_BYTES + FORM_OVERHEAD_BYTES:
        raise _too_large()
    form = await request.form(max_files=1, max_fields=4,
                              max_part_size=MAX_NAME_LIST_BYTES)
    texts = [str(form.get("names") or "")]
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        data = await upload.read(MAX_NAME_LIST_BYTES + 1)
        if len(data) > MAX_NAME_LIST_BYTES:
            raise _too_large()
        try:
            texts.append(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise SearchInputError("the uploaded file is not UTF-8 text (save it as UTF-8)",
                                   "ไฟล์ที่อัปโหลดไม่ใช่ข้อความ UTF-8") from None
    return "\n".join(t for t in texts if t)


def _too_large() -> NameListTooLarge:
    return NameListTooLarge(
        f"the list is over {MAX_NAME_LIST_BYTES // 1024} kB: it is not a list of at most "
        f"{MAX_NAME_LIST} names", f"รายชื่อมีขนาดเกิน {MAX_NAME_LIST_BYTES // 1024} kB "
        f"(ไม่เกิน {MAX_NAME_LIST} ชื่อต่อครั้ง)")


def add_name_routes(app: FastAPI, templates: Jinja2Templates,
                    backend: Callable[[], tuple[Elasticsearch, str]]) -> None:
    """/names (the page, GET and POST), /names.csv and /names.json (the downloads)."""

    def form_page(request: Request, text: str = "", error: SearchInputError | None = None,
                  found: list | None = None, status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, "names.html", {
            "text": text, "error": error, "found": found, "limit": MAX_NAME_LIST,
        }, status_code=status)

    @app.exception_handler(NameListTooLarge)
    async def too_large(request: Request, exc: NameListTooLarge) -> Response:
        if request.url.path == "/names":
            return form_page(request, error=exc, status=413)
        if request.url.path.endswith(".json"):
            return Response(json.dumps({"error": str(exc)}), 413,
                            media_type="application/json")
        return Response(f"error: {exc}\n", 413, media_type="text/plain")

    @app.get("/names", response_class=HTMLResponse)
    @app.post("/names", response_class=HTMLResponse)
    async def names_page(request: Request) -> HTMLResponse:
        text = await _listed_text(request)
        if request.method == "GET" and not text.strip():
            return form_page(request)
        try:
            listed = parse_name_list(text)
        except SearchInputError as exc:  # shown above the form, the list kept to fix it
            kept = text if len(text.splitlines()) <= MAX_NAME_LIST * 2 else ""
            return form_page(request, kept, exc, status=400)
        found = await run_in_threadpool(name_stats, *backend(), listed)
        return form_page(request, "\n".join(listed), found=found)

    def download(filename: str, body: str, media_type: str) -> Response:
        return Response(body, media_type=f"{media_type}; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})

    @app.get("/names.csv")
    @app.post("/names.csv")
    async def names_csv(request: Request) -> Response:
        listed = parse_name_list(await _listed_text(request))
        found = await run_in_threadpool(name_stats, *backend(), listed)
        body = CSV_BOM + csv_lines(iter([CSV_COLUMNS, *map(csv_row, found)]))
        return download("bma-news-names.csv", body, "text/csv")

    @app.get("/names.json")
    @app.post("/names.json")
    async def names_json(request: Request) -> Response:
        listed = parse_name_list(await _listed_text(request))
        found = await run_in_threadpool(name_stats, *backend(), listed)
        body = json.dumps({"names": [s.to_dict() for s in found]}, ensure_ascii=False,
                          indent=1)
        return download("bma-news-names.json", body, "application/json")
