"""The run summary carries the loader's created and updated counts to every place it shows."""

from __future__ import annotations

import json

from flows.summary import RunSummary
from pipeline.batch import BatchCounts
from pipeline.load import LoadReport


def test_created_and_updated_reach_the_summary_rows_markdown_and_file(tmp_path):
    counts = BatchCounts(records=7, enriched=7)
    counts.add_load(LoadReport(received=7, indexed=4, created=3, updated=1, unchanged=3))
    summary = RunSummary("nightly", "nightly-test")
    summary.add(counts.as_dict())
    summary.add(counts.as_dict())
    assert (summary.created, summary.updated, summary.indexed) == (6, 2, 8)
    rows = dict(summary.rows())
    assert rows["created (new)"] == "6" and rows["updated"] == "2"
    assert "| created (new) | 6 |" in summary.markdown()
    saved = json.loads(summary.save(tmp_path).read_text())
    assert (saved["created"], saved["updated"]) == (6, 2) and saved["reconciles"]


def test_counts_from_before_created_and_updated_existed_default_to_zero():
    summary = RunSummary("nightly", "nightly-old")
    summary.add({"records": 2, "indexed": 2})
    assert (summary.created, summary.updated) == (0, 0)
    assert BatchCounts.from_dict({"records": 2, "indexed": 2}).created == 0
