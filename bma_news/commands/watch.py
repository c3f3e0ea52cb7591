"""`bma-news watch add|list|remove`: saved searches whose new matches the nightly run records.

Each watch has a page entry at /watches and an Atom feed at /watch/<id>.atom
(`bma-news serve`). Bad input raises `UserFacingError`: one line, exit code 2.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bma_news.commands.console import out

watch_app = typer.Typer(help="Saved searches (watches): their new matches and Atom feeds.",
                        no_args_is_help=True)


def _client_and_index():
    from core.es.client import connect
    from core.settings import get_settings

    return connect(), get_settings().index


def _filters_text(watch) -> str:
    parts = [f"--person {p}" for p in watch.persons]
    parts += [f"--org {o}" for o in watch.organizations]
    parts += [f"--place {p}" for p in watch.places]
    return " ".join(parts)


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A name for the watch (unique).")],
    query: Annotated[str, typer.Argument(help="Words or a name, as for `bma-news search`.")] = "",
    person: Annotated[list[str] | None, typer.Option("--person", help="Canonical person name.")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="Canonical organization name.")] = None,
    place: Annotated[list[str] | None, typer.Option("--place", help="Canonical place name.")] = None,
) -> None:
    """Save a search; each nightly run records the new releases matching all of it."""
    from search.params import SearchParams
    from search.watches import add_watch, clean_name, matching_query

    clean_name(name)  # bad input fails before connecting
    matching_query(SearchParams.build(query, persons=person, organizations=org, places=place))
    client, index = _client_and_index()
    watch = add_watch(client, index, name, query, persons=person, organizations=org,
                      places=place)
    out.print(f"watch {watch.name!r} added (id {watch.id}); feed: /watch/{watch.id}.atom "
              "under `bma-news serve`")


@watch_app.command("list")
def watch_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every watch with its query, filters and the matches of the latest run."""
    from search.watches import list_watches

    client, index = _client_and_index()
    watches = list_watches(client, index)
    if as_json:
        sys.stdout.write(json.dumps({"watches": [w.to_source() for w in watches]},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    if not watches:
        out.print("no watches yet: `bma-news watch add NAME \"QUERY\"` saves one")
        return
    for w in watches:
        filters = _filters_text(w)
        last = (f"last run {w.last_run_id}: {w.last_matches} matched"
                if w.last_run_id else "not evaluated yet")
        out.print(f"{w.id}  {w.name}  \"{w.query}\"{' ' + filters if filters else ''}  ({last})")


@watch_app.command("remove")
def watch_remove(
    name: Annotated[str, typer.Argument(help="The watch's name or id.")],
) -> None:
    """Delete a watch and the matches it recorded."""
    from search.watches import remove_watch

    client, index = _client_and_index()
    watch = remove_watch(client, index, name)
    out.print(f"watch {watch.name!r} removed (id {watch.id})")


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
