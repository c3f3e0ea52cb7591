"""`bma-news search` and `bma-news entities`.

Heavy imports (Elasticsearch, the tokeniser, the web app) happen inside the commands so
`bma-news --help` stays quick. Bad input raises `UserFacingError`: one line, non-zero exit.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def client_and_index():
    from core.es.client import connect
    from core.settings import get_settings

    return connect(), get_settings().index


def search_command(
    query: Annotated[str, typer.Argument(help="Words or a name, in Thai or English.")] = "",
    person: Annotated[list[str] | None, typer.Option("--person", help="Canonical person name.")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="Canonical organization name.")] = None,
    place: Annotated[list[str] | None, typer.Option("--place", help="Canonical place name.")] = None,
    category: Annotated[list[str] | None, typer.Option("--category")] = None,
    source: Annotated[list[str] | None, typer.Option("--source")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD (Gregorian).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD, inclusive.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="relevance or date.")] = "relevance",
    size: Annotated[str, typer.Option("--size", help="Results per page (1-100).")] = "10",
    page: Annotated[str, typer.Option("--page", help="Page number.")] = "1",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the releases: all words must match; filters narrow the results."""
    from search.params import SearchParams
    from search.query import search

    params = SearchParams.build(query, persons=person, organizations=org, places=place,
                                categories=category, sources=source, date_from=date_from,
                                date_to=date_to, sort=sort, page=page, size=size)
    client, index = client_and_index()
    result = search(client, index, params)
    if as_json:
        _print_json(result.to_dict())
        return
    from search.terminal import print_result

    print_result(result)


def entities_command(
    entity_type: Annotated[str | None, typer.Option("--type", help="PERSON, ORG or LOC.")] = None,
    query: Annotated[str, typer.Option("--query", help="Only releases matching this.")] = "",
    top: Annotated[str, typer.Option("--top", help="How many (1-1000).")] = "20",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The most mentioned people, organizations and places, with release counts."""
    from search.entities import MAX_TOP, top_entities
    from search.params import parse_int

    count = parse_int(top, "top", default=20, low=1, high=MAX_TOP)
    from search.entities import parse_label

    label = parse_label(entity_type)  # before connecting, so bad input fails fast
    client, index = client_and_index()
    found = top_entities(client, index, label=label, query=query, top=count)
    if as_json:
        _print_json({"entities": [{"canonical": e.canonical, "label": e.label,
                                   "count": e.count} for e in found]})
        return
    from search.terminal import print_entities

    print_entities(found)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
    app.command("entities")(entities_command)
