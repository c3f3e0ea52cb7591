from __future__ import annotations

import json

from typer.testing import CliRunner

from core.records import EnrichedRecord, Rejected
from pipeline import ENRICHMENT_VERSION
from pipeline.analysis import index_text
from pipeline.enrich import enrich_records


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_enrich_records_adds_the_contract_fields():
    record = {"id": "a", "title": "กทม. ลอกท่อ", "body": "สนน. ลอกท่อในเขตบางเขน", "url": "u"}
    out = next(enrich_records([record]))
    assert isinstance(out, EnrichedRecord)
    assert out.url == "u" and out.id == "a"
    assert out.enrichment_version == ENRICHMENT_VERSION
    assert out.title_tokens == index_text(record["title"])
    assert out.body_tokens == index_text(record["body"])
    assert {e.text for e in out.entities} >= {"สนน.", "เขตบางเขน"}
    assert isinstance(out.officials, list)


def test_enrich_records_yields_bad_records_rejected_in_order():
    records = [{"id": "1", "body": "ก"}, {"id": "2"}, {"id": "3", "body": 5}, {"id": "4", "body": ""}]
    out = list(enrich_records(records))
    assert [r.id if isinstance(r, EnrichedRecord) else r.record["id"] for r in out] == [
        "1", "2", "3", "4"]
    assert isinstance(out[0], EnrichedRecord) and isinstance(out[3], EnrichedRecord)
    assert isinstance(out[1], Rejected) and isinstance(out[2], Rejected)
    assert "body" in out[1].reason and out[1].stage == "enrich"


def test_enrich_records_is_lazy():
    def endless():
        i = 0
        while True:
            i += 1
            yield {"id": str(i), "body": "นายสมชาย ใจดี"}

    stream = enrich_records(endless())
    assert next(stream).id == "1"


def test_enrich_cli_streams_and_skips_bad_records(tmp_path):
    from bma_news.cli import app

    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src, [
        json.dumps({"id": "1", "body": "นายชาตรี วัฒนเขจร รองปลัดกรุงเทพมหานคร", "extra": [1]},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "2", "title": "t"}),
        json.dumps({"id": "3", "body": "สำนักงานเขตบางรัก"}, ensure_ascii=False),
    ])
    result = CliRunner().invoke(app, ["enrich", "--input", str(src), "--output", str(dst)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in out] == ["1", "3"]
    assert out[0]["extra"] == [1]
    assert out[0]["officials"][0]["position"] == "รองปลัดกรุงเทพมหานคร"
    assert "skipped line 2" in result.output and "skipped line 3" in result.output
    assert "__line__" not in out[0]


def test_enrich_cli_missing_input_is_one_line(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bma_news.cli", "enrich", "--input", str(tmp_path / "no.jsonl"),
         "--output", str(tmp_path / "o.jsonl")], capture_output=True, text=True,
    )
    assert done.returncode != 0
    assert done.stderr.strip().startswith("error: input file not found")
    assert "Traceback" not in done.stderr


def test_enrichment_raises_the_collectors_threshold_before_loading_the_model():
    """In a fresh process: the threshold is up before the model and dictionaries load (the
    collector then runs far less often while they build), and they are frozen once loaded."""
    import subprocess
    import sys

    probe = (
        "import gc\n"
        "from pipeline.enrich import GC_GEN0_THRESHOLD, enrich_records\n"
        "import pipeline.language as language\n"
        "load = language.load_nlp\n"
        "seen = []\n"
        "def spy():\n"
        "    seen.append(gc.get_threshold()[0])\n"
        "    return load()\n"
        "language.load_nlp = spy\n"
        "next(enrich_records([{'id': 'a', 'body': 'นายสมชาย ใจดี'}]))\n"
        "print(seen == [GC_GEN0_THRESHOLD], gc.get_freeze_count() > 50_000)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "True True", done.stderr
