from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalise import normalise


def test_clean_text_is_returned_unchanged_with_identity_map():
    text = "นายชาตรี วัฒนเขจร รองปลัดกรุงเทพมหานคร"
    norm = normalise(text)
    assert norm.text == text
    assert norm.to_original(3, 8) == (3, 8)


def test_decomposed_sara_am_is_composed_and_maps_back():
    text = "น\u0e4d\u0e32ท่วม"  # น + nikhahit + sara aa
    norm = normalise(text)
    assert norm.text == "น\u0e33ท่วม"
    start, end = norm.to_original(0, 2)  # "นำ"
    assert text[start:end] == "น\u0e4d\u0e32"


def test_decomposed_sara_am_with_tone_mark_puts_tone_first():
    assert normalise("น\u0e4d\u0e49\u0e32").text == "น\u0e49\u0e33"  # น้ำ
    assert normalise("น\u0e33\u0e49").text == "น\u0e49\u0e33"  # tone typed after sara am


def test_doubled_and_misordered_marks_are_repaired():
    assert normalise("ที\u0e48\u0e48").text == "ที่"  # tone mark typed twice
    assert normalise("ท\u0e48\u0e35").text == "ที่"  # tone mark before the upper vowel


def test_zero_width_characters_are_removed_and_offsets_skip_them():
    text = "กรุง\u200bเทพ\ufeffมหานคร"
    norm = normalise(text)
    assert norm.text == "กรุงเทพมหานคร"
    start, end = norm.to_original(0, len(norm.text))
    assert (start, end) == (0, len(text))
    s, e = norm.to_original(4, 7)  # "เทพ"
    assert text[s:e].replace("\u200b", "") == "เทพ"


def test_nbsp_and_space_runs_become_one_space():
    norm = normalise("เขต\u00a0บางรัก   กทม.\r\nจบ")
    assert norm.text == "เขต บางรัก กทม.\nจบ"


def test_nfc_is_applied():
    norm = normalise("Cafe\u0301 ไทย")
    assert norm.text == "Caf\u00e9 ไทย"
    assert unicodedata.is_normalized("NFC", norm.text)
    s, e = norm.to_original(0, 4)
    assert "Cafe\u0301 ไทย"[s:e] == "Cafe\u0301"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    list("กขคนมยรลวสหอะาำิีึืุู่้๊๋็์ํเแโใไ ๆฯ.") + ["\u200b", "\u00a0", "\ufeff", "\r\n", "\t",
                                                   "e\u0301", "😀", "\u0e4d\u0e32"]
)).map("".join))
def test_fuzz_offsets_stay_inside_the_original(text):
    norm = normalise(text)
    n = len(norm.text)
    for a in range(0, n + 1, max(1, n // 7 or 1)):
        for b in range(a, n + 1, max(1, n // 5 or 1)):
            s, e = norm.to_original(a, b)
            assert 0 <= s <= e <= len(text)
