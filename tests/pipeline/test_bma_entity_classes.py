"""The error classes of issue 12 (evals/ner-bma/ERRORS.md), each on examples written here
(invented people, real agencies and districts), through the real `enrich`."""

from __future__ import annotations

import pytest

from pipeline.entities import is_generic
from pipeline.gazetteer import GazetteerEntry, Match, bangkok_reading


def _ents(enrich_one, body: str) -> list[dict]:
    return enrich_one(body)["entities"]


def _by_label(ents: list[dict], label: str) -> dict[str, dict]:
    return {e["text"]: e for e in ents if e["label"] == label}


def _officials(enrich_one, body: str) -> dict[str, str]:
    return {o["name"]: o.get("position") or "" for o in enrich_one(body)["officials"]}


def _round_trips(body: str, ents: list[dict]) -> bool:
    return all(body[e["start"] : e["end"]] == e["text"] for e in ents)


# --- 1. กรุงเทพมหานคร as a place or as the administration ---------------------------


@pytest.mark.parametrize(
    "body",
    [
        "ณ วัดไตรมิตรวิทยาราม ถนนมิตรภาพไทย-จีน เขตสัมพันธวงศ์ กรุงเทพมหานคร",
        "ที่ศูนย์ราชการ (อาคาร B) กรุงเทพฯ",
        "ณ อาคารสำนักงาน เลขที่ 99 ถนนประชาราษฎร์บำเพ็ญ 12 กทม.",
        "รถเมล์สายใหม่วิ่งระหว่างกรุงเทพมหานคร และจังหวัดนนทบุรี",
        "ฝุ่นสูงในเขตกรุงเทพมหานครและปริมณฑล",
    ],
)
def test_bangkok_in_an_address_is_the_province(enrich_one, body):
    ents = _ents(enrich_one, body)
    bangkok = [e for e in ents if e["canonical"] == "กรุงเทพมหานคร"]
    assert bangkok and all(e["label"] == "LOC" and e["kind"] == "province" for e in bangkok)
    assert _round_trips(body, ents)


@pytest.mark.parametrize(
    "body",
    [
        "กทม. จับมือการไฟฟ้านครหลวงนำสายไฟลงดิน",
        "สำนักการโยธา ร่วมกับ กรุงเทพมหานคร ซ่อมผิวจราจร",
        "นโยบายของ กทม. ด้านการจัดการขยะ",
    ],
)
def test_bangkok_acting_is_the_organization(enrich_one, body):
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert any(e["canonical"] == "กรุงเทพมหานคร" for e in orgs.values())


@pytest.mark.parametrize(
    "body",
    [
        "ประชุม ณ ห้องประชุมกรุงเทพมหานคร 2 ชั้น 5",
        "ตามแคมเปญ \"กรุงเทพฯ ปลอดฝุ่น ทุกคนช่วยกัน\" ของเขต",
        "รองผู้ว่าฯ กทม. ตรวจคลองแสนแสบ",
    ],
)
def test_bangkok_inside_another_name_or_a_role_is_neither(enrich_one, body):
    ents = _ents(enrich_one, body)
    assert not [e for e in ents if e["canonical"] == "กรุงเทพมหานคร"]


def test_bangkok_reading_after_a_district_match():
    text = "ตลาดน้ำ เขตตลิ่งชัน กรุงเทพมหานคร"
    start = text.index("กรุงเทพมหานคร")
    district = Match(text.index("เขต"), text.index(" กรุง"),
                     GazetteerEntry("LOC", "ตลิ่งชัน", "district", "1019"))
    assert bangkok_reading(text, start, len(text), district) == "LOC"
    assert bangkok_reading("ร่วมกับ กรุงเทพมหานคร", 8, 21, None) == "ORG"


# --- 2. generic words, district offices, PR bylines, police, schools, hospitals ------


def test_generic_district_office_resolves_to_the_release_district(enrich_one):
    body = ("สำนักงานเขตบางพลัดเปิดจุดรับแจ้งเหตุน้ำท่วม\n"
            "ประชาชนแจ้งปัญหาได้ที่สำนักงานเขตฯ ตลอด 24 ชั่วโมง")
    orgs = [e for e in _ents(enrich_one, body) if e["label"] == "ORG"]
    generic = [e for e in orgs if e["text"] == "สำนักงานเขตฯ"]
    assert generic and generic[0]["canonical"] == "สำนักงานเขตบางพลัด"


def test_generic_words_without_a_referent_are_dropped(enrich_one):
    body = ("ผู้อำนวยการเขตทั้ง 50 เขต ประชุมร่วมกัน โดยให้สำนักงานเขตทั้ง 50 เขต รายงานผล"
            " และ ปชส. แจ้งว่า มูลนิธิฯ จะช่วยเหลือ")
    texts = {e["text"] for e in _ents(enrich_one, body) if e["label"] == "ORG"}
    assert not {t for t in texts if is_generic(t) or t.startswith("สำนักงานเขตทั้ง")}


@pytest.mark.parametrize(
    ("body", "surface", "canonical"),
    [
        ("ทีมงาน สนง.เขตบึงกุ่ม ลงพื้นที่", "สนง.เขตบึงกุ่ม", "สำนักงานเขตบึงกุ่ม"),
        ("เจ้าหน้าที่สำนักงานเขต ราชเทวี ตรวจร้านอาหาร", "สำนักงานเขต ราชเทวี",
         "สำนักงานเขตราชเทวี"),
        ("ข่าว : ปชส.เขตดินแดง", "ปชส.เขตดินแดง", "ปชส.เขตดินแดง"),
        ("ประสาน สน.ห้วยขวาง ดูแลการจราจร", "สน.ห้วยขวาง", "สถานีตำรวจนครบาลห้วยขวาง"),
        ("นักเรียน รร.วัดสระเกศ ร่วมงาน", "รร.วัดสระเกศ", "โรงเรียนวัดสระเกศ"),
        ("ผู้ป่วยส่งต่อ รพ.ตากสิน ทันที", "รพ.ตากสิน", "โรงพยาบาลตากสิน"),
        ("ผู้ป่วยส่งต่อโรงพยาบาลเจริญกรุงประชารักษ์ทันที", "โรงพยาบาลเจริญกรุงประชารักษ์",
         "โรงพยาบาลเจริญกรุงประชารักษ์"),
        ("ที่ประชุมสภากรุงเทพมหานครมีมติ", "สภากรุงเทพมหานคร", "สภากรุงเทพมหานคร"),
    ],
)
def test_formulaic_organizations(enrich_one, body, surface, canonical):
    ents = _ents(enrich_one, body)
    orgs = _by_label(ents, "ORG")
    assert surface in orgs, orgs
    assert orgs[surface]["canonical"] == canonical
    assert _round_trips(body, ents)


def test_a_school_named_as_the_venue_is_still_the_organization(enrich_one):
    ents = _ents(enrich_one, "จัดอบรมครู ณ โรงเรียนวัดสุทธิวราราม เขตสาทร")
    school = [e for e in ents if e["text"].startswith("โรงเรียน")]
    assert school and all(e["label"] == "ORG" for e in school)


def test_district_inside_an_office_name_is_not_a_place(enrich_one):
    locs = _by_label(_ents(enrich_one, "ทีมงาน สนง.เขตบึงกุ่ม และ ปชส.เขตดินแดง"), "LOC")
    assert not locs


# --- 3. numbered and parenthesised names kept whole --------------------------------


@pytest.mark.parametrize(
    ("body", "surface", "canonical"),
    [
        ("ตรวจสุขภาพฟรีที่ศูนย์บริการสาธารณสุข 17 ประชาธิปก ทุกวัน",
         "ศูนย์บริการสาธารณสุข 17 ประชาธิปก", "ศูนย์บริการสาธารณสุข 17 ประชาธิปก"),
        ("ฉีดวัคซีนที่ ศบส.9 ประชาธิปไตย", "ศบส.9 ประชาธิปไตย",
         "ศูนย์บริการสาธารณสุข 9 ประชาธิปไตย"),
        ("นักเรียนโรงเรียนวัดหัวลำโพง (สุวรรณประสิทธิ์) ร่วมกิจกรรม",
         "โรงเรียนวัดหัวลำโพง (สุวรรณประสิทธิ์)", "โรงเรียนวัดหัวลำโพง (สุวรรณประสิทธิ์)"),
        ("ตรวจโรงเรียนวัดบางนาใน (แสงศรีราษฎร์บำรุง) สังกัดกรุงเทพมหานคร",
         "โรงเรียนวัดบางนาใน (แสงศรีราษฎร์บำรุง)", "โรงเรียนวัดบางนาใน (แสงศรีราษฎร์บำรุง)"),
        ("กำลังพลจากกรมทหารราบที่ 1 รักษาพระองค์ ช่วยขุดลอกคลอง",
         "กรมทหารราบที่ 1 รักษาพระองค์", "กรมทหารราบที่ 1 รักษาพระองค์"),
    ],
)
def test_numbered_and_parenthesised_names_stay_whole(enrich_one, body, surface, canonical):
    ents = _ents(enrich_one, body)
    orgs = _by_label(ents, "ORG")
    assert surface in orgs, orgs
    assert orgs[surface]["canonical"] == canonical
    assert not [e for e in ents if e["label"] == "PERSON"]  # the bracketed name is no person


# --- 4. ไทย as an adjective, foreign cities, rooms and floors ------------------------


def test_thai_as_an_adjective_is_not_a_place(enrich_one):
    body = "สอนมวยไทยและอาหารไทยให้นักเรียน #เที่ยวไทยปลอดภัย"
    assert not _by_label(_ents(enrich_one, body), "LOC")


def test_thailand_as_the_country_is_a_place(enrich_one):
    body = "งานแสดงสินค้าครั้งแรกในไทย จัดที่ประเทศไทย"
    locs = [e for e in _ents(enrich_one, body) if e["label"] == "LOC"]
    assert locs and all(e["canonical"] == "ไทย" for e in locs)


@pytest.mark.parametrize(("body", "country"), [
    ("กทม. ส่งทีมแพทย์ช่วยญี่ปุ่นหลังแผ่นดินไหว", "ญี่ปุ่น"),       # a verb's object
    ("ผู้ว่าฯ หารือรัฐบาลเกาหลีใต้เรื่องรถไฟฟ้า", "เกาหลีใต้"),      # its government
    ("นักท่องเที่ยวแห่มาเที่ยวไทยช่วงปีใหม่", "ไทย"),                # where one travels
])
def test_a_country_glued_after_a_verb_or_its_government_is_a_place(enrich_one, body, country):
    locs = [e["canonical"] for e in _ents(enrich_one, body) if e["label"] == "LOC"]
    assert country in locs, locs


def test_a_country_after_a_people_or_goods_noun_or_in_a_slogan_is_not(enrich_one):
    body = "แรงงานกัมพูชาและอาหารญี่ปุ่นในงาน “ก้าวไกลไทย” ของเขต"
    locs = [e["canonical"] for e in _ents(enrich_one, body) if e["label"] == "LOC"]
    assert not {"กัมพูชา", "ญี่ปุ่น", "ไทย"} & set(locs), locs


@pytest.mark.parametrize(
    ("body", "canonical"),
    [
        ("คณะผู้บริหารเดินทางดูงานที่กรุงลอนดอน สหราชอาณาจักร", "ลอนดอน"),
        ("ลงนามความร่วมมือกับนครโยโกฮามา", "โยโกฮามา"),
        ("แลกเปลี่ยนนักเรียนกับเมืองฟุกุโอกะ", "ฟุกุโอกะ"),
    ],
)
def test_foreign_cities_are_administrative_places(enrich_one, body, canonical):
    locs = [e for e in _ents(enrich_one, body) if e["label"] == "LOC"]
    city = [e for e in locs if e["canonical"] == canonical]
    assert city and city[0]["kind"] == "city"


def test_rooms_and_floors_are_not_places(enrich_one):
    body = "ประชุม ณ ห้องประชุมพิกุล ชั้น 7 อาคารสำนักงาน และห้องจามจุรี 2"
    locs = _by_label(_ents(enrich_one, body), "LOC")
    assert not [t for t in locs if t.startswith(("ห้อง", "ชั้น"))]


# --- 5. positions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name", "position"),
    [
        ("นายสมบัติ ทองมา ที่ปรึกษารัฐมนตรีว่าการกระทรวงมหาดไทย กล่าวว่า", "สมบัติ ทองมา",
         "ที่ปรึกษารัฐมนตรีว่าการกระทรวงมหาดไทย"),
        ("นางสาววรรณา ใจเย็น ผู้เชี่ยวชาญด้านการคลัง เปิดเผยว่า", "วรรณา ใจเย็น",
         "ผู้เชี่ยวชาญด้านการคลัง"),
        ("นายธีรพงษ์ สายบุญ วิศวกรไฟฟ้าชำนาญการ ตรวจระบบ", "ธีรพงษ์ สายบุญ",
         "วิศวกรไฟฟ้าชำนาญการ"),
        ("พ.ต.อ.อนุชา ศรีสวัสดิ์ ผกก.สน.บางเขน กล่าวว่า", "อนุชา ศรีสวัสดิ์",
         "ผกก.สน.บางเขน"),
        ("นายประเสริฐ ดีมาก รัฐมนตรีว่าการกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ กล่าว",
         "ประเสริฐ ดีมาก", "รัฐมนตรีว่าการกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"),
        ("นางพรทิพย์ รุ่งเรือง รองนายกรัฐมนตรีและรัฐมนตรีว่าการกระทรวงพาณิชย์ เปิดงาน",
         "พรทิพย์ รุ่งเรือง", "รองนายกรัฐมนตรีและรัฐมนตรีว่าการกระทรวงพาณิชย์"),
        ("นายวิชัย แก้วใส ผู้อำนวยการศูนย์บริการสาธารณสุข 31 เอิบ โอสถานนท์ กล่าว",
         "วิชัย แก้วใส", "ผู้อำนวยการศูนย์บริการสาธารณสุข 31 เอิบ"),
    ],
)
def test_positions_as_written(enrich_one, body, name, position):
    assert _officials(enrich_one, body).get(name) == position


def test_full_position_in_the_body_wins_over_the_headline_short_form(enrich_one):
    body = ("ปลัดฯ สุนทร ตรวจโครงการ\n"
            "นายสุนทร มีสุข ปลัดกระทรวงคมนาคม ลงพื้นที่ตรวจความคืบหน้า")
    assert _officials(enrich_one, body)["สุนทร มีสุข"] == "ปลัดกระทรวงคมนาคม"


def test_unit_named_in_a_position_is_an_organization(enrich_one):
    body = "นายอำนาจ ศรีสุข ประธานคณะกรรมการชุมชนริมคลองเปรมประชากร กล่าวว่า"
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert "คณะกรรมการชุมชนริมคลองเปรมประชากร" in orgs


def test_spaced_military_title_comes_off_the_name(enrich_one):
    persons = [e for e in _ents(enrich_one, "พลเรือเอก สมหมาย ทะเลงาม เป็นประธาน")
               if e["label"] == "PERSON"]
    assert [p["canonical"] for p in persons] == ["สมหมาย ทะเลงาม"]


def test_a_district_glued_inside_a_facility_name_is_not_a_place(enrich_one):
    ents = _ents(enrich_one, "ผู้ค้าในตลาดบางกะปิ ย้ายไปสวนหนองจอก ชั่วคราว")
    assert not [e for e in ents if e["label"] == "LOC" and e.get("kind") == "district"]


def test_a_province_that_is_an_everyday_word_needs_its_prefix(enrich_one):
    assert not _by_label(_ents(enrich_one, "ไม่มีปัญหาเลย ทุกคนพอใจ"), "LOC")
    locs = _by_label(_ents(enrich_one, "ผู้ว่าราชการจังหวัดเลย มาร่วมงานที่จังหวัดเลย"), "LOC")
    assert locs and all(e["canonical"] == "เลย" for e in locs.values())


def test_an_abbreviated_head_before_a_generic_word_is_no_name():
    from pipeline.rules import rule_matches
    from pipeline.tokenise import segment

    text = "ส่งยาให้ รพ.ทั่วประเทศ และ รร.สังกัดกรุงเทพมหานคร โทร สน. 1599"
    assert rule_matches(text, segment(text)) == []
    named = "ส่งยาให้ รพ.สิรินธร ทันที"
    assert [m.entry.canonical for m in rule_matches(named, segment(named))] == ["โรงพยาบาลสิรินธร"]


# --- surnames that begin like a verb; members' titles; the meeting of a body ----------


@pytest.mark.parametrize(
    ("body", "name", "position"),
    [
        # a public-domain thaigov release of 2024-10-06
        ("เมื่อวันที่ 4 ตุลาคม 2567 นายเอกนัฏ พร้อมพันธุ์ รัฐมนตรีว่าการกระทรวงอุตสาหกรรม "
         "พร้อมด้วยนายณัฐพล รังสิตพล ปลัดกระทรวงอุตสาหกรรม", "เอกนัฏ พร้อมพันธุ์",
         "รัฐมนตรีว่าการกระทรวงอุตสาหกรรม"),
        ("วันนี้ นางสาวดวงใจ พร้อมเพรียง ผู้อำนวยการเขตดินแดง เปิดงาน", "ดวงใจ พร้อมเพรียง",
         "ผู้อำนวยการเขตดินแดง"),
    ],
)
def test_a_surname_that_begins_like_a_verb(enrich_one, body, name, position):
    assert _officials(enrich_one, body).get(name) == position


@pytest.mark.parametrize(
    "body",
    ["นายสมหวัง ร่วมกับ ผู้อำนวยการเขตบางรัก ลงพื้นที่ตรวจตลาด",
     "นายสมหวัง ดำรงตำแหน่ง ผู้อำนวยการเขตบางรัก มาสองปี"],
)
def test_a_verb_after_a_name_is_not_a_surname(enrich_one, body):
    assert "สมหวัง" in _officials(enrich_one, body)  # the given name alone


def test_a_council_member_title_before_a_name_is_a_person(enrich_one):
    body = ("โดยมีนายธวัชชัย สุขสมบูรณ์ สมาชิกสภากรุงเทพมหานครเขตบึงกุ่ม เป็นประธานกรรมการ "
            "ส.ก.ธวัชชัย กล่าวว่า จะศึกษาตัวอย่างจากเมืองไทเป")
    ents = _ents(enrich_one, body)
    assert not [e for e in ents if e["label"] == "ORG" and "ธวัชชัย" in e["text"]]
    people = [e for e in ents if e["label"] == "PERSON"]
    assert len(people) == 2 and {e["canonical"] for e in people} == {"ธวัชชัย สุขสมบูรณ์"}
    assert _round_trips(body, ents)


def test_the_meeting_of_a_known_body_is_the_body(enrich_one):
    body = "ที่ประชุมสภา กทม. มีมติตั้งคณะกรรมการวิสามัญศึกษาปัญหาหาบเร่"
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert orgs.get("สภา กทม.", {}).get("canonical") == "สภากรุงเทพมหานคร", orgs


def test_a_committee_keeps_its_whole_name(enrich_one):
    name = "คณะกรรมการวิสามัญพิจารณาศึกษาแนวทางการพัฒนาคลองในพื้นที่กรุงเทพมหานคร"
    body = f"สภากรุงเทพมหานครมีมติตั้ง{name} จำนวน 15 คน"
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert name in orgs, orgs


@pytest.mark.parametrize(
    ("body", "not_a_committee"),
    [("คณะกรรมการพิจารณาแล้วเห็นว่าควรดำเนินการต่อ", "คณะกรรมการพิจารณา"),
     ("สำนักงานคณะกรรมการพัฒนาระบบราชการ (ก.พ.ร.) แจ้งว่า", "คณะกรรมการพัฒนาระบบราชการ")],
)
def test_a_committee_and_its_verb_or_office(enrich_one, body, not_a_committee):
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert not [t for t in orgs if t.startswith(not_a_committee)], orgs


# --- abbreviations the releases define (pipeline/data/abbreviations.tsv) ----------------


def test_a_defined_abbreviation_of_an_organization_is_that_organization(enrich_one):
    body = "ทั้งนี้ ธ.ก.ส. และ กนอ. ได้ร่วมลงนามความร่วมมือเมื่อวันที่ 5 ก.พ. 2567"
    orgs = _by_label(_ents(enrich_one, body), "ORG")
    assert orgs["ธ.ก.ส."]["canonical"] == "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร"
    assert orgs["กนอ."]["canonical"] == "การนิคมอุตสาหกรรมแห่งประเทศไทย"
    assert "ก.พ." not in orgs, "a month (or a unit) is never the body it also abbreviates"
    assert _round_trips(body, _ents(enrich_one, body))
