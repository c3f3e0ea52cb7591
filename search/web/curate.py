"""Curating entities on the web page: merge, add an alias, split, each behind a
confirmation page.

The entity page's forms (GET, no side effect) lead to a confirmation page that says what
will change; only its POST writes the curations file. That POST must carry an HMAC of
exactly the change confirmed (a secret of this app's process: a form from another site,
or a token for another change, is refused) and, when the browser says where it comes
from (Sec-Fetch-Site, Origin), come from this site. Then the browser is sent to the
entity page, which shows the effect at once. An entity no release names is a 404.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from search.curate import curate
from search.curations import OPS, CurationError, clean_name
from search.entities import entity_exists, parse_label, releases_naming
from search.web import links

# A confirmation form holds four short fields; anything much bigger is not one.
MAX_FORM_BYTES = 4096
FIELDS = ("op", "type", "name", "other")
OP_NAMES = {"merge": "รวมชื่อ / Merge", "alias": "เพิ่มชื่อสะกดอื่น / Add a spelling",
            "split": "แยกชื่อ / Split"}


def _token(secret: bytes, values: dict[str, str]) -> str:
    message = "\x1f".join(values[f] for f in FIELDS).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _same_site(request: Request) -> bool:
    """Browsers say where a request comes from in Sec-Fetch-Site (a page cannot forge it);
    without it, the Origin header must be ours when there is one."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.headers.get('host')}"


def _checked(values: dict[str, str], client, index: str) -> dict[str, str]:
    """The form's fields cleaned; 404 when the page's entity is named by no release."""
    op = values.get("op", "")
    if op not in OPS:
        raise CurationError(f"the operation must be merge, alias or split, not {op[:20]!r}")
    label = parse_label(values.get("type")) or ""
    if not label:
        raise CurationError("an entity type is needed: PERSON, ORG or LOC")
    name = clean_name(values.get("name", ""))
    if not entity_exists(client, index, label, name):
        raise HTTPException(404)
    other = clean_name(values.get("other", ""))
    return {"op": op, "type": label, "name": name, "other": other}


def _roles(values: dict[str, str]) -> tuple[str, str]:
    """(canonical, spelling): on X's page, 'merge into Y' keeps Y; alias and split keep X."""
    if values["op"] == "merge":
        return values["other"], values["name"]
    return values["name"], values["other"]


def add_curation_routes(app: FastAPI, backend: Callable, page: Callable) -> None:
    secret = secrets.token_bytes(32)

    @app.get("/entity/curate", response_class=HTMLResponse)
    def confirm(request: Request) -> HTMLResponse:
        client, index = backend()
        values = _checked({f: request.query_params.get(f, "") for f in FIELDS}, client, index)
        canonical, spelling = _roles(values)
        change = curate(client, index, values["op"], values["type"], canonical, spelling,
                        dry_run=True)
        return page(request, "curate_confirm.html", {
            "values": values, "token": _token(secret, values), "change": change,
            "op_name": OP_NAMES[values["op"]],
            "counts": {n: releases_naming(client, index, values["type"], n)
                       for n in (canonical, spelling)},
            "back_url": links.entity_url(values["type"], values["name"]),
        })

    @app.post("/entity/curate")
    async def apply(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise CurationError("the form is too large")
        if not _same_site(request):
            raise HTTPException(403, "ส่งจากหน้าอื่นไม่ได้ / a curation must come from this site")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client, index = backend()
        values = _checked(form, client, index)
        if not hmac.compare_digest(_token(secret, values), form.get("token", "")):
            raise HTTPException(403, "การยืนยันหมดอายุหรือไม่ถูกต้อง กรุณาลองใหม่ / "
                                     "the confirmation is stale or not valid; try again")
        canonical, spelling = _roles(values)
        change = curate(client, index, values["op"], values["type"], canonical, spelling)
        target = change.canonical if change.op != "split" else values["name"]
        query = urlencode({"type": change.label, "name": target, "curated": change.op,
                           "spelling": change.spelling})
        return RedirectResponse("/entity?" + query, status_code=303)
