"""The one analysis of documents and queries (pipeline.analysis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis import analyse, fold, sub_words
from pipeline.lexicon import lexicon


def contains(doc: str, query: str) -> bool:
    return f" {analyse(query)} " in f" {analyse(doc)} "


@pytest.mark.parametrize("district", sorted(lexicon().bangkok_districts))
def test_every_district_typed_alone_meets_the_district_and_its_office(district):
    """The class the issue found (บางซื่อ typed alone split differently from เขตบางซื่อ):
    all 50 districts, as a query, sit side by side inside each way a release names them."""
    for doc in (f"ลงพื้นที่เขต{district} วันนี้", f"สำนักงานเขต{district}แจ้งว่า",
                f"ผู้อำนวยการเขต{district} กล่าว"):
        assert contains(doc, district), (district, doc, analyse(doc), analyse(district))
        assert contains(doc, f"เขต{district}"), (district, doc)


@pytest.mark.parametrize("agency", sorted({a.name for a in lexicon().agencies.values()
                                           if " " not in a.name}))
def test_agency_names_meet_their_words_typed_alone(agency):
    doc = f"เจ้าหน้าที่{agency}ลงพื้นที่"
    assert contains(doc, agency)
    parts = sub_words(agency)
    if len(parts) > 1:  # the compound's tail typed alone (ระบายน้ำ, สิ่งแวดล้อม) finds it
        assert contains(doc, "".join(parts[1:])), (agency, parts)


def test_thai_digits_case_and_emphasis_fold_on_both_sides():
    assert analyse("ปี ๒๕๖๗") == analyse("ปี 2567")
    assert analyse("BMA Traffy") == analyse("bma traffy")
    assert analyse("ดีมากกกก") == analyse("ดีมาก")
    for word in ("ระบบบริการ", "สื่อออนไลน์", "ถนนนิคม"):  # three in a row is spelling
        assert "".join(analyse(word).split()) == word
    assert fold("๑๒๓") == "123" and fold("กก") == "กก"  # a doubled letter is spelling


def test_abbreviations_stay_whole():
    assert sub_words("สนน.") == ("สนน.",)
    assert analyse("ผู้ว่าฯ กทม.").split() == ["ผู้ว่าฯ", "กทม."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="กขคงเขตบางซื่อน้ำท่วมสำนักงาน ๑๒3. ", max_size=60))
def test_analysis_never_loses_a_letter_of_a_thai_word(text):
    out = analyse(text)
    assert "" not in out.split(" ") or out == ""
    folded = "".join(text.split())
    # every analysed letter comes from the text, in order (folding only drops repeats)
    it = iter(fold(folded))
    assert all(ch in it for ch in "".join(out.split()) if ch.isalpha()) or "ๆ" in text


def test_words_inside_a_compound_count_once_per_occurrence_after_the_text():
    """A release that writes การเลือกตั้ง three times weighs เลือกตั้ง as three mentions
    (BM25 sees its term frequency), and the text's own terms keep their positions."""
    from pipeline.analysis import index_text, inner_words

    assert "เลือกตั้ง" in inner_words("การเลือกตั้ง")
    once = index_text("การเลือกตั้ง").split()
    thrice = index_text("การเลือกตั้ง ผลการเลือกตั้ง และการเลือกตั้ง").split()
    assert once[0] == "การเลือกตั้ง" and once.count("เลือกตั้ง") == 1
    assert thrice.count("เลือกตั้ง") == thrice.count("การเลือกตั้ง") == 3
    text_terms = analyse("การเลือกตั้ง ผลการเลือกตั้ง และการเลือกตั้ง").split()
    assert thrice[: len(text_terms)] == text_terms, "inner words only after the text"


def test_numbers_joined_at_their_separators_keep_the_inner_words_in_order():
    """Thousands are joined (10 , 000 -> 10000) and the words inside compounds still follow
    the text, in its order, once per occurrence."""
    from pipeline.analysis import index_terms, inner_words
    from pipeline.tokenise import segment

    words = segment("น้ำประปา 10,000 ลิตร การเลือกตั้ง น้ำประปา")
    terms = index_terms(words, inner=True)
    text_terms = index_terms(words)
    assert "10000" in text_terms and "," not in text_terms
    inside = [w for t in text_terms for w in inner_words(t)]
    assert inside.count("ประปา") == 2 and "เลือกตั้ง" in inside
    assert terms == text_terms + inside
