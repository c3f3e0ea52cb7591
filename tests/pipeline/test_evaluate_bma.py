"""The BMA NER scorer (pipeline/evaluate_bma.py), its data set and `bma-news eval-ner --bma`."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from core.errors import InputError
from pipeline.evaluate_bma import (
    DEFAULT_DIR,
    aggregate,
    check_release,
    parse_release,
    place_key,
    read_releases,
    score_document,
)


def _release(text: str, persons=(), organizations=(), locations=(), **extra):
    return parse_release({
        "id": "t", "split": "dev", "date": "2025-01-01", "title": "", "source": "test",
        "text": text, "persons": list(persons), "organizations": list(organizations),
        "locations": list(locations), **extra}, "test")


def _ent(label, text, canonical=None, kind=None):
    return {"label": label, "text": text, "canonical": canonical or text, "kind": kind}


TEXT = ("นายสมชาย ใจดี ผู้อำนวยการเขตบางรัก และสำนักการระบายน้ำ (สนน.) ลอกท่อ ถนนสีลม "
        "แขวงสุริยวงศ์ เขตบางรัก กทม. สำนักงานเขตฯ ขอความร่วมมือ ต่อมา สมชาย กล่าวว่า")
GOLD = dict(
    persons=[{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการเขตบางรัก"}],
    organizations=[{"name": "สำนักการระบายน้ำ", "forms": ["สำนักการระบายน้ำ", "สนน."]},
                   {"name": "สำนักงานเขตบางรัก", "forms": [], "generic": ["สำนักงานเขตฯ"],
                    "optional": True}],
    locations=[{"name": "บางรัก", "forms": ["เขตบางรัก"]},
               {"name": "สุริยวงศ์", "forms": ["แขวงสุริยวงศ์"]},
               {"name": "กรุงเทพมหานคร", "forms": ["กทม."]}],
)


def test_perfect_output_scores_one_and_mentions_count_once():
    release = _release(TEXT, **GOLD)
    entities = [
        _ent("PERSON", "นายสมชาย ใจดี", "สมชาย ใจดี"), _ent("PERSON", "สมชาย", "สมชาย"),
        _ent("ORG", "สำนักการระบายน้ำ"), _ent("ORG", "สนน.", "สนน."),  # surface form, not canonical
        _ent("LOC", "เขตบางรัก", "บางรัก", "district"), _ent("LOC", "แขวงสุริยวงศ์", "สุริยวงศ์"),
        _ent("LOC", "กทม.", "กรุงเทพมหานคร", "province"),
        _ent("LOC", "ถนนสีลม", "ถนนสีลม", "facility"),  # facilities are not scored
        _ent("DATE", "1 มกราคม 2568", "2025-01-01"),
    ]
    officials = [{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการเขต บางรัก"}]  # spaces ignored
    doc = score_document(release, entities, officials)
    rows = aggregate([doc], "dev").table()
    assert rows["PERSON"] == {**rows["PERSON"], "tp": 1, "fp": 0, "fn": 0, "f1": 1.0}
    assert rows["ORG"]["tp"] == 1 and rows["ORG"]["fn"] == 0  # the optional office: no miss
    assert rows["LOC"]["tp"] == 3 and rows["LOC"]["fp"] == 0
    assert rows["micro"]["f1"] == 1.0
    assert doc.positions_right == doc.positions_total == 1


def test_known_precision_and_recall():
    release = _release(TEXT, **GOLD)
    entities = [
        _ent("PERSON", "นายสมชาย ใจดี", "สมชาย ใจดี"),
        _ent("ORG", "สำนักงานเขตฯ"),  # a generic word unresolved: a false positive
        _ent("ORG", "ถนนสีลม"),  # a street as an organization: a false positive
        _ent("ORG", "ถนนสีลม"),  # the same wrong name again: still one
        _ent("LOC", "เขตบางรัก", "บางรัก", "district"),
        _ent("LOC", "ไทย", "ไทย", "country"),  # not in the gold: false positive
    ]
    doc = score_document(release, entities, [{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการ"}])
    rows = aggregate([doc], "dev").table()
    assert (rows["ORG"]["tp"], rows["ORG"]["fp"], rows["ORG"]["fn"]) == (0, 2, 1)
    assert (rows["LOC"]["tp"], rows["LOC"]["fp"], rows["LOC"]["fn"]) == (1, 1, 2)
    assert rows["LOC"]["precision"] == 0.5 and rows["LOC"]["recall"] == pytest.approx(0.3333, abs=1e-4)
    micro = rows["micro"]  # tp 2 (person, บางรัก), fp 3, fn 3
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 3, 3)
    assert micro["precision"] == 0.4 and micro["recall"] == 0.4 and micro["f1"] == 0.4
    assert doc.positions_right == 0 and doc.positions_total == 1
    assert {m["name"] for m in doc.misses} == {"สำนักการระบายน้ำ", "สุริยวงศ์", "กรุงเทพมหานคร"}


def test_a_resolved_generic_mention_counts_for_the_office():
    release = _release(TEXT, **GOLD)
    doc = score_document(release, [_ent("ORG", "สำนักงานเขตฯ", "สำนักงานเขตบางรัก")], [])
    assert doc.counts["ORG"].tp == 1 and doc.counts["ORG"].fp == 0


def test_either_reading_of_bangkok_and_person_matching():
    text = "กทม. จับมือกรุงโซล โดยมีนายสมชาย ใจดี รองผู้ว่าราชการกรุงเทพมหานคร"
    release = _release(
        text, persons=[{"name": "สมชาย ใจดี", "position": "รองผู้ว่าราชการกรุงเทพมหานคร"}],
        organizations=[{"name": "กรุงเทพมหานคร", "forms": ["กทม."], "either": True}],
        locations=[{"name": "โซล", "forms": ["กรุงโซล"]}])
    as_place = score_document(release, [_ent("LOC", "กทม.", "กรุงเทพมหานคร", "province"),
                                        _ent("LOC", "กรุงโซล", "กรุงโซล", "city")], [])
    assert as_place.counts["LOC"].tp == 2 and as_place.counts["LOC"].fp == 0
    assert as_place.counts["ORG"].fn == 0
    # a title left on the name is a wrong name: one false positive and one miss
    titled = score_document(release, [_ent("PERSON", "นายสมชาย ใจดี", "นายสมชาย ใจดี")], [])
    assert titled.counts["PERSON"].fp == 1 and titled.counts["PERSON"].fn == 1


def test_place_key():
    assert place_key("กทม.") == place_key("กรุงเทพฯ") == "กรุงเทพมหานคร"
    assert place_key("จังหวัดนนทบุรี") == place_key("จ.นนทบุรี") == "นนทบุรี"
    assert place_key("สาธารณรัฐประชาชนจีน") == place_key("ประเทศจีน") == "จีน"
    assert place_key("ประเทศไทย") == "ไทย"
    assert place_key("กรุงลอนดอน") == "ลอนดอน" and place_key("นครโอซากา") == "โอซากา"
    assert place_key("นครปฐม") == "นครปฐม"  # a province keeps its นคร


def test_check_release_flags_what_the_text_does_not_bear_out():
    bad = _release("นายสมชาย ใจดี ผู้อำนวยการเขตบางรัก ลอกท่อ",
                   persons=[{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการเขตบางรัก"},
                            {"name": "นายสมศรี มีสุข", "position": None},
                            {"name": "สมชาย ใจดี", "position": None}],
                   organizations=[{"name": "สำนักการระบายน้ำ", "forms": ["สนน."]}],
                   locations=[{"name": "ลาดพร้าว"}])
    problems = "\n".join(check_release(bad))
    assert "สนน." in problems and "ลาดพร้าว" in problems
    assert "carries a title" in problems and "listed 2 times" in problems
    good = _release(TEXT, **GOLD)
    assert check_release(good) == []


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not JSON"),
    ('{"id": "a"}', "split"),
    (json.dumps({"id": "a", "split": "test", "date": "2025-01-01", "title": "", "text": "x",
                 "source": "s", "persons": [], "organizations": [], "locations": []}),
     "dev or holdout"),
    (json.dumps({"id": "a", "split": "dev", "date": "1/1/2568", "title": "", "text": "x",
                 "source": "s", "persons": [], "organizations": [], "locations": []}), "ISO"),
])
def test_bad_input_is_one_clear_line(tmp_path, line, message):
    path = tmp_path / "releases.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_releases(tmp_path)
    assert "\n" not in str(info.value)


def test_the_bundled_set_validates():
    releases = read_releases(DEFAULT_DIR)
    assert len(releases) >= 60
    splits = Counter(r.split for r in releases)
    assert splits["dev"] >= 40 and splits["holdout"] >= 20
    assert [p for r in releases for p in check_release(r)] == []
    labels = Counter(g.label for r in releases for g in r.gold)
    assert min(labels.values()) >= 80
    assert sum(1 for r in releases for g in r.gold if g.position) >= 60
    origins = Counter(r.id.split("-", 1)[0] for r in releases)
    assert origins["thaigov"] >= 15 and origins["own"] >= 40


def test_cli_on_the_set(tmp_path):
    from bma_news.cli import app

    result = CliRunner().invoke(app, ["eval-ner", "--bma", "--set", "holdout", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["set"] == "holdout" and data["releases"] == sum(
        1 for r in read_releases(DEFAULT_DIR) if r.split == "holdout")
    assert set(data["scores"]) == {"PERSON", "ORG", "LOC", "micro"}
    assert 0 < data["scores"]["micro"]["f1"] <= 1 and 0 <= data["positions"]["accuracy"] <= 1
    assert data["positions"]["total"] > 0

    text = CliRunner().invoke(app, ["eval-ner", "--bma", str(DEFAULT_DIR), "--set", "dev",
                                    "--per-doc"])
    assert text.exit_code == 0 and "positions right:" in text.output and "micro" in text.output

    for args, message in [
        (["eval-ner", "--bma", str(tmp_path / "nope")], "not found"),
        (["eval-ner", "--bma", "--set", "train"], "--set must be"),
        (["eval-ner", "--bma", "--corpus", str(tmp_path)], "not both"),
        (["eval-ner"], "--corpus"),
    ]:
        bad = CliRunner().invoke(app, args)  # `bma_news.cli.main` turns these into one line
        assert isinstance(bad.exception, InputError), (args, bad.output)
        assert message in str(bad.exception) and "\n" not in str(bad.exception)


def test_cli_scores_records_enrich_wrote(tmp_path):
    """--enriched: the output of `bma-news enrich` scores as running enrich does; a record
    with the gold's entities scores 1."""
    from bma_news.cli import app

    holdout = [r for r in read_releases(DEFAULT_DIR) if r.split == "holdout"]
    raw = tmp_path / "raw.jsonl"
    raw.write_text("".join(json.dumps({"id": r.id, "title": r.title, "body": r.text},
                                      ensure_ascii=False) + "\n" for r in holdout),
                   encoding="utf-8")
    out = tmp_path / "enriched.jsonl"
    assert CliRunner().invoke(app, ["enrich", "-i", str(raw), "-o", str(out), "-q"]).exit_code == 0
    args = ["eval-ner", "--bma", "--set", "holdout", "--json"]
    ran = json.loads(CliRunner().invoke(app, args).output)
    read = json.loads(CliRunner().invoke(app, [*args, "--enriched", str(out)]).output)
    assert read == ran

    release = holdout[0]
    perfect = [{"label": g.label, "text": g.name, "canonical": g.name}
               for g in release.gold if not g.optional]
    officials = [{"name": g.name, "position": g.position} for g in release.gold
                 if g.label == "PERSON"]
    out.write_text(json.dumps({"id": release.id, "entities": perfect, "officials": officials},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    from pipeline.evaluate_bma import evaluate_bma

    with pytest.raises(InputError, match="no record for"):
        evaluate_bma(DEFAULT_DIR, "holdout", out)
    one = tmp_path / "one"
    one.mkdir()
    (one / "releases.jsonl").write_text(
        next(line for line in (DEFAULT_DIR / "releases.jsonl").read_text(encoding="utf-8")
             .splitlines() if json.loads(line)["id"] == release.id) + "\n", encoding="utf-8")
    report = evaluate_bma(one, "all", out)
    assert report.table()["micro"]["f1"] == 1.0
    assert report.position_accuracy() == (1.0 if report.positions_total else 0.0)


def test_cli_bad_path_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from bma_news.cli import main; main()", "eval-ner", "--bma",
         str(tmp_path / "nope")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "not found" in result.stderr
