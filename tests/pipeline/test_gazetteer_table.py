"""The gazetteer's table of first tokens, built with one tokeniser call at start-up."""

from __future__ import annotations

from pipeline.gazetteer import _table, first_tokens
from pipeline.tokenise import segment


def test_first_tokens_in_one_call_are_those_of_each_surface_alone():
    entries, first = _table()
    alone = frozenset(words[0] for words in map(segment, entries) if words)
    assert first == alone
    assert len(first) > 500  # the real table: provinces, districts, agencies


def test_first_tokens_of_surfaces_with_spaces_and_empty_ones():
    surfaces = ["สำนักวัฒนธรรม กีฬาและการท่องเที่ยว", "", " เขตบางรัก", "กทม."]
    assert first_tokens(surfaces) == frozenset(
        words[0] for words in map(segment, surfaces) if words)
