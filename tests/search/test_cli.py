"""`bma-news search` and `bma-news entities` as a user runs them, against the real node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from .releases import DEPUTY, GOVERNOR

BIN = Path(sys.executable).parent / "bma-news"


def run(*args: str, index: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "BMA_NEWS_INDEX": index, "COLUMNS": "160", **(env or {})}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120,
                          env=environment)


def test_search_json(search_index, releases):
    done = run("search", GOVERNOR, "--json", index=search_index)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"total", "hits", "facets"}
    naming = {r.id for r in releases.values() if GOVERNOR in r.names("PERSON")}
    assert {h["id"] for h in answer["hits"][: len(naming)]} == naming
    first = answer["hits"][0]
    assert set(first) >= {"id", "url", "title", "published_at", "score", "highlights",
                          "entities"}
    assert any("<mark>" in h for h in first["highlights"])
    assert {"canonical": GOVERNOR, "label": "PERSON"} in first["entities"]
    assert {"persons", "organizations", "places", "categories", "months"} <= set(
        answer["facets"])


def test_search_filters_dates_sort_and_size(search_index, releases):
    done = run("search", "--person", DEPUTY, "--sort", "date", "--size", "1", "--json",
               index=search_index)
    answer = json.loads(done.stdout)
    with_deputy = sorted((r for r in releases.values() if DEPUTY in r.names("PERSON")),
                         key=lambda r: r.published_at, reverse=True)
    assert answer["total"] == len(with_deputy)
    assert [h["id"] for h in answer["hits"]] == [with_deputy[0].id]
    done = run("search", "", "--place", "บางเขน", "--from", "2024-01-01", "--to",
               "2024-12-31", "--json", index=search_index)
    assert [h["id"] for h in json.loads(done.stdout)["hits"]] == [
        releases["market-bangkhen"].id]


def test_search_table_on_a_terminal(search_index, releases):
    done = run("search", "น้ำท่วม", "--org", "สำนักการระบายน้ำ", index=search_index)
    assert done.returncode == 0, done.stderr
    assert releases["flood-bangkhen"].title in done.stdout
    assert "16 ต.ค. 2566" in done.stdout and "16 Oct 2023" in done.stdout
    assert releases["flood-bangkhen"].url in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("search", "น้ำ", "--from", "16/10/2023"), "not a date like 2023-10-16"),
    (("search", "น้ำ", "--to", "2023-02-30"), "not a date like 2023-10-16"),
    (("search", "น้ำ", "--size", "1000"), "size must be between 1 and 100"),
    (("search", "น้ำ", "--sort", "popular"), "sort must be one of relevance, date"),
    (("search", "ก" * 10_000), "the limit is 500"),
    (("entities", "--type", "THING"), "PERSON, ORG or LOC"),
])
def test_bad_input_is_one_clear_line(es_client, es_alias, args, message):
    done = run(*args, index=es_alias)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_missing_index_is_one_clear_line(es_client):
    missing = f"bma-news-test-missing-{uuid.uuid4().hex[:8]}"
    done = run("search", "น้ำท่วม", index=missing)
    assert done.returncode != 0
    assert done.stderr.strip() == f"error: no index '{missing}' yet: run `bma-news run` first"


def test_entities_json(search_index, releases):
    done = run("entities", "--type", "ORG", "--top", "2", "--json", index=search_index)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    expected = Counter(n for r in releases.values() for n in r.names("ORG"))
    assert len(answer["entities"]) == 2
    for entity in answer["entities"]:
        assert set(entity) == {"canonical", "label", "count"} and entity["label"] == "ORG"
        assert entity["count"] == expected[entity["canonical"]]
    assert answer["entities"][0]["count"] == max(expected.values())
    done = run("entities", "--query", "ดินแดง", index=search_index)
    assert done.returncode == 0 and DEPUTY in done.stdout
