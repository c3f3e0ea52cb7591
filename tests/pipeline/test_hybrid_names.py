"""The hybrid's handling of names inside CRF spans (places in surnames, bare heads)."""

from __future__ import annotations

import pytest

from pipeline.entities import extract_entities
from pipeline.tokenise import segment


def _people_and_places(text: str, person: str) -> list[tuple[str, str]]:
    start = text.index(person)
    crf = [(start, start + len(person), "PERSON")]
    ents = extract_entities(text, segment(text), crf)
    return [(e.text, e.label) for e in ents if e.label in ("PERSON", "LOC")]


@pytest.mark.parametrize(
    "person",
    ["นายเดชาภิวัฒน์ ณ สงขลา", "นายอโณทัย ไทยวรรณศรี", "นายธวัชชัย ไทยเขียว"],
)
def test_a_place_inside_a_surname_does_not_split_the_person(person):
    text = f"{person} กล่าวว่า การประชุมจะจัดขึ้นในสัปดาห์หน้า"
    assert _people_and_places(text, person) == [(person, "PERSON")]


def test_a_place_after_a_name_is_still_a_place():
    text = "นายสมชาย ใจดี เดินทางไปจังหวัดสงขลา เมื่อวานนี้"
    found = _people_and_places(text, "นายสมชาย ใจดี")
    assert ("นายสมชาย ใจดี", "PERSON") in found
    assert any(label == "LOC" and "สงขลา" in t for t, label in found)


def test_a_bare_head_before_a_known_name_keeps_the_whole_organization():
    text = "เจ้าหน้าที่สำนักงาน กกต. ตรวจสอบบัตรเลือกตั้ง"
    start = text.index("สำนักงาน กกต.")
    crf = [(start, start + len("สำนักงาน กกต."), "ORGANIZATION")]
    orgs = [e.text for e in extract_entities(text, segment(text), crf) if e.label == "ORG"]
    assert orgs == ["สำนักงาน กกต."]
