from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.limits import MAX_INDEX_TOKEN_CHARS
from pipeline.analysis import analyse, index_text
from pipeline.tokenise import (
    segment,
    sentences,
    tokenise,
)


@pytest.mark.parametrize(
    "name",
    ["รองปลัดกรุงเทพมหานคร", "สำนักการระบายน้ำ", "สำนักงานเขตบางรัก", "เขตบางเขน", "พล.ต.อ.",
     "ผู้ว่าราชการกรุงเทพมหานคร", "กทม."],
)
def test_custom_dictionary_keeps_bma_names_whole(name):
    assert name in segment(f"นายสมชาย ใจดี {name}กล่าวว่า")


def test_tokens_cover_the_text_with_offsets():
    text = "นายชาตรี วัฒนเขจร\nรองปลัดกรุงเทพมหานคร"
    tokens = tokenise(text)
    assert "".join(t.text for t in tokens) == text
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_query_and_document_produce_matching_tokens():
    doc = " " + index_text("น้ำท่วมขังในพื้นที่เขตบางเขน สำนักงานเขตบางเขนเร่งระบายน้ำ") + " "
    for query in ("เขตบางเขน", "บางเขน", "น้ำท่วม", "ระบายน้ำ", "สำนักงานเขตบางเขน"):
        assert f" {analyse(query)} " in doc, query  # the query's tokens, side by side


def test_index_text_is_lower_cased_without_empty_or_whitespace_tokens():
    out = index_text("  BMA  News\u00a0กทม.\n\nTraffy Fondue ")
    assert out == out.lower()
    assert "" not in out.split(" ")
    assert "  " not in out and not out.startswith(" ") and not out.endswith(" ")
    assert "bma" in out.split(" ") and "กทม." in out.split(" ")


def test_index_tokens_are_cut_below_the_lucene_term_limit():
    out = index_text("a" * 50_000 + " " + "ก" * 20_000)
    assert max(len(t) for t in out.split(" ")) <= MAX_INDEX_TOKEN_CHARS
    assert max(len(t.encode()) for t in out.split(" ")) < 32_766


def test_sentences_split_at_newlines_and_bound_length():
    words = segment("หนึ่ง สอง\nสาม สี่")
    spans = sentences(words)
    assert ["".join(words[a:b]) for a, b in spans] == ["หนึ่ง สอง", "สาม สี่"]
    long_words = segment("ก ข " * 2000)
    assert max(b - a for a, b in sentences(long_words)) <= 400


@pytest.mark.parametrize(
    "text",
    ["ก" * 1_000_000, "กา" * 10_000, "ๆ" * 10_000, "😀\u200d" * 5_000, "\u200b" * 10_000, "",
     "a" * 10_000, "ที่" * 10_000],
)
def test_pathological_input_finishes_quickly(text):
    t0 = time.perf_counter()
    words = segment(text)
    index_text(text)
    assert "".join(words) == text
    assert time.perf_counter() - t0 < 10


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz_segment_never_loses_characters(text):
    assert "".join(segment(text)) == text
    assert "" not in index_text(text).split(" ") or index_text(text) == ""


def test_brackets_and_quotes_are_their_own_tokens():
    assert segment("(สพฐ.) “หัวเว่ย”") == ["(", "สพฐ.", ")", " ", "“", "หัว", "เว่ย", "”"]


def test_compounds_that_swallow_a_place_or_organization_are_split():
    assert segment("คนไทย") == ["คน", "ไทย"]
    assert segment("ในประเทศ")[0] == "ใน"
    assert "กระทรวงมหาดไทย" in segment("ปลัดกระทรวงมหาดไทย")
