"""`bma-news search` and `bma-news entities`.

Heavy imports (Elasticsearch, the tokeniser, the web app) happen inside the commands so
`bma-news --help` stays quick. Bad input raises `UserFacingError`: one line, non-zero exit.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from core.errors import InputError


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def demo_index(index: str) -> str:
    """The index `bma-news run --demo` (`make demo`) loads, beside the real archive's."""
    return f"{index}-demo"


def client_and_index():
    """The client and the index to read: the configured one, or, when it does not exist
    yet and the demo's does (right after `make demo`), the demo's, with a note saying so."""
    from core.es.client import connect
    from core.settings import get_settings

    client, index = connect(), get_settings().index
    demo = demo_index(index)
    try:
        use_demo = not client.indices.exists(index=index) and client.indices.exists(index=demo)
    except Exception:  # noqa: BLE001 - the node's problem is reported by the search itself
        use_demo = False
    if use_demo:
        from bma_news.commands.console import err

        err.print(f"note: no index '{index}' yet, so showing the demo index '{demo}' "
                  "(`make demo`); run `make run` for the real archive")
        return client, demo
    return client, index


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
    names: Annotated[str | None, typer.Option(
        "--names", help="A file of names, one a line (- for stdin): per name its releases, "
        "first and last mention and co-mentioned entities.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="With --names: print CSV.")] = False,
    export: Annotated[str | None, typer.Option(
        "--export", help="Write every hit to this file (.csv, .jsonl or .json; - for "
        "stdout), however many.")] = None,
    export_format: Annotated[str | None, typer.Option(
        "--format", help="With --export: csv, jsonl or json (default: from the file name).")
    ] = None,
) -> None:
    """Search the releases: those matching every part of the query first, then the closest;
    filters narrow the results."""
    from search.params import SearchParams
    from search.query import search

    if names is not None:
        if query or person or org or place or category or source or date_from or date_to \
                or export:
            raise InputError("--names takes no query, filter or --export: a name list is "
                             "counted over the whole archive")
        names_command(names, as_json=as_json, as_csv=as_csv)
        return
    params = SearchParams.build(query, persons=person, organizations=org, places=place,
                                categories=category, sources=source, date_from=date_from,
                                date_to=date_to, sort=sort, page=page, size=size)
    if export is not None:
        from search.export import format_of

        export_command(params, export, format_of(export, export_format))
        return
    client, index = client_and_index()
    result = search(client, index, params)
    if as_json:
        _print_json(result.to_dict())
        return
    from search.terminal import print_result

    print_result(result)


def read_name_list(path: str) -> str:
    """The file's text (stdin for -), refused past MAX_NAME_LIST_BYTES before it is read whole."""
    from core.limits import MAX_NAME_LIST_BYTES

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_NAME_LIST_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_NAME_LIST_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read the name list {path}: {exc.strerror}") from None
    if len(data) > MAX_NAME_LIST_BYTES:
        raise InputError(f"the name list {path} is over {MAX_NAME_LIST_BYTES // 1024} kB; "
                         "it is not a list of names (at most 500, one a line)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"the name list {path} is not UTF-8 text") from None


def names_command(path: str, *, as_json: bool, as_csv: bool) -> None:
    from search.names import CSV_COLUMNS, csv_row, name_stats, parse_name_list

    listed = parse_name_list(read_name_list(path))  # before connecting: bad input fails fast
    client, index = client_and_index()
    found = name_stats(client, index, listed)
    if as_json:
        _print_json({"names": [s.to_dict() for s in found]})
    elif as_csv:
        from search.export import CSV_BOM, csv_lines

        sys.stdout.write(CSV_BOM + csv_lines(iter([CSV_COLUMNS, *map(csv_row, found)])))
    else:
        from search.terminal import print_names

        print_names(found)


def export_command(params, path: str, fmt: str) -> None:
    """Every hit, page after page, to `path` (written beside it, renamed when complete)."""
    import os
    from contextlib import nullcontext
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from bma_news.commands.console import err
    from search.export import export_chunks, open_export

    target = None if path == "-" else Path(path)
    if target is not None and not target.parent.is_dir():
        raise InputError(f"the export's folder does not exist: {target.parent}")
    client, index = client_and_index()
    export = open_export(client, index, params, with_highlights=fmt != "csv")
    partial = None if target is None else target.with_name(f".{target.name}.partial")
    progress = Progress(TextColumn("export"), BarColumn(), MofNCompleteColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    try:
        with progress, (open(partial, "w", encoding="utf-8", newline="") if partial
                        else nullcontext(sys.stdout)) as out:
            task = progress.add_task("export", total=export.total)
            for chunk in export_chunks(export, fmt,
                                       lambda done: progress.update(task, completed=done)):
                out.write(chunk)
    except BaseException:
        export.close()
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if target is not None:
        os.replace(partial, target)
    err.print(f"exported {export.total:,} releases to {path} ({fmt})")


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
