"""`bma-news enrich`, `eval-ner` and `train-ner` (heavy imports happen inside the commands)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from bma_news.commands.console import err
from core.errors import InputError, UserFacingError


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich)
    app.command("eval-ner")(eval_ner)
    app.command("train-ner")(train_ner)


def enrich(
    input: Annotated[Path, typer.Option("--input", "-i", help="raw records, JSONL")],
    output: Annotated[Path, typer.Option("--output", "-o", help="enriched records, JSONL")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Add entities, officials and index tokens to each record (streaming)."""
    from collections import deque

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from core.landing import BadLine, numbered_jsonl
    from core.records import Rejected
    from pipeline.enrich import enrich_records

    if not input.is_file():
        raise InputError(f"input file not found: {input}")
    if output.parent and not output.parent.exists():
        raise InputError(f"output directory does not exist: {output.parent}")
    lines: deque[int] = deque()  # line numbers of the records sent to enrichment, in order
    written = skipped = 0
    progress = Progress(
        TextColumn("enrich"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(), console=err, disable=quiet, transient=True,
    )

    def records(task) -> Iterator[dict]:
        nonlocal skipped
        for lineno, size, item in numbered_jsonl(input):
            progress.update(task, advance=size)
            if isinstance(item, BadLine):
                err.print(f"skipped line {lineno}: {item.reason}")
                skipped += 1
                continue
            lines.append(lineno)
            yield item

    with progress, output.open("w", encoding="utf-8") as out:
        task = progress.add_task("enrich", total=input.stat().st_size)
        for result in enrich_records(records(task)):
            lineno = lines.popleft()
            if isinstance(result, Rejected):
                err.print(f"skipped line {lineno}: {result.reason}")
                skipped += 1
                continue
            out.write(result.model_dump_json() + "\n")
            written += 1
    err.print(f"enriched {written} records, skipped {skipped}; wrote {output}")


def eval_ner(
    corpus: Annotated[Path, typer.Option("--corpus", help="ThaiNER inline-tag file")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    mode: Annotated[
        str, typer.Option("--mode", help="crf: the statistical model; hybrid: the full pipeline")
    ] = "crf",
) -> None:
    """Entity-level exact-span P/R/F1 per type and micro (PERSON, ORGANIZATION, LOCATION)."""
    from pipeline.evaluate import evaluate_corpus

    if not corpus.is_file():
        raise InputError(f"corpus file not found: {corpus}")
    if mode not in ("crf", "hybrid"):
        raise InputError("--mode must be crf or hybrid")
    try:
        result = evaluate_corpus(corpus, mode=mode)
    except UnicodeDecodeError as exc:
        raise UserFacingError(f"{corpus} is not UTF-8 text: {exc}") from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{result['corpus']}: {result['sentences']} lines, mode={mode}, "
               f"{result['chars_per_second']:.0f} chars/s")
    typer.echo(f"{'type':13s} {'P':>7s} {'R':>7s} {'F1':>7s} {'support':>8s}")
    for label, row in result["scores"].items():
        typer.echo(f"{label:13s} {row['precision']:7.4f} {row['recall']:7.4f} {row['f1']:7.4f} "
                   f"{row['support']:8d}")


def train_ner(
    corpus_dir: Annotated[
        Path | None, typer.Option("--corpus-dir", help="folder with ThaiNER train.txt")
    ] = None,
    holdout: Annotated[bool, typer.Option("--holdout", help="train on 9/10, score the rest")] = False,
) -> None:
    """Train the CRF on ThaiNER 1.5 train (writes pipeline/models/thainer-crf.crfsuite)."""
    from pipeline.train_ner import main

    args = ["--holdout"] if holdout else []
    if corpus_dir is not None:
        if not (corpus_dir / "train.txt").is_file():
            raise InputError(f"no train.txt in {corpus_dir}")
        args += ["--corpus-dir", str(corpus_dir)]
    main(args)
