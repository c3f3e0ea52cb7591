"""The example BMA release (written by hand per ../shared/ANNOTATION.md) is extracted exactly."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pipeline"


def test_bma_release_1_is_extracted_exactly(enrich_one):
    body = (FIXTURES / "bma_release_1.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "bma_release_1.json").read_text(encoding="utf-8"))
    out = enrich_one(body, title="กทม.จับมือดีป้า")
    assert out["entities"] == expected["entities"]
    assert out["officials"] == expected["officials"]


def test_bma_release_1_officials_read_as_the_conventions_say(enrich_one):
    body = (FIXTURES / "bma_release_1.txt").read_text(encoding="utf-8")
    officials = {(o["name"], o["position"]) for o in enrich_one(body)["officials"]}
    assert officials == {
        ("ชาตรี วัฒนเขจร", "รองปลัดกรุงเทพมหานคร"),
        ("ศิริพร ใจงาม", "ผู้อำนวยการเขตบางเขน"),
        ("สมชาย รักษ์น้ำ", "รองผู้อำนวยการสำนักการระบายน้ำ"),
        ("วิทยา บาริศรี", ""),  # byline: a person without a position
    }


def test_bma_dev_set_officials(enrich_one):
    """The hand-annotated BMA-style dev set (docs/annotation.md) comes out exactly."""
    lines = (FIXTURES / "dev_bma.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        item = json.loads(line)
        assert enrich_one(item["body"])["officials"] == item["officials"], item["id"]
