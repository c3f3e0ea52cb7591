from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.ner import decode, default_tagger
from pipeline.thainer import parse_line, score
from pipeline.tokenise import segment

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pipeline"


def test_parse_line_maps_facility_to_location_and_trims_spaces():
    ex = parse_line("\ufeff[PERSON]นายสมชาย \ufeff[/PERSON]ที่[FACILITY]สนามหลวง[/FACILITY]")
    assert ex.text == "นายสมชาย ที่สนามหลวง"
    assert ex.spans == [(0, 8, "PERSON"), (12, 20, "LOCATION")]


def test_score_counts_exact_spans_only():
    gold = [[(0, 5, "PERSON"), (10, 15, "LOCATION"), (20, 25, "ORGANIZATION")]]
    pred = [[(0, 5, "PERSON"), (10, 14, "LOCATION"), (20, 25, "LOCATION"), (30, 31, "DATE")]]
    table = score(gold, pred).table()
    assert table["PERSON"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert table["LOCATION"]["precision"] == 0.0 and table["LOCATION"]["support"] == 1
    assert table["micro"]["precision"] == pytest.approx(1 / 3)
    assert table["micro"]["recall"] == pytest.approx(1 / 3)


def test_decode_turns_bio_into_spans_without_edge_whitespace():
    words = ["นาย", "ชาตรี", " ", "วัฒนเขจร", " ", "กล่าว"]
    labels = ["B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O"]
    assert decode(words, labels) == [(0, 17, "PERSON")]


def test_compiled_decoder_matches_crfsuite():
    from pipeline.ner import CrfTagger

    tagger = CrfTagger(o_penalty=0.0)
    text = (FIXTURES / "bma_release_1.txt").read_text(encoding="utf-8")
    dev = (FIXTURES / "dev_bma.jsonl").read_text(encoding="utf-8")
    lines = [segment(line) for line in (text + dev).splitlines() if line]
    # unseen words repeated within one sequence and across sequences
    lines.append(segment("พ.ต.ท.ทักษิณ ชินวัตร อดีตนายกรัฐมนตรี เดินทางไปญี่ปุ่น ทักษิณ ชินวัตร"))
    assert tagger.tag_many(lines) == [tagger.tag_crfsuite(w) for w in lines]


def test_model_finds_a_titled_person():
    words = segment("นายสมชาย ใจดี เดินทางไปประชุมที่กระทรวงมหาดไทย")
    labels = default_tagger().tag(words)
    assert labels[0] == "B-PERSON"


def test_eval_ner_cli_prints_per_type_and_micro_scores():
    from bma_news.cli import app

    corpus = FIXTURES / "tiny_thainer.txt"
    result = CliRunner().invoke(app, ["eval-ner", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["scores"]
    assert set(scores) == {"PERSON", "ORGANIZATION", "LOCATION", "micro"}
    # gold: 2 persons (one a single letter no model marks), 1 org, 2 locations (incl. FACILITY)
    assert scores["PERSON"]["support"] == 2
    assert scores["LOCATION"]["support"] == 2
    assert scores["micro"]["support"] == 5
    assert scores["PERSON"]["recall"] == 0.5
    micro = scores["micro"]
    if micro["precision"] + micro["recall"]:
        f1 = 2 * micro["precision"] * micro["recall"] / (micro["precision"] + micro["recall"])
        assert micro["f1"] == pytest.approx(f1)
    text = CliRunner().invoke(app, ["eval-ner", "--corpus", str(corpus)])
    assert text.exit_code == 0
    assert "micro" in text.output and "PERSON" in text.output


def test_eval_ner_cli_rejects_a_missing_file(tmp_path):
    from bma_news.cli import app

    result = CliRunner().invoke(app, ["eval-ner", "--corpus", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0


def test_training_sequences_never_cut_an_entity_inside_a_token():
    from pipeline.train_ner import training_sequence

    ex = parse_line("ที่[LOCATION]กรุงเทพ[/LOCATION]มหานครมี[PERSON]นายสมชาย ใจดี[/PERSON]เป็นผู้ว่า")
    for as_inference in (False, True):
        words, labels = training_sequence(ex, as_inference=as_inference)
        assert "".join(words) == ex.text
        spans = decode(words, labels)
        assert spans == [(s, e, label) for s, e, label in ex.spans]


def test_word_cache_is_bounded_and_results_survive_a_reset(monkeypatch):
    from pipeline import viterbi
    from pipeline.ner import CrfTagger

    tagger = CrfTagger(o_penalty=0.0)
    words = segment("นายสมชาย ใจดี เดินทางไปประชุมที่กระทรวงมหาดไทย")
    before = tagger.tag(words)
    monkeypatch.setattr(viterbi, "MAX_CACHED_WORDS", 3)
    assert tagger.tag(words) == before  # the cache is dropped and rebuilt
    assert tagger._compiled._used_rows <= 1 + len(set(words))
