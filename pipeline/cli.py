"""`bma-news enrich` and `bma-news eval-ner` (heavy imports happen inside the commands)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bma_news.errors import UserFacingError


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich)
    app.command("eval-ner")(eval_ner)
    app.command("train-ner")(train_ner)


def _read_jsonl(path: Path, bad: list[tuple[int, str]], progress=None, task=None):
    """Yield (line number, record) lazily; undecodable lines go to `bad`."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if progress is not None:
                progress.update(task, advance=len(raw))
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                bad.append((number, f"not JSON: {exc}"))
                continue
            if isinstance(record, dict):
                record["__line__"] = number
            else:
                bad.append((number, f"record is a {type(record).__name__}, not an object"))
                continue
            yield record


def enrich(
    input: Annotated[Path, typer.Option("--input", "-i", help="raw records, JSONL")],
    output: Annotated[Path, typer.Option("--output", "-o", help="enriched records, JSONL")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Add entities, officials and index tokens to each record (streaming)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from pipeline.enrich import enrich_records

    if not input.is_file():
        raise UserFacingError(f"input file not found: {input}")
    if output.parent and not output.parent.exists():
        raise UserFacingError(f"output directory does not exist: {output.parent}")
    err = Console(stderr=True, highlight=False)
    bad: list[tuple[int, str]] = []
    written = 0
    reported = 0
    progress = Progress(
        TextColumn("enrich"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(), console=err, disable=quiet, transient=True,
    )
    with progress, output.open("w", encoding="utf-8") as out:
        task = progress.add_task("enrich", total=input.stat().st_size)
        for record in enrich_records(_read_jsonl(input, bad, progress, task)):
            number = record.pop("__line__", "?")
            while reported < len(bad):
                line, reason = bad[reported]
                err.print(f"skipped line {line}: {reason}")
                reported += 1
            if "error" in record:
                err.print(f"skipped line {number}: {record['error']}")
                bad.append((number, record["error"]))
                reported += 1
                continue
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    for line, reason in bad[reported:]:
        err.print(f"skipped line {line}: {reason}")
    err.print(f"enriched {written} records, skipped {len(bad)}; wrote {output}")


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
        raise UserFacingError(f"corpus file not found: {corpus}")
    if mode not in ("crf", "hybrid"):
        raise UserFacingError("--mode must be crf or hybrid")
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
            raise UserFacingError(f"no train.txt in {corpus_dir}")
        args += ["--corpus-dir", str(corpus_dir)]
    main(args)
