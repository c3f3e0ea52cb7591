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
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="ThaiNER inline-tag file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    mode: Annotated[
        str, typer.Option("--mode", help="crf: the statistical model; hybrid: the full pipeline")
    ] = "crf",
    bma: Annotated[
        bool, typer.Option("--bma", help="score `enrich` on the BMA set (evals/ner-bma/), "
                                         "per document as ANNOTATION.md says")
    ] = False,
    bma_path: Annotated[
        Path | None, typer.Argument(help="with --bma: the set's folder or releases.jsonl "
                                         "(default evals/ner-bma/)", show_default=False)
    ] = None,
    split: Annotated[
        str, typer.Option("--set", help="with --bma: dev, holdout or all")
    ] = "all",
    per_doc: Annotated[
        bool, typer.Option("--per-doc", help="with --bma: each release's misses and false "
                                             "positives")
    ] = False,
    enriched: Annotated[
        Path | None, typer.Option("--enriched", help="with --bma: score records `bma-news "
                                                     "enrich` wrote (JSONL) instead of "
                                                     "running it")
    ] = None,
) -> None:
    """Entity-level P/R/F1 per type and micro: exact spans on ThaiNER (--corpus), or per
    document on the BMA set (--bma), with position accuracy."""
    if bma:
        if corpus is not None:
            raise InputError("give either --corpus or --bma, not both")
        _eval_bma(bma_path, split, as_json, per_doc, enriched)
        return
    if enriched is not None:
        raise InputError("--enriched is for --bma")
    if bma_path is not None:
        raise InputError(f"unexpected argument {bma_path} (a path is for --bma)")
    if corpus is None:
        raise InputError("give --corpus FILE (ThaiNER) or --bma [PATH]")
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


def _eval_bma(path: Path | None, split: str, as_json: bool, per_doc: bool,
              enriched: Path | None) -> None:
    from pipeline.evaluate_bma import evaluate_bma

    report = evaluate_bma(path, split, enriched)
    if as_json:
        typer.echo(json.dumps(report.as_dict(per_doc=per_doc), ensure_ascii=False, indent=1))
        return
    typer.echo(f"BMA NER set, --set {split}: {report.releases} releases, scored per document")
    typer.echo(f"{'type':8s} {'P':>7s} {'R':>7s} {'F1':>7s} {'tp':>5s} {'fp':>5s} {'fn':>5s}")
    for label, row in report.table().items():
        typer.echo(f"{label:8s} {row['precision']:7.4f} {row['recall']:7.4f} {row['f1']:7.4f} "
                   f"{row['tp']:5d} {row['fp']:5d} {row['fn']:5d}")
    typer.echo(f"positions right: {report.position_accuracy():.4f} "
               f"({report.positions_right} of {report.positions_total} officials with a position)")
    if not per_doc:
        return
    for doc in report.documents:
        if not (doc.false_positives or doc.misses or doc.position_errors):
            continue
        typer.echo(f"\n{doc.id}")
        for fp in doc.false_positives:
            typer.echo(f"  FP   {fp['label']:6s} {fp['text']}  -> {fp['canonical']}")
        for miss in doc.misses:
            typer.echo(f"  MISS {miss['label']:6s} {miss['name']}")
        for err_ in doc.position_errors:
            typer.echo(f"  POS  {err_['name']}: gold {err_['gold']!r}, got {err_['predicted']!r}")


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
