"""Search by a list of names: the list's rules, the counts against the hand-built releases,
the CLI (`bma-news search --names`) and the web page's routes (no browser)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core.limits import MAX_NAME_LIST
from search.params import SearchInputError

from .releases import DEPUTY, DRAINAGE, GOVERNOR, PERMANENT_SECRETARY
from .test_cli import run


def test_list_ignores_blank_lines_and_repeats():
    from search.names import parse_name_list

    text = f"\n {GOVERNOR}\n\n{GOVERNOR}  \nสนน.\r\n{' '.join(GOVERNOR.split())}\n\ufeff\n"
    assert parse_name_list(text) == [GOVERNOR, "สนน."]


@pytest.mark.parametrize(("text", "message"), [
    ("", "the name list is empty"),
    ("\n  \n\t\n", "the name list is empty"),
    ("\n".join(f"ชื่อ {i}" for i in range(MAX_NAME_LIST + 1)),
     f"the list has {MAX_NAME_LIST + 1} names; the limit is {MAX_NAME_LIST}"),
    ("ก" * 201, "line 1: a name is at most 200 characters"),
])
def test_list_limits_are_errors_never_cuts(text, message):
    from search.names import parse_name_list

    with pytest.raises(SearchInputError, match=message):
        parse_name_list(text)
    assert len(parse_name_list("\n".join(f"ชื่อ {i}" for i in range(MAX_NAME_LIST)))) == \
        MAX_NAME_LIST


def _expected(releases, keys: set[str]) -> dict:
    """Count, first and last day, co-mentions of the releases with these keys."""
    chosen = [r for r in releases.values() if r.key in keys]
    days = sorted(r.published_at[:10] for r in chosen)
    co: dict[str, int] = {}
    for r in chosen:
        for label in ("PERSON", "ORG", "LOC"):
            for name in r.names(label):
                co[name] = co.get(name, 0) + 1
    return {"releases": len(chosen), "first": days[0] if days else None,
            "last": days[-1] if days else None, "co": co}


def test_each_name_counted_by_entity_or_text(es_client, search_index, releases):
    from search.names import name_stats

    with_governor = {r.key for r in releases.values() if GOVERNOR in r.names("PERSON")}
    with_drainage = {r.key for r in releases.values() if DRAINAGE in r.names("ORG")}
    with_clerk = {r.key for r in releases.values() if PERMANENT_SECRETARY in r.names("PERSON")}
    market = {r.key for r in releases.values() if "ตลาดนัดชุมชน" in r.body}
    found = {s.name: s for s in name_stats(es_client, search_index, [
        GOVERNOR, "สนน.", f"นาย{PERMANENT_SECRETARY}", "ตลาดนัดชุมชน", "ไม่มีในข่าวใดเลยแน่นอน"])}
    cases = [(GOVERNOR, with_governor, GOVERNOR, "PERSON", "entity+text"),
             ("สนน.", with_drainage, DRAINAGE, "ORG", "entity+text"),
             (f"นาย{PERMANENT_SECRETARY}", with_clerk, PERMANENT_SECRETARY, "PERSON",
              "entity+text"),
             ("ตลาดนัดชุมชน", market, "ตลาดนัดชุมชน", None, "text"),
             ("ไม่มีในข่าวใดเลยแน่นอน", set(), "ไม่มีในข่าวใดเลยแน่นอน", None, "none")]
    for name, keys, canonical, label, matched_by in cases:
        stats, expected = found[name], _expected(releases, keys)
        assert (stats.canonical, stats.label, stats.matched_by) == (canonical, label,
                                                                   matched_by), name
        assert stats.releases == expected["releases"], name
        assert (stats.first_mention, stats.last_mention) == (expected["first"],
                                                             expected["last"]), name
        for entity in stats.co_mentions:
            assert entity.canonical != canonical
            assert entity.count == expected["co"][entity.canonical], (name, entity)
    # the tree-planting release has every word of the governor's name, never side by side
    assert found[GOVERNOR].text_releases == len(with_governor)
    assert found[GOVERNOR].co_mentions and found["ไม่มีในข่าวใดเลยแน่นอน"].co_mentions == []


def test_cli_names_json_csv_and_stdin(search_index, releases, tmp_path):
    listed = tmp_path / "names.txt"
    listed.write_text(f"{GOVERNOR}\n\n{DEPUTY}\n{GOVERNOR}\n", encoding="utf-8")
    done = run("search", "--names", str(listed), "--json", index=search_index)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)["names"]
    assert [n["name"] for n in answer] == [GOVERNOR, DEPUTY]
    assert set(answer[0]) >= {"name", "canonical", "releases", "matched_by",
                              "first_mention", "last_mention", "co_mentions"}
    with_deputy = sum(DEPUTY in r.names("PERSON") for r in releases.values())
    assert answer[1]["releases"] == with_deputy
    done = run("search", "--names", str(listed), "--csv", index=search_index)
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert [(r["name"], int(r["releases"])) for r in rows] == [
        (n["name"], n["releases"]) for n in answer]
    import os
    import subprocess

    from .test_cli import BIN
    piped = subprocess.run([str(BIN), "search", "--names", "-"], input=f"{DEPUTY}\n",
                           capture_output=True, text=True, timeout=120,
                           env={**os.environ, "BMA_NEWS_INDEX": search_index,
                                "COLUMNS": "200"})
    assert piped.returncode == 0, piped.stderr
    assert DEPUTY in piped.stdout and "ครั้งแรก / First" in piped.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("\n\n", "the name list is empty"),
    ("\n".join(f"ชื่อที่ {i}" for i in range(10_000)), "the limit is 500"),
    (None, "cannot read the name list"),
    ("x", "--names takes no query, filter or --export"),
])
def test_cli_bad_name_lists_are_one_line(es_client, es_alias, tmp_path, content, message):
    listed = tmp_path / "names.txt"
    if content is not None:
        listed.write_text(content, encoding="utf-8")
    extra = ("--place", "บางเขน") if content == "x" else ()
    done = run("search", "--names", str(listed), *extra, index=es_alias)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_web_page_table_and_downloads(web_client, releases):
    assert "<textarea" in web_client.get("/names").text
    text = f"{GOVERNOR}\nสนน.\n"
    page = web_client.post("/names", data={"names": text})
    assert page.status_code == 200
    assert page.text.count("<tr>") == 3 and f"= {DRAINAGE}" in page.text
    uploaded = web_client.post("/names", files={"file": ("names.txt", "สนน.\n".encode())})
    assert uploaded.status_code == 200 and f"= {DRAINAGE}" in uploaded.text
    as_json = web_client.post("/names.json", data={"names": text})
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    counted = {n["name"]: n["releases"] for n in as_json.json()["names"]}
    assert counted[GOVERNOR] == sum(GOVERNOR in r.names("PERSON") for r in releases.values())
    rows = list(csv.DictReader(io.StringIO(
        web_client.post("/names.csv", data={"names": text}).text.lstrip("\ufeff"))))
    assert {r["name"]: int(r["releases"]) for r in rows} == counted


def test_web_bad_lists_are_4xx_with_the_reason(web_client):
    empty = web_client.post("/names", data={"names": "\n \n"})
    assert empty.status_code == 400 and "ไม่มีรายชื่อ" in empty.text
    many = "\n".join(f"ชื่อที่ {i}" for i in range(10_000))
    for path in ("/names", "/names.json", "/names.csv"):
        answer = web_client.post(path, data={"names": many})
        assert answer.status_code == 400, path
        assert "the limit is 500" in answer.text, path
    uploaded = web_client.post("/names", files={"file": ("n.txt", many.encode())})
    assert uploaded.status_code == 400 and "the limit is 500" in uploaded.text
    huge = web_client.post("/names", files={"file": ("n.txt", b"x\n" * 700_000)})
    assert huge.status_code == 413 and "kB" in huge.text
    binary = web_client.post("/names", files={"file": ("n.bin", b"\xff\xfe\x00\x81")})
    assert binary.status_code == 400 and "UTF-8" in binary.text
