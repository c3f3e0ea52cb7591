"""Hand-built BMA-style enriched records, and how they are indexed.

Entities and officials are filled by hand; the token fields come from the real
`pipeline.analysis.index_text`, exactly as the pipeline builds them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from core.records import PressReleaseDoc

GOVERNOR = "ชัชชาติ สิทธิพันธุ์"
DEPUTY = "ศานนท์ หวังสร้างบุญ"
PERMANENT_SECRETARY = "จักกพันธุ์ ผิวงาม"
DISTRICT_DIRECTOR = "สมชาย ใจดี"
DRAINAGE = "สำนักการระบายน้ำ"
EDUCATION = "สำนักการศึกษา"
ENVIRONMENT = "สำนักสิ่งแวดล้อม"
BANGKHEN_OFFICE = "สำนักงานเขตบางเขน"
SCRIPT_BODY = ("ประกาศทดสอบความปลอดภัย <script>window.__pwned = 1; alert('xss')</script>\n"
               "รูปภาพ <img src=x onerror=\"window.__pwned = 2\"> และลิงก์ "
               "<a href=\"javascript:alert(1)\">คลิก</a> ต้องแสดงเป็นข้อความเท่านั้น")


@dataclass
class Release:
    key: str
    title: str
    body: str
    published_at: str
    entities: list[tuple[str, str, str]]  # (text in body, label, canonical)
    officials: list[dict] = field(default_factory=list)
    categories: list[str] = field(default_factory=lambda: ["ข่าวกรุงเทพมหานคร"])
    source: str = "pr-bangkok"

    @property
    def id(self) -> str:
        return hashlib.sha1(self.url.encode()).hexdigest()

    @property
    def url(self) -> str:
        return f"https://www.prbangkok.com/th/post/view/{self.key}"

    def names(self, label: str) -> list[str]:
        return list(dict.fromkeys(c for _, lab, c in self.entities if lab == label))


def official(name: str, title: str, position: str, organization: str) -> dict:
    return {"name": name, "title": title, "position": position, "organization": organization}


RELEASES = [
    Release(
        "flood-bangkhen", "ผู้ว่าฯ ชัชชาติ เร่งระบายน้ำท่วมเขตบางเขน",
        "วันที่ 16 ตุลาคม 2566 นายชัชชาติ สิทธิพันธุ์ ผู้ว่าราชการกรุงเทพมหานคร "
        "ลงพื้นที่ตรวจสอบการระบายน้ำท่วมขังบริเวณถนนพหลโยธิน เขตบางเขน\n"
        "โดยมีสำนักการระบายน้ำเร่งติดตั้งเครื่องสูบน้ำเพิ่มเติม 12 เครื่อง",
        "2023-10-16T09:30:00+07:00",
        [("ชัชชาติ สิทธิพันธุ์", "PERSON", GOVERNOR), ("บางเขน", "LOC", "บางเขน"),
         ("สำนักการระบายน้ำ", "ORG", DRAINAGE)],
        [official(GOVERNOR, "นาย", "ผู้ว่าราชการกรุงเทพมหานคร", "กรุงเทพมหานคร")],
    ),
    Release(
        "school-dindaeng", "รองผู้ว่าฯ ศานนท์ ตรวจเยี่ยมโรงเรียนสังกัดกทม. เขตดินแดง",
        "นายศานนท์ หวังสร้างบุญ รองผู้ว่าราชการกรุงเทพมหานคร พร้อมด้วยผู้แทนสำนักการศึกษา "
        "ตรวจเยี่ยมโรงเรียนในเขตดินแดง และติดตามโครงการอาหารกลางวันตามนโยบายของผู้ว่าฯ ชัชชาติ",
        "2023-11-02T10:00:00+07:00",
        [("ศานนท์ หวังสร้างบุญ", "PERSON", DEPUTY), ("สำนักการศึกษา", "ORG", EDUCATION),
         ("ดินแดง", "LOC", "ดินแดง")],
        [official(DEPUTY, "นาย", "รองผู้ว่าราชการกรุงเทพมหานคร", "กรุงเทพมหานคร")],
    ),
    Release(
        "market-bangkhen", "เขตบางเขนจัดตลาดนัดชุมชนส่งเสริมสินค้าท้องถิ่น",
        "นายสมชาย ใจดี ผู้อำนวยการเขตบางเขน เปิดตลาดนัดชุมชนหน้าสำนักงานเขตบางเขน "
        "ทุกวันศุกร์ เพื่อส่งเสริมรายได้ของผู้ค้าในพื้นที่",
        "2024-01-10T08:00:00+07:00",
        [("สมชาย ใจดี", "PERSON", DISTRICT_DIRECTOR), ("บางเขน", "LOC", "บางเขน"),
         ("สำนักงานเขตบางเขน", "ORG", BANGKHEN_OFFICE)],
        [official(DISTRICT_DIRECTOR, "นาย", "ผู้อำนวยการเขตบางเขน", BANGKHEN_OFFICE)],
        categories=["ข่าวเขต"],
    ),
    Release(
        "pm25-dindaeng", "กทม. รับมือฝุ่น PM2.5 เข้มงวดตรวจควันดำ",
        "นายชัชชาติ สิทธิพันธุ์ ผู้ว่าราชการกรุงเทพมหานคร และนายศานนท์ หวังสร้างบุญ "
        "รองผู้ว่าราชการกรุงเทพมหานคร สั่งการให้สำนักสิ่งแวดล้อมตรวจวัดค่าฝุ่น PM2.5 "
        "ในเขตดินแดง พร้อมตั้งจุดตรวจควันดำรถโดยสาร",
        "2024-01-20T14:00:00+07:00",
        [("ชัชชาติ สิทธิพันธุ์", "PERSON", GOVERNOR), ("ศานนท์ หวังสร้างบุญ", "PERSON", DEPUTY),
         ("สำนักสิ่งแวดล้อม", "ORG", ENVIRONMENT), ("ดินแดง", "LOC", "ดินแดง")],
        [official(GOVERNOR, "นาย", "ผู้ว่าราชการกรุงเทพมหานคร", "กรุงเทพมหานคร"),
         official(DEPUTY, "นาย", "รองผู้ว่าราชการกรุงเทพมหานคร", "กรุงเทพมหานคร")],
    ),
    Release(
        "deputy-clerk-2023", "รองปลัดกรุงเทพมหานครประชุมเตรียมความพร้อมรับมือน้ำท่วม",
        "นายจักกพันธุ์ ผิวงาม รองปลัดกรุงเทพมหานคร เป็นประธานการประชุมร่วมกับสำนักการระบายน้ำ "
        "เพื่อเตรียมความพร้อมรับมือน้ำท่วมในฤดูฝน",
        "2023-08-05T11:00:00+07:00",
        [("จักกพันธุ์ ผิวงาม", "PERSON", PERMANENT_SECRETARY),
         ("สำนักการระบายน้ำ", "ORG", DRAINAGE)],
        [official(PERMANENT_SECRETARY, "นาย", "รองปลัดกรุงเทพมหานคร", "กรุงเทพมหานคร")],
        source="prbangkok-legacy",
    ),
    Release(
        "clerk-2024", "ปลัดกรุงเทพมหานครมอบนโยบายผู้อำนวยการเขต",
        "นายจักกพันธุ์ ผิวงาม ปลัดกรุงเทพมหานคร มอบนโยบายแก่ผู้อำนวยการเขตทั้ง 50 เขต "
        "ณ ศาลาว่าการกรุงเทพมหานคร",
        "2024-02-01T09:00:00+07:00",
        [("จักกพันธุ์ ผิวงาม", "PERSON", PERMANENT_SECRETARY)],
        [official(PERMANENT_SECRETARY, "นาย", "ปลัดกรุงเทพมหานคร", "กรุงเทพมหานคร")],
    ),
    Release(
        # every word of the governor's name, but never the name itself
        "tree-planting", "ผู้ว่าฯ ชัชชาติ ชวนปลูกต้นไม้ล้านต้น",
        "ผู้ว่าฯ ชัชชาติ ย้ำประชาชนทุกคนมีสิทธิ เข้าร่วมโครงการปลูกต้นไม้ล้านต้น "
        "โดยแจกกล้าไม้หลากหลายพันธุ์ฟรีที่สวนสาธารณะ ผู้ว่าฯ ชัชชาติ ขอบคุณทุกภาคส่วน",
        "2024-03-03T10:00:00+07:00",
        [("ชัชชาติ", "PERSON", "ชัชชาติ")],
    ),
    Release(
        "script-notice", "ประกาศ <b>ทดสอบ</b> ระบบ", SCRIPT_BODY,
        "2024-02-05T16:00:00+07:00", [], [], categories=["ประกาศ"],
    ),
]


def enriched(release: Release) -> dict:
    from pipeline.analysis import index_text

    entities = []
    for text, label, canonical in release.entities:
        start = release.body.index(text)
        entities.append({"text": text, "label": label, "start": start,
                         "end": start + len(text), "canonical": canonical})
    return {
        "id": release.id, "url": release.url, "canonical_url": release.url,
        "source": release.source, "source_id": release.key, "title": release.title,
        "published_at": release.published_at, "modified_at": release.published_at,
        "published_raw": release.published_at[:10], "categories": release.categories,
        "tags": [], "body": release.body, "body_html": f"<p>{release.body}</p>",
        "images": [], "language": "th",
        "content_hash": hashlib.sha256((release.title + release.body).encode()).hexdigest(),
        "fetched_at": release.published_at, "entities": entities,
        "officials": release.officials, "title_tokens": index_text(release.title),
        "body_tokens": index_text(release.body), "enrichment_version": "test",
    }


def index_releases(client, alias: str, releases: list[Release]) -> None:
    from index_mappings import ensure_index

    ensure_index(client, alias)
    operations: list[dict] = []
    for release in releases:
        operations += [{"index": {"_index": alias, "_id": release.id}},
                       PressReleaseDoc.from_enriched(enriched(release)).to_source()]
    answer = client.bulk(operations=operations, refresh="wait_for")
    assert not answer["errors"], answer
