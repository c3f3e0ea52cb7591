from __future__ import annotations

import pytest

from pipeline.entities import classify_place, split_title
from pipeline.officials import extract_officials


@pytest.mark.parametrize(
    ("mention", "title", "name"),
    [
        ("นายชาตรี วัฒนเขจร", "นาย", "ชาตรี วัฒนเขจร"),
        ("น.ส.ศิริพร ใจงาม", "น.ส.", "ศิริพร ใจงาม"),
        ("พล.ต.อ.สมชาย ใจดี", "พล.ต.อ.", "สมชาย ใจดี"),
        ("ศ.ดร.นพ.สมศักดิ์ ดีงาม", "ศ.ดร.นพ.", "สมศักดิ์ ดีงาม"),
        ("ม.ร.ว.สุขุมพันธุ์ บริพัตร", "ม.ร.ว.", "สุขุมพันธุ์ บริพัตร"),
        ("วิทยา บาริศรี", "", "วิทยา บาริศรี"),
    ],
)
def test_split_title(mention, title, name):
    assert split_title(mention) == (title, name)


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("เขตบางรัก", ("บางรัก", "district", "1004")),
        ("แขวงอนุสาวรีย์", ("อนุสาวรีย์", "subdistrict", "100502")),
        ("จังหวัดนนทบุรี", ("นนทบุรี", "province", "12")),
        ("จ.เชียงใหม่", ("เชียงใหม่", "province", "50")),
        ("กทม.", ("กรุงเทพมหานคร", "province", "10")),
        ("ประเทศญี่ปุ่น", ("ญี่ปุ่น", "country", None)),
        ("สนามหลวง", ("สนามหลวง", "facility", None)),
    ],
)
def test_classify_place(mention, expected):
    assert classify_place(mention) == expected


def _entities(enrich_one, body):
    return enrich_one(body)["entities"]


def test_abbreviations_link_to_full_names(enrich_one):
    body = "กทม.จับมือดีป้า และ depa ร่วมกับ สนน. ลอกท่อระบายน้ำ"
    found = {e["text"]: e["canonical"] for e in _entities(enrich_one, body) if e["label"] == "ORG"}
    assert found["กทม."] == "กรุงเทพมหานคร"
    assert found["ดีป้า"] == "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"
    assert found["depa"] == "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"
    assert found["สนน."] == "สำนักการระบายน้ำ"


def test_district_office_is_an_org_and_district_alone_a_place(enrich_one):
    ents = _entities(enrich_one, "สำนักงานเขตสาทรแจ้งว่า ถนนในเขตสาทรปิดซ่อม")
    labels = {(e["text"], e["label"]) for e in ents}
    assert ("สำนักงานเขตสาทร", "ORG") in labels
    assert ("เขตสาทร", "LOC") in labels
    loc = next(e for e in ents if e["text"] == "เขตสาทร")
    assert loc["code"] == "1028" and loc["kind"] == "district"


def test_jurisdiction_inside_a_position_is_not_listed(enrich_one):
    ents = _entities(enrich_one, "นางสาวศิริพร ใจงาม ผู้อำนวยการเขตบางรัก ตรวจพื้นที่")
    assert not any(e["label"] == "LOC" for e in ents)


def test_offsets_point_into_the_original_body(enrich_one):
    body = "นาย\u200bชาตรี วัฒนเขจร\u00a0รองปลัดกรุงเทพมหานคร ตรวจเขตบางรัก น\u0e4d\u0e32ท่วม"
    out = enrich_one(body)
    assert out["entities"]
    for e in out["entities"]:
        assert body[e["start"] : e["end"]] == e["text"]


def test_dates_resolve_to_iso(enrich_one):
    ents = _entities(enrich_one, "วันที่ 5 ธ.ค. 2566 และ 31 กุมภาพันธ์ 2567")
    dates = [e for e in ents if e["label"] == "DATE"]
    assert [d["canonical"] for d in dates] == ["2023-12-05"]


def test_officials_with_and_without_space_and_position_before_name(nlp):
    text = ("นายชาตรี วัฒนเขจรรองปลัดกรุงเทพมหานคร และนายสมชาย รักษ์น้ำ ผู้อำนวยการสำนักเทศกิจ "
            "ร่วมกับผู้อำนวยการเขตบางรัก นางสาวศิริพร ใจงาม")
    doc = nlp(text)
    officials = {o.name: o for o in doc.user_data["officials"]}
    assert officials["ชาตรี วัฒนเขจร"].position == "รองปลัดกรุงเทพมหานคร"
    assert officials["ชาตรี วัฒนเขจร"].organization == "กรุงเทพมหานคร"
    assert officials["สมชาย รักษ์น้ำ"].position == "ผู้อำนวยการสำนักเทศกิจ"
    assert officials["สมชาย รักษ์น้ำ"].organization == "สำนักเทศกิจ"
    assert officials["ศิริพร ใจงาม"].position == "ผู้อำนวยการเขตบางรัก"
    assert officials["ศิริพร ใจงาม"].organization == "สำนักงานเขตบางรัก"


def test_trailing_affiliation_is_the_organization_not_the_position(nlp):
    doc = nlp("นายสมชาย รักษ์น้ำ ผู้อำนวยการใหญ่ ดีป้า กล่าวว่า")
    official = doc.user_data["officials"][0]
    assert official.position == "ผู้อำนวยการใหญ่"
    assert official.organization == "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"


def test_extract_officials_is_a_plain_function():
    from core.records import Entity

    text = "นายก ข รองผว.กทม. กล่าว"
    person = Entity(text="นายก ข", label="PERSON", start=0, end=6, canonical="ก ข")
    assert extract_officials(text, [person])[0].position == "รองผว.กทม."


def test_a_position_after_one_name_is_not_given_to_the_next(nlp):
    doc = nlp("โดยมีนายอรรษิษฐ์ สัมพันธรัตน์ อธิบดีกรมการปกครอง พลตำรวจเอก ธนา ชูวงศ์ "
              "รองผู้บัญชาการตำรวจแห่งชาติ และนางสาวศิริพร ใจงาม ร่วมประชุม")
    officials = {o.name: o for o in doc.user_data["officials"]}
    assert officials["อรรษิษฐ์ สัมพันธรัตน์"].position == "อธิบดีกรมการปกครอง"
    assert officials["อรรษิษฐ์ สัมพันธรัตน์"].organization == "กรมการปกครอง"
    assert officials["ธนา ชูวงศ์"].title == "พลตำรวจเอก"
    assert officials["ธนา ชูวงศ์"].position == "รองผู้บัญชาการตำรวจแห่งชาติ"
    assert officials["ศิริพร ใจงาม"].position == ""


def test_non_names_are_not_entities(enrich_one):
    ents = enrich_one("ติดต่อ (ภายใน 112/38) ตามเขตแนวรถไฟ")["entities"]
    assert all(any(ch.isalpha() for ch in e["text"]) for e in ents)
    assert not any(e.get("kind") == "district" for e in ents)


def test_given_name_after_an_abbreviated_position_is_a_person(nlp):
    doc = nlp("ผู้ว่าฯ ชัชชาติ ลงพื้นที่เขตจตุจักร")
    persons = [e for e in doc.user_data["entities"] if e.label == "PERSON"]
    assert [(p.text, p.canonical) for p in persons] == [("ชัชชาติ", "ชัชชาติ")]
    assert doc.user_data["officials"][0].position == "ผู้ว่าฯ"
