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
    """Search the releases: those matching every part of the query first, then the closest;
    filters narrow the results."""
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
    ctx: typer.Context,
    entity_type: Annotated[str | None, typer.Option("--type", help="PERSON, ORG or LOC.")] = None,
    query: Annotated[str, typer.Option("--query", help="Only releases matching this.")] = "",
    top: Annotated[str, typer.Option("--top", help="How many (1-1000).")] = "20",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The most mentioned people, organizations and places, with release counts;
    `merge`, `alias`, `split` and `curations` curate them (bma_news/commands/curate.py)."""
    if ctx.invoked_subcommand is not None:
        return
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


def eval_search_command(
    collection: Annotated[str | None, typer.Option(
        "--collection", help="Folder with corpus.jsonl.gz, queries.tsv, qrels.tsv.")] = None,
    subset: Annotated[str, typer.Option("--set", help="dev, holdout or all.")] = "dev",
    systems: Annotated[str, typer.Option(
        "--systems", help="Comma-separated: ours, wordpress, bm25.")] = "ours,wordpress,bm25",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    per_query: Annotated[bool, typer.Option("--per-query", help="A line per query.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """nDCG@10 and recall@10 of our search and two baselines on a judged query set."""
    from pathlib import Path

    from core.errors import InputError
    from search.evaluate import DEFAULT_COLLECTION, KINDS, Collection, evaluate

    if subset not in ("dev", "holdout", "all"):
        raise InputError("--set must be dev, holdout or all")
    chosen = tuple(s.strip() for s in systems.split(",") if s.strip())
    data = Collection.load(Path(collection) if collection else DEFAULT_COLLECTION)
    show = not quiet and not as_json and sys.stderr.isatty()
    if show:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            result = evaluate(data, subset=subset, systems=chosen, progress=progress)
    else:
        result = evaluate(data, subset=subset, systems=chosen)
    if as_json:
        if not per_query:
            result.pop("per_query")
        _print_json(result)
        return
    names = list(result["systems"])
    out = sys.stdout
    out.write(f"{result['collection']}: set {result['set']}, {result['queries']} queries, "
              f"{result['documents']} documents, {result['judgments']} judgments\n")
    out.write(f"{'kind':12s} {'n':>3s} " + " ".join(f"{n + ' nDCG@10':>16s} {'R@10':>6s}"
                                                   for n in names) + "\n")
    for kind in (*KINDS, "all"):
        rows = [result["systems"][n].get(kind) for n in names]
        if not rows[0]:
            continue
        out.write(f"{kind:12s} {rows[0]['queries']:3d} " + " ".join(
            f"{r['ndcg@10']:16.3f} {r['recall@10']:6.3f}" for r in rows) + "\n")
    if per_query:
        for qid, row in result["per_query"].items():
            out.write(f"{qid} {row['kind']:12s} " + " ".join(
                f"{n}={row[n]['ndcg@10']:.3f}" for n in names) + f"  {row['query']}\n")


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
    # `entities` is a group with the curation subcommands: bma_news/commands/curate.py
    app.command("eval-search")(eval_search_command)
