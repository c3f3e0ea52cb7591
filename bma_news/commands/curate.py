"""`bma-news entities merge|alias|split|curations`: curated entities.

`bma-news entities [--type] [--query] [--top] [--json]` keeps listing the most mentioned
entities (the group's own callback); the subcommands change `<data dir>/curations.json`,
which search, facets and entity pages read at once.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def _resolve_label(client, index: str, entity_type: str | None, name: str) -> str:
    """The type given, or the only type under which a release names `name`."""
    from search.curations import LABELS, CurationError
    from search.entities import entity_exists, parse_label

    label = parse_label(entity_type)
    if label:
        return label
    found = [lab for lab in LABELS if entity_exists(client, index, lab, name)]
    if len(found) != 1:
        raise CurationError(
            f"no release names {name!r}; check the spelling (bma-news entities --query ...)"
            if not found else
            f"{name!r} is a {' and a '.join(found)}: say which with --type")
    return found[0]


def _curate(op: str, entity_type: str | None, canonical: str, spelling: str) -> None:
    from bma_news.commands.search import client_and_index
    from search.curate import curate
    from search.curations import clean_name, curations_path
    from search.entities import releases_naming

    canonical, spelling = clean_name(canonical), clean_name(spelling)  # before connecting
    client, index = client_and_index()
    label = _resolve_label(client, index, entity_type, canonical)
    change = curate(client, index, op, label, canonical, spelling)
    total = releases_naming(client, index, change.label, change.canonical)
    verb = {"merge": "merged", "alias": "added", "split": "split"}[op]
    what = {"merge": f"{change.spelling!r} into {change.canonical!r}",
            "alias": f"{change.spelling!r} as a spelling of {change.canonical!r}",
            "split": f"{change.spelling!r} off {change.canonical!r}"}[op]
    state = "" if change.changed else " (already so; nothing changed)"
    sys.stdout.write(f"{verb} {what} ({change.label}){state}: {change.canonical!r} is now "
                     f"named in {total} releases; {curations_path()}\n")


def _op_command(op: str, doc: str, canonical_help: str, spelling_help: str):
    """merge, alias and split take the same arguments: CANONICAL SPELLING [--type]."""

    def command(
        canonical: str = typer.Argument(..., help=canonical_help),
        spelling: str = typer.Argument(..., help=spelling_help),
        entity_type: str | None = typer.Option(
            None, "--type", help="PERSON, ORG or LOC; found from the index when left out."),
    ) -> None:
        _curate(op, entity_type, canonical, spelling)

    command.__doc__ = doc
    return command


merge_command = _op_command(
    "merge", "Merge two spellings of one entity (both named in the index): SPELLING "
    "becomes a spelling of CANONICAL.",
    "The name to keep (canonical).", "The other spelling, merged into it.")
alias_command = _op_command(
    "alias", "Add a spelling of an entity; releases naming it count as the entity's.",
    "The entity's name.", "Another spelling (may not be in the index yet).")
split_command = _op_command(
    "split", "Undo a merge or an alias: SPELLING is its own entity again.",
    "The name the spelling is merged into.", "The spelling to make its own entity again.")


def curations_command(
    entity_type: Annotated[str | None, typer.Option("--type", help="PERSON, ORG or LOC.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the file's JSON.")] = False,
) -> None:
    """The curations: each spelling and the name it is merged into."""
    import json

    from search.curations import curations_path, current
    from search.entities import parse_label

    label = parse_label(entity_type)
    curations = current()
    if as_json:
        sys.stdout.write(json.dumps(curations.to_json(), ensure_ascii=False, indent=1) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    rows = [e for e in curations.entries() if not label or e[0] == label]
    console = Console(highlight=False, markup=False)
    if not rows:
        console.print(f"no curations / ไม่มีการรวมชื่อ ({curations_path()})")
        return
    table = Table(title=str(curations_path()))
    for column in ("ประเภท / Type", "ชื่อสะกด / Spelling", "รวมเข้ากับ / Merged into",
                   "ชื่อหลัก / Canonical"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def register(app: typer.Typer) -> None:
    """`entities` without a subcommand lists the most mentioned entities, with the options
    it always had (`entities_command`, which takes the typer context first)."""
    from bma_news.commands.search import entities_command

    group = typer.Typer(help="The most mentioned entities, and curating them "
                             "(merge, alias, split).", no_args_is_help=False)
    group.callback(invoke_without_command=True)(entities_command)
    group.command("merge")(merge_command)
    group.command("alias")(alias_command)
    group.command("split")(split_command)
    group.command("curations")(curations_command)
    app.add_typer(group, name="entities")
