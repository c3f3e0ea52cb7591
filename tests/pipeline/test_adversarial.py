"""Adversarial text finishes in bounded time; entity offsets always round-trip."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.enrich import enrich_records

ADVERSARIAL = {
    "1MB without spaces": "กรุงเทพมหานครสำนักการระบายน้ำ" * 35_000,
    "10k repeated": "ก" * 10_000,
    "10k repeated marks": "\u0e48" * 10_000,
    "emoji and zero-width": "😀\u200b👍🏽\u200dนาย\u200bสมชาย\ufeff ใจดี 🇹🇭" * 500,
    "empty": "",
    "only spaces": " \n\t\u00a0" * 1000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_input_is_bounded_and_round_trips(name):
    body = ADVERSARIAL[name]
    t0 = time.perf_counter()
    out = next(enrich_records([{"id": name, "body": body}])).model_dump(mode="json")
    elapsed = time.perf_counter() - t0
    assert "error" not in out
    assert elapsed < 60
    for e in out["entities"]:
        assert body[e["start"] : e["end"]] == e["text"]
    assert all(len(t) <= 100 for t in out["body_tokens"].split(" "))


_THAI_BITS = ["นาย", "นางสาว", "ชาตรี", " ", "วัฒนเขจร", "รองปลัดกรุงเทพมหานคร", "เขตบางรัก",
              "กทม.", "\u200b", "\u00a0", "\u0e4d\u0e32", "\u0e48\u0e48", "\n", "😀", "5 ธ.ค. 2566",
              "สำนักงานเขต", "ดีป้า", "e\u0301", "\ufeff", "(", ")"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_THAI_BITS), st.text(max_size=5)), max_size=40))
def test_fuzz_enrich_never_crashes_and_offsets_round_trip(parts):
    body = "".join(parts)
    out = next(enrich_records([{"id": "f", "body": body}])).model_dump(mode="json")
    assert "error" not in out
    for e in out["entities"]:
        assert body[e["start"] : e["end"]] == e["text"]
        assert e["text"]
