"""Roles written without a name, resolved to their holder on the release's date."""

from __future__ import annotations

from core.records import Entity
from pipeline.evaluate_bma import GoldEntity, Release, score_document
from pipeline.roles import Tenure, build_timeline, holder, read_timeline, role_mentions

TENURES = [
    Tenure("ผู้ว่าราชการกรุงเทพมหานคร", "สมมติ หนึ่ง", "2019-01-10", "2022-05-20"),
    Tenure("ผู้ว่าราชการกรุงเทพมหานคร", "สมมุติ สอง", "2022-06-02", "2024-12-01"),
    Tenure("ปลัดกรุงเทพมหานคร", "ทดลอง สาม", "2023-11-01", "2024-10-01"),
]


def test_holder_on_a_date():
    assert holder("ผู้ว่าราชการกรุงเทพมหานคร", "2020-03-01", TENURES) == "สมมติ หนึ่ง"
    assert holder("ผู้ว่าราชการกรุงเทพมหานคร", "2023-03-01", TENURES) == "สมมุติ สอง"
    # after the last release seen, the holder stays until a successor appears
    assert holder("ผู้ว่าราชการกรุงเทพมหานคร", "2026-01-01", TENURES) == "สมมุติ สอง"
    assert holder("ผู้ว่าราชการกรุงเทพมหานคร", "2018-01-01", TENURES) is None
    assert holder("ผู้ว่าราชการกรุงเทพมหานคร", None, TENURES) == "สมมุติ สอง"
    assert holder("ประธานสภากรุงเทพมหานคร", "2024-01-01", TENURES) is None


def test_build_timeline_from_officials_merges_misspelt_surnames():
    items = [("2024-02-01", "สมมุติ สอง", "ผู้ว่าราชการกรุงเทพมหานคร"),
             ("2024-05-01", "สมมุติ สองง", "ผู้ว่าราชการกรุงเทพมหานคร"),
             ("2024-09-01", "สมมุติ สอง", "ผว.กทม."),
             ("2024-03-01", "ทดลอง สาม", "รองปลัดกรุงเทพมหานคร"),  # another post
             ("2024-04-01", "ทดลอง สาม", "ปลัดกรุงเทพมหานคร")]
    tenures = build_timeline(items)
    assert tenures == [Tenure("ปลัดกรุงเทพมหานคร", "ทดลอง สาม", "2024-04-01", "2024-04-01"),
                       Tenure("ผู้ว่าราชการกรุงเทพมหานคร", "สมมุติ สอง", "2024-02-01",
                              "2024-09-01")]
    text = "# comment\n" + "\n".join(f"{t.role}\t{t.name}\t{t.first}\t{t.last}" for t in tenures)
    assert read_timeline(text) == tenures


def _org(text: str, surface: str) -> Entity:
    start = text.index(surface)
    return Entity(text=surface, label="ORG", start=start, end=start + len(surface),
                  canonical="กรุงเทพมหานคร")


def test_role_without_a_name_becomes_a_role_mention():
    text = "ที่ประชุมมีมติ โดยผู้ว่าฯ กทม. สั่งการให้ทุกเขตเร่งดำเนินการ"
    out = role_mentions(text, [_org(text, "กทม.")], "2023-05-01", TENURES)
    assert [(e.text, e.label, e.kind, e.canonical) for e in out] == [
        ("ผู้ว่าฯ กทม.", "PERSON", "role", "สมมุติ สอง")]
    assert all(text[e.start : e.end] == e.text for e in out)


def test_a_position_next_to_a_name_or_another_post_is_no_role_mention():
    text = "นายสมมุติ สอง ผู้ว่าราชการกรุงเทพมหานคร และรองผู้ว่าราชการกรุงเทพมหานคร ร่วมงาน"
    person = Entity(text="นายสมมุติ สอง", label="PERSON", start=0, end=13, canonical="สมมุติ สอง")
    assert role_mentions(text, [person], "2023-05-01", TENURES) == [person]


def test_enrich_resolves_a_role_on_the_record_date(enrich_one):
    body = "ผู้ว่าราชการกรุงเทพมหานครมอบนโยบายแก่ผู้อำนวยการเขต"
    roles = [e for e in enrich_one(body, date="2025-06-01")["entities"]
             if e.get("kind") == "role"]
    assert len(roles) == 1 and roles[0]["text"] == "ผู้ว่าราชการกรุงเทพมหานคร"
    assert roles[0]["label"] == "PERSON" and " " in roles[0]["canonical"]
    assert not [e for e in enrich_one(body, date="1990-01-01")["entities"]
                if e.get("kind") == "role"]  # before anyone in the timeline
    assert not [e for e in enrich_one(body)["entities"]
                if e.get("kind") == "role"]  # no date: the holder is not known


def test_the_scorer_leaves_role_mentions_out_of_persons():
    release = Release(id="x", split="dev", date="2025-01-01", title="", text="ผู้ว่าฯ กทม.",
                      gold=(GoldEntity(label="ORG", name="สำนักงานเขตบางรัก"),))
    role = {"text": "ผู้ว่าฯ กทม.", "label": "PERSON", "start": 0, "end": 11,
            "canonical": "สมมุติ สอง", "kind": "role"}
    assert score_document(release, [role], []).counts["PERSON"].fp == 0
    plain = {**role, "kind": None}
    assert score_document(release, [plain], []).counts["PERSON"].fp == 1
