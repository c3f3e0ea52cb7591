"""Abbreviations learned from how releases define them (pipeline/abbreviations.py), and the
query expansion and typed-form ranking that use them."""

from __future__ import annotations

import pytest

from pipeline.abbreviations import learned, long_form, mine
from search.params import SearchParams
from search.query import search
from search.understand import understand


@pytest.mark.parametrize(("before", "short", "expected"), [
    # the shortest long form whose words carry the abbreviation's consonants in order
    ("ทั้งนี้ ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร", "ธ.ก.ส.",
     "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร"),
    # a generic head the abbreviation leaves out belongs to the name, not a person before it
    ("นางสาวศุภมาส อิศรภักดี รัฐมนตรีว่าการกระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม",
     "อว.", "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม"),
    ("โดยมีผู้แทนจากกระทรวงสาธารณสุข", "สธ.", "กระทรวงสาธารณสุข"),
    ("ประธานการประชุมคณะกรรมการนโยบายพลังงานแห่งชาติ", "กพช.",
     "คณะกรรมการนโยบายพลังงานแห่งชาติ"),
    ("ร่วมกับสำนักงานหลักประกันสุขภาพแห่งชาติ", "สปสช.", "สำนักงานหลักประกันสุขภาพแห่งชาติ"),
    # letters that do not occur in order: no definition
    ("ร่วมกับสำนักงานหลักประกันสุขภาพแห่งชาติ", "กฟน.", None),
])
def test_long_form_of_a_bracketed_abbreviation(before, short, expected):
    assert long_form(before, short) == expected


def test_a_pair_is_kept_only_when_the_corpus_agrees_on_it():
    texts = ["การประปานครหลวง (กปน.) แจ้งว่า", "ทั้งนี้ การประปานครหลวง (กปน.) จะ",
             "นายสมชาย ใจดี (สจด.) กล่าว",  # once only: dropped
             "สำนักงานพัฒนาชุมชน (สพช.) และ", "สำนักงานพัฒนาชุมชน (สพช.) ได้",
             "สถาบันพิพิธภัณฑ์ชาติ (สพช.) กับ", "สถาบันพิพิธภัณฑ์ชาติ (สพช.) ว่า",
             "สภาพัฒนาชุมชน (สพช.) ร่วมกับ"]  # 2 of 5 definitions: no majority, dropped
    pairs = {p.short: (p.long, p.count) for p in mine(texts)}
    assert pairs == {"กปน.": ("การประปานครหลวง", 2)}


def test_the_committed_table_agrees_with_the_hand_written_registry():
    """Where both know an abbreviation, the mined long form is mostly the registry's name
    (measured: 52 of 58 agencies; the rest are other bodies sharing the abbreviation)."""
    from pipeline.lexicon import lexicon

    mined = {p.short: p.long.replace(" ", "") for p in learned()}
    assert len(mined) > 300
    agencies = {a.name: a for a in lexicon().agencies.values()}.values()
    both = [(alias, a.name.replace(" ", "")) for a in agencies for alias in a.aliases
            if alias in mined]
    agree = sum(mined[alias] == name for alias, name in both)
    assert len(both) >= 40 and agree / len(both) >= 0.85


def test_a_mined_abbreviation_expands_the_query_both_ways():
    [concept] = understand("ธ.ก.ส.")
    assert "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร" in [f.text for f in concept.forms]
    [concept] = understand("ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร")
    assert "ธ.ก.ส." in [f.text for f in concept.forms]


def test_an_abbreviation_finds_the_releases_writing_the_name_in_full_below_its_own(
        es_client, es_alias):
    from .releases import Release, index_releases

    full = Release("full", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตรพักหนี้เกษตรกร",
                   "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตรประกาศพักชำระหนี้ให้เกษตรกร",
                   "2024-05-01T09:00:00+07:00", [])
    short = Release("short", "ธ.ก.ส. พักหนี้เกษตรกร", "ธ.ก.ส. ประกาศพักชำระหนี้ให้เกษตรกร",
                    "2024-05-01T09:00:00+07:00", [])
    other = Release("other", "เกษตรกรพักหนี้", "สหกรณ์ประกาศพักชำระหนี้ให้เกษตรกร",
                    "2024-05-01T09:00:00+07:00", [])
    index_releases(es_client, es_alias, [full, short, other])
    result = search(es_client, es_alias, SearchParams.build("ธ.ก.ส."))
    assert [h.id for h in result.hits] == [short.id, full.id], \
        "both forms found, the one written as typed first, the unrelated release not at all"
