"""The search evaluation: metrics against worked examples, baselines, the query reading."""

from __future__ import annotations

import math

import pytest

from pipeline.analysis import analyse
from search.baselines import Bm25Search, WordPressSearch
from search.evaluate import DEFAULT_COLLECTION, KINDS, Collection, ndcg_at, recall_at
from search.understand import MAX_CONCEPTS, understand


def test_ndcg_and_recall_match_hand_computed_values():
    judged = {"a": 2, "b": 1, "c": 0, "d": 2}
    # ranking c, a, b: DCG = 0/log2(2) + 2/log2(3) + 1/log2(4); ideal = 2, 2, 1
    dcg = 2 / math.log2(3) + 1 / 2
    ideal = 2 + 2 / math.log2(3) + 1 / 2
    assert ndcg_at(["c", "a", "b"], judged) == pytest.approx(dcg / ideal)
    assert ndcg_at(["a", "d", "b"], judged) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], judged) == 0.0 and ndcg_at(["a"], {"a": 0}) == 0.0
    assert recall_at(["a", "c", "x"], judged) == pytest.approx(1 / 3)
    assert ndcg_at(["c", "a", "b"], judged, k=1) == 0.0


def test_wordpress_search_wants_every_term_and_orders_titles_first():
    docs = [{"id": "old-title", "title": "น้ำท่วม บางเขน", "body": "", "published_at": "2024-01-01"},
            {"id": "new-body", "title": "ข่าว", "body": "น้ำท่วมที่บางเขน", "published_at": "2024-05-01"},
            {"id": "one-term", "title": "น้ำท่วม", "body": "", "published_at": "2024-06-01"},
            {"id": "new-title", "title": "บางเขน น้ำท่วมหนัก", "body": "", "published_at": "2024-03-01"}]
    wp = WordPressSearch(docs)
    assert wp.search("น้ำท่วม บางเขน") == ["old-title", "new-title", "new-body"]
    assert wp.search("น้ำท่วม") == ["one-term", "new-title", "old-title", "new-body"]
    assert wp.search("   ") == []


def test_bm25_ranks_the_rarer_term_and_the_shorter_document_first():
    docs = [{"id": "long", "title": "", "body": "ประชุม " * 50 + "ฝุ่น"},
            {"id": "short", "title": "", "body": "ประชุม ฝุ่น"},
            {"id": "none", "title": "", "body": "ประชุม"}]
    assert Bm25Search(docs).search("ฝุ่น") == ["short", "long"]


def test_the_collection_is_complete_and_judged():
    collection = Collection.load(DEFAULT_COLLECTION)
    ids = {d["id"] for d in collection.docs}
    assert len(ids) == len(collection.docs) >= 1000
    for subset in ("dev", "holdout"):
        queries = [q for q in collection.queries if q.set == subset]
        assert {q.kind for q in queries} == set(KINDS)
    assert len(collection.queries) >= 60
    for query in collection.queries:
        judged = collection.qrels[query.qid]
        assert set(judged) <= ids and any(g > 0 for g in judged.values()), query
        assert set(judged.values()) <= {0, 1, 2}


def test_query_concepts():
    district = understand("น้ำท่วม บางเขน")
    assert [c.kind for c in district] == ["variant", "place"]
    assert district[1].entities["places"] == "บางเขน"
    abbreviation = understand("สนน.")[0]
    assert abbreviation.entities == {"organizations": "สำนักการระบายน้ำ"}
    assert "สำนักการระบายน้ำ" in abbreviation.needles
    governor = understand("ผู้ว่าฯ กทม.")
    assert len(governor) == 1 and "ผู้ว่าราชการกรุงเทพมหานคร" in governor[0].needles
    # each way of writing Bangkok after the position, though the lexicon lists only some
    for spelling in ("ผู้ว่าราชการกรุงเทพฯ", "ผู้ว่าราชการ กทม.", "ผู้ว่าฯ กรุงเทพฯ"):
        assert analyse(spelling) in [f.analysed for f in governor[0].forms], spelling
        assert [c.text for c in understand(spelling)] == [spelling]
        assert understand(spelling)[0].kind == "variant"
    assert "สภากรุงเทพฯ" in understand("สภา กทม.")[0].needles, "agency names too"
    year = understand("สงกรานต์ ๒๕๖๗")[-1]
    assert year.kind == "year" and [f.text for f in year.forms] == ["2567", "2024"]
    name = understand("สุริยะ จึงรุ่งเรืองกิจ")
    assert [c.text for c in name] == ["สุริยะ", "จึงรุ่งเรืองกิจ"], "a stopword inside a name stays"
    assert [c.text for c in understand("การ และ")] == ["การ", "และ"], "stopwords alone are kept"
    pasted = understand(" ".join(f"คำ{n}ทดสอบ" for n in range(20)))
    assert len(pasted) == MAX_CONCEPTS
