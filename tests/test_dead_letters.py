"""Dead letters as `core.landing.DeadLetter` writes them, found by id or a unique start of
one, and counted by kind of reason."""

from __future__ import annotations

from collections import Counter

import pytest

from core.dead_letters import LetterNotFound, find, iter_dead_letters, summarize
from core.landing import Landing


@pytest.fixture
def letters(tmp_path):
    writer = Landing(tmp_path).dead_letters()
    for n in range(17):  # 17 ids: two of them share a first hex digit
        writer.write({"id": f"id-{n}", "body": "x" * n},
                     f"body has {n} characters (limit 2000000)", "enrich")
    return list(iter_dead_letters(tmp_path))


def test_an_id_or_its_unique_start_finds_one(tmp_path, letters):
    entry = letters[3]
    assert [e.record_id for e in find(tmp_path, [entry.id])] == ["id-3"]
    start = next(entry.id[:n] for n in range(1, 13)
                 if sum(e.id.startswith(entry.id[:n]) for e in letters) == 1)
    assert find(tmp_path, [start.upper()]) == [entry]


def test_a_shared_start_or_an_unknown_id_is_refused(tmp_path, letters):
    shared = Counter(e.id[0] for e in letters).most_common(1)[0][0]
    with pytest.raises(LetterNotFound, match="starts several"):
        find(tmp_path, [shared])
    with pytest.raises(LetterNotFound, match="no dead letter with id zzzz"):
        find(tmp_path, ["zzzz", letters[0].id])


def test_one_kind_of_reason_is_counted_once(letters):
    summary = summarize(letters, latest=5)
    assert summary.total == 17
    assert [(r.stage, r.reason, r.count) for r in summary.reasons] == [
        ("enrich", "body has N characters (limit N)", 17)]
    assert [e.record_id for e in summary.latest] == [f"id-{n}" for n in range(16, 11, -1)]
