"""Exports without a cap: every hit, streamed on a point in time with search_after, in
bounded memory; the CLI (`bma-news search QUERY --export FILE`) and the web's export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from core.limits import EXPORT_PAGE_SIZE

from .releases import RELEASES, enriched
from .test_cli import BIN, run

MANY = 20_000


@pytest.fixture
def many_index(es_client, es_alias) -> str:
    """MANY small releases (one template, each its own id, url and minute) behind the alias."""
    from core.records import PressReleaseDoc
    from index_mappings import ensure_index

    ensure_index(es_client, es_alias)
    template = PressReleaseDoc.from_enriched(enriched(RELEASES[0])).to_source()
    start = datetime.fromisoformat(template["published_at"])
    for first in range(0, MANY, 5000):
        operations: list[dict] = []
        for i in range(first, min(first + 5000, MANY)):
            doc_id = f"many-{i:05d}"
            operations += [{"index": {"_index": es_alias, "_id": doc_id}},
                           {**template, "id": doc_id, "url": f"https://example.org/{doc_id}",
                            "canonical_url": f"https://example.org/{doc_id}",
                            "published_at": (start + timedelta(minutes=i)).isoformat()}]
        answer = es_client.bulk(operations=operations)
        assert not answer["errors"]
    es_client.indices.refresh(index=es_alias)
    assert es_client.count(index=es_alias)["count"] == MANY
    return es_alias


def _export_measured(index: str, *args: str) -> tuple[subprocess.CompletedProcess, int]:
    """The export run as a user runs it, under a fresh parent process whose only child it
    is, so that child's peak RSS (kB) is the export's alone."""
    measure = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:])\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(done.returncode)\n")
    done = subprocess.run([sys.executable, "-c", measure, str(BIN), "search", *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "BMA_NEWS_INDEX": index})
    return done, int(done.stdout.strip().splitlines()[-1])


def test_export_every_hit_in_bounded_memory(many_index, tmp_path):
    # the same export of the first day and a half only: a little over two pages
    some, some_rss = _export_measured(many_index, "น้ำท่วม", "--sort", "date", "--to",
                                      "2023-10-17", "--export", str(tmp_path / "some.jsonl"))
    assert some.returncode == 0, some.stderr
    some_count = sum(1 for _ in (tmp_path / "some.jsonl").open(encoding="utf-8"))
    assert 2 * EXPORT_PAGE_SIZE < some_count < MANY / 5
    out = tmp_path / "all.jsonl"
    done, rss = _export_measured(many_index, "น้ำท่วม", "--sort", "date",
                                 "--export", str(out))
    assert done.returncode == 0, done.stderr
    assert f"exported {MANY:,} releases" in done.stderr
    ids, dates, size = [], [], 0
    with out.open(encoding="utf-8") as lines:
        for line in lines:
            size += len(line.encode())
            hit = json.loads(line)
            ids.append(hit["id"])
            dates.append(hit["published_at"])
    assert len(ids) == MANY and len(set(ids)) == MANY
    assert dates == sorted(dates, reverse=True)
    assert not list(tmp_path.glob(".*.partial"))
    # One page of hits (EXPORT_PAGE_SIZE) at a time: ten times the hits, the same peak.
    # Holding them would add at least what was written (Python objects take several
    # times their JSON); a quarter of it is far above the allocator's noise.
    grown_kb = rss - some_rss
    print(f"export of {MANY} hits: peak RSS {rss / 1024:.0f} MB; of {some_count}: "
          f"{some_rss / 1024:.0f} MB; {size / 1e6:.1f} MB written")
    assert grown_kb * 1024 < size / 4, (grown_kb, size)


def test_csv_export_of_a_query_matches_its_search(many_index, tmp_path):
    out = tmp_path / "all.csv"
    # by date: a relevance order carries the recency boost, whose origin is the moment each
    # command runs, so two commands a few seconds apart may order near-ties differently
    done = run("search", "", "--sort", "date", "--export", str(out), index=many_index)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert len(rows) == MANY and len({r["id"] for r in rows}) == MANY
    page = json.loads(run("search", "", "--sort", "date", "--size", "5", "--json",
                          index=many_index).stdout)
    assert [r["id"] for r in rows[:5]] == [h["id"] for h in page["hits"]]


def test_web_export_streams_without_the_old_cap(es_client, many_index):
    from fastapi.testclient import TestClient

    from search.web.app import create_app

    with TestClient(create_app(client=es_client, index=many_index)) as client:
        answer = client.get("/export.csv", params={"sort": "date"})
        assert answer.status_code == 200
        rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
        assert len(rows) == MANY and len({r["id"] for r in rows}) == MANY
        dates = [r["published_at"] for r in rows]
        assert dates == sorted(dates, reverse=True)
        exported = client.get("/export.json", params={"person": RELEASES[0].names("PERSON")[0]})
        body = json.loads(exported.text)
        assert body["total"] == len(body["hits"]) == MANY
        assert body["facets"]["persons"][0]["count"] == MANY
    assert EXPORT_PAGE_SIZE < MANY  # more than one page was read


def test_export_json_matches_the_search_json(search_index, tmp_path):
    out = tmp_path / "flood.json"
    done = run("search", "น้ำท่วม", "--export", str(out), index=search_index)
    assert done.returncode == 0, done.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    shown = json.loads(run("search", "น้ำท่วม", "--size", "100", "--json",
                           index=search_index).stdout)
    assert set(exported) == {"total", "hits", "facets"}
    assert exported["total"] == shown["total"] == len(exported["hits"])
    assert [h["id"] for h in exported["hits"]] == [h["id"] for h in shown["hits"]]
    assert exported["hits"][0]["highlights"] == shown["hits"][0]["highlights"]


@pytest.mark.parametrize(("args", "message"), [
    (("--export", "out.xlsx"), "cannot tell the export format"),
    (("--export", "out.csv", "--format", "xml"), "cannot tell the export format"),
    (("--export", "/no/such/folder/out.csv"), "the export's folder does not exist"),
])
def test_bad_export_is_one_line(es_client, es_alias, tmp_path, args, message):
    done = run("search", "น้ำ", *args, index=es_alias)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
