"""Curated entities: the file, the CLI against a real node (counts and facets change at
once, a split undoes a merge, a fresh index keeps the curation), the web page's
confirmation, and bad input (one line, never a traceback; never a 5xx)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from search.curations import CurationError, Curations, editing, load

from .releases import DEPUTY, GOVERNOR, RELEASES, index_releases
from .test_cli import run

SHORT = "ชัชชาติ"  # the tree-planting release names the governor by his first name only


# --- the file ----------------------------------------------------------------------------
def test_merge_alias_split_and_their_refusals():
    c = Curations()
    assert c.merge("PERSON", GOVERNOR, SHORT).changed
    assert not c.merge("PERSON", GOVERNOR, SHORT).changed  # a re-run changes nothing
    c.merge("PERSON", SHORT, "ชัชชาติ ส.", op="alias")  # a chain: ends at the governor
    assert c.canonical("PERSON", "ชัชชาติ ส.") == GOVERNOR
    assert c.spellings("PERSON", SHORT) == [GOVERNOR, SHORT, "ชัชชาติ ส."]
    assert c.canonical("ORG", SHORT) == SHORT  # curations are per entity type
    with pytest.raises(CurationError, match="into itself"):
        c.merge("PERSON", DEPUTY, DEPUTY)
    with pytest.raises(CurationError, match="cycle"):
        c.merge("PERSON", "ชัชชาติ ส.", GOVERNOR)
    with pytest.raises(CurationError, match="already merged into"):
        c.merge("PERSON", DEPUTY, SHORT)
    with pytest.raises(CurationError, match="not merged into anything"):
        c.split("PERSON", GOVERNOR, DEPUTY)
    with pytest.raises(CurationError, match="PERSON, ORG or LOC"):
        c.merge("THING", GOVERNOR, SHORT)
    c.split("PERSON", GOVERNOR, SHORT)
    assert c.spellings("PERSON", GOVERNOR) == [GOVERNOR]
    assert c.spellings("PERSON", SHORT) == [SHORT, "ชัชชาติ ส."]


def test_file_is_sorted_one_line_per_spelling_and_written_atomically(tmp_path):
    path = tmp_path / "curations.json"
    with editing(path) as c:
        c.merge("PERSON", GOVERNOR, SHORT)
        c.merge("ORG", "สำนักการระบายน้ำ", "สนน.", op="alias")
        c.merge("ORG", "สำนักการระบายน้ำ", "สำนักระบายน้ำ", op="alias")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "{", ' "schema": 1,', ' "PERSON": {', f'  "{SHORT}": "{GOVERNOR}"', " },",
        ' "ORG": {', '  "สนน.": "สำนักการระบายน้ำ",', '  "สำนักระบายน้ำ": "สำนักการระบายน้ำ"',
        " },", ' "LOC": {}', "}"]
    assert load(path).canonical("ORG", "สนน.") == "สำนักการระบายน้ำ"
    with pytest.raises(CurationError), editing(path) as c:
        c.split("PERSON", GOVERNOR, SHORT)
        c.merge("PERSON", DEPUTY, DEPUTY)  # fails: the split before it is not written
    assert path.read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob("*.partial"))


def test_a_broken_or_cyclic_file_is_one_clear_error(tmp_path):
    from core.errors import ConfigError

    path = tmp_path / "curations.json"
    path.write_text(json.dumps({"schema": 1, "PERSON": {"ก": "ข", "ข": "ก"}}), "utf-8")
    with pytest.raises(ConfigError, match="cycle"):
        load(path)
    path.write_text("{not json", "utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load(path)


# --- the CLI against a real node -----------------------------------------------------------
def _search(index: str, data_dir: Path, *args: str) -> dict:
    done = run("search", *args, "--json", index=index, env={"BMA_NEWS_DATA_DIR": str(data_dir)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _people(answer: dict) -> dict[str, int]:
    return {f["value"]: f["count"] for f in answer["facets"]["persons"]}


def test_merge_then_split_changes_search_facets_and_entities_at_once(
        search_index, curations_file, releases):
    data_dir = curations_file.parent
    env = {"BMA_NEWS_DATA_DIR": str(data_dir)}
    naming = {r.id for r in RELEASES if {GOVERNOR, SHORT} & set(r.names("PERSON"))}
    before = _search(search_index, data_dir, "", "--person", GOVERNOR)
    assert before["total"] == len(naming) - 1
    assert _people(before)[GOVERNOR] == 2 and SHORT not in _people(before)
    assert _people(_search(search_index, data_dir, ""))[SHORT] == 1

    done = run("entities", "merge", GOVERNOR, SHORT, index=search_index, env=env)
    assert done.returncode == 0, done.stderr
    assert f"named in {len(naming)} releases" in done.stdout
    assert curations_file.exists()

    after = _search(search_index, data_dir, "", "--person", GOVERNOR)
    assert {h["id"] for h in after["hits"]} == naming
    assert _people(after)[GOVERNOR] == len(naming)
    everything = _search(search_index, data_dir, "")
    assert _people(everything)[GOVERNOR] == len(naming) and SHORT not in _people(everything)
    tree = releases["tree-planting"].id
    hit = next(h for h in everything["hits"] if h["id"] == tree)
    assert {"canonical": GOVERNOR, "label": "PERSON"} in hit["entities"]
    top = json.loads(run("entities", "--type", "PERSON", "--json", index=search_index,
                         env=env).stdout)["entities"]
    assert {"canonical": GOVERNOR, "label": "PERSON", "count": len(naming)} in top
    assert SHORT not in {e["canonical"] for e in top}
    listed = run("entities", "curations", index=search_index, env=env)
    assert SHORT in listed.stdout and GOVERNOR in listed.stdout

    again = run("entities", "merge", GOVERNOR, SHORT, "--type", "PERSON",
                index=search_index, env=env)
    assert again.returncode == 0 and "nothing changed" in again.stdout

    done = run("entities", "split", GOVERNOR, SHORT, index=search_index, env=env)
    assert done.returncode == 0, done.stderr
    split = _search(search_index, data_dir, "", "--person", GOVERNOR)
    assert [h["id"] for h in split["hits"]] == [h["id"] for h in before["hits"]]
    assert split["facets"] == before["facets"]


def test_a_fresh_index_keeps_the_curation(es_client, search_index, curations_file):
    """A rebuild or reprocess writes a new index from the archive: the curation, which
    lives in the data dir and is applied when reading, holds over the new index."""
    done = run("entities", "merge", GOVERNOR, SHORT, index=search_index,
               env={"BMA_NEWS_DATA_DIR": str(curations_file.parent)})
    assert done.returncode == 0, done.stderr
    es_client.indices.delete(index=f"{search_index}-*")
    index_releases(es_client, search_index, RELEASES)  # a new versioned index
    answer = _search(search_index, curations_file.parent, "", "--person", GOVERNOR)
    assert answer["total"] == 3 and _people(answer)[GOVERNOR] == 3


@pytest.mark.parametrize(("args", "message"), [
    (("merge", GOVERNOR, GOVERNOR), "into itself"),
    (("merge", GOVERNOR, "ไม่มีใครชื่อนี้"), "no release names the PERSON"),
    (("alias", "ไม่มีใครชื่อนี้", "x"), "no release names"),
    (("split", GOVERNOR, SHORT), "not merged into anything"),
    (("merge", GOVERNOR, SHORT, "--type", "THING"), "PERSON, ORG or LOC"),
    (("merge", GOVERNOR, "   "), "an entity name is needed"),
])
def test_bad_curations_are_one_line(search_index, curations_file, args, message):
    done = run("entities", *args, index=search_index,
               env={"BMA_NEWS_DATA_DIR": str(curations_file.parent)})
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and not curations_file.exists()


# --- the web page ------------------------------------------------------------------------------
def _confirm(web_client, **params) -> tuple[object, dict]:
    page = web_client.get("/entity/curate", params=params)
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    return page, form


def test_web_merge_behind_a_confirmation(web_client, curations_file):
    page, form = _confirm(web_client, op="merge", type="PERSON", name=SHORT, other=GOVERNOR)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert not curations_file.exists(), "the confirmation page writes nothing"
    done = web_client.post("/entity/curate", data=form, follow_redirects=False)
    assert done.status_code == 303 and "/entity?" in done.headers["location"]
    assert load(curations_file).canonical("PERSON", SHORT) == GOVERNOR
    governor = web_client.get(done.headers["location"])
    assert "กล่าวถึงใน 3 ข่าว" in governor.text and 'class="spelling">' + SHORT in governor.text
    short = web_client.get("/entity", params={"type": "PERSON", "name": SHORT})
    assert f'<h1 class="entity-name">{GOVERNOR}</h1>' in short.text
    # and the split, from the governor's page
    page, form = _confirm(web_client, op="split", type="PERSON", name=GOVERNOR, other=SHORT)
    assert web_client.post("/entity/curate", data=form,
                           follow_redirects=False).status_code == 303
    assert load(curations_file).spellings("PERSON", GOVERNOR) == [GOVERNOR]


def test_web_refuses_forged_stale_and_cross_site_posts(web_client, curations_file):
    _, form = _confirm(web_client, op="alias", type="PERSON", name=GOVERNOR, other="ท่านผู้ว่า")
    forged = {**form, "other": "อีกชื่อ"}  # a token for another change
    assert web_client.post("/entity/curate", data=forged).status_code == 403
    assert web_client.post("/entity/curate", data={**form, "token": ""}).status_code == 403
    cross = web_client.post("/entity/curate", data=form,
                            headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    other_origin = web_client.post("/entity/curate", data=form,
                                   headers={"Origin": "https://evil.example"})
    assert other_origin.status_code == 403
    assert not curations_file.exists()


@pytest.mark.parametrize(("params", "status"), [
    ({"op": "merge", "type": "PERSON", "name": "ไม่มีใครชื่อนี้", "other": GOVERNOR}, 404),
    ({"op": "merge", "type": "PERSON", "name": SHORT, "other": "ไม่มีใครชื่อนี้"}, 400),
    ({"op": "merge", "type": "PERSON", "name": GOVERNOR, "other": GOVERNOR}, 400),
    ({"op": "explode", "type": "PERSON", "name": GOVERNOR, "other": SHORT}, 400),
    ({"op": "split", "type": "PERSON", "name": GOVERNOR, "other": SHORT}, 400),
    ({"op": "alias", "type": "THING", "name": GOVERNOR, "other": SHORT}, 400),
    ({"op": "alias", "type": "PERSON", "name": GOVERNOR, "other": "x" * 300}, 400),
    ({"op": "alias", "type": "PERSON", "name": "", "other": ""}, 400),
])
def test_web_bad_curations_are_4xx_pages(web_client, curations_file, params, status):
    page = web_client.get("/entity/curate", params=params)
    assert page.status_code == status and "<h1>" in page.text
    posted = web_client.post("/entity/curate", data={**params, "token": "0"})
    assert 400 <= posted.status_code < 500
    assert not curations_file.exists()


def test_a_release_naming_both_spellings_counts_once(es_client, search_index, curations_file):
    """pm25-dindaeng names the governor and his deputy: merged (wrongly, for the test),
    the group is named in 3 releases, not 2 + 2."""
    from search.entities import top_entities
    from search.params import SearchParams
    from search.query import search

    with editing(curations_file) as c:
        c.merge("PERSON", GOVERNOR, DEPUTY)
    naming = {r.id for r in RELEASES if {GOVERNOR, DEPUTY} & set(r.names("PERSON"))}
    assert len(naming) == 3
    facets = search(es_client, search_index, SearchParams.build("")).facets
    assert {f.value: f.count for f in facets.persons}[GOVERNOR] == len(naming)
    assert DEPUTY not in {f.value for f in facets.persons}
    top = top_entities(es_client, search_index, label="PERSON")
    assert {e.canonical: e.count for e in top}[GOVERNOR] == len(naming)
