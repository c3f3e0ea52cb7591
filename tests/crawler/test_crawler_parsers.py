"""Parsers against hand-built pages: each fixture sits next to its expected record.

`tests/fixtures/<source>/<name>.html` (+ `<name>.url` when the URL matters) is compared
exactly with `<name>.json`; `<name>.post.json` is one REST API post. A fixture whose
expected JSON is {"skip": reason} must be skipped with that reason.
Set BMA_NEWS_REGENERATE_FIXTURES=1 to rewrite the expected files (then review the diff).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsing.article import SkipPage
from crawler.sources import SOURCE_NAMES, get_source
from crawler.sources.pr_bangkok.parser import parse_rest_post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FETCHED_AT = "2024-01-01T00:00:00+07:00"


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for source in SOURCE_NAMES:
        for path in sorted((FIXTURES / source).glob("*.html")) + sorted((FIXTURES / source).glob("*.post.json")):
            cases.append((source, path))
    return cases


def _url(path: Path, source: str) -> str:
    url_file = path.with_name(path.name.split(".")[0] + ".url")
    if url_file.exists():
        return url_file.read_text(encoding="utf-8").strip()
    digits = "".join(ch for ch in path.name.split(".")[0].split("_")[1] if ch.isdigit())
    return f"https://pr-bangkok.com/?p={digits}"


def _parse(source: str, path: Path) -> dict:
    try:
        if path.name.endswith(".post.json"):
            article = parse_rest_post(json.loads(path.read_text(encoding="utf-8")))
        else:
            article = get_source(source).parse(path.read_bytes(), _url(path, source))
    except SkipPage as skipped:
        return {"skip": skipped.reason}
    return article.to_record(FETCHED_AT).model_dump(mode="json")


@pytest.mark.parametrize(("source", "path"), _cases(), ids=lambda v: getattr(v, "name", v))
def test_fixture_parses_to_its_expected_record(source, path):
    expected_path = path.with_name(path.name.split(".")[0] + ".json")
    record = _parse(source, path)
    if os.environ.get("BMA_NEWS_REGENERATE_FIXTURES"):
        expected_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert record == expected


def test_view_counters_stay_out_of_text_and_hash():
    legacy = get_source("prbangkok-legacy")
    folder = FIXTURES / "prbangkok-legacy"
    url = (folder / "custom_2019_utf8.url").read_text(encoding="utf-8").strip()
    before = legacy.parse((folder / "custom_2019_utf8.html").read_bytes(), url)
    after = legacy.parse((folder / "custom_2019_utf8_recount.html").read_bytes(), url)
    assert b"1,204" in (folder / "custom_2019_utf8_recount.html").read_bytes()
    assert before.content_hash == after.content_hash
    assert "เข้าชม" not in before.body and "52" not in before.body.split()


@pytest.mark.parametrize("content_type", ["text/html; charset=TIS-620", "text/html; charset=windows-874", None])
def test_legacy_encodings_decode_the_same(content_type):
    folder = FIXTURES / "prbangkok-legacy"
    url = (folder / "custom_2020_tis620.url").read_text(encoding="utf-8").strip()
    article = get_source("prbangkok-legacy").parse((folder / "custom_2020_tis620.html").read_bytes(), url, content_type)
    assert article.title == "กทม.เปิดสวนสาธารณะแห่งใหม่ เขตหนองจอก"


def test_http_header_wins_over_a_wrong_meta_tag():
    html = '<html><head><meta charset="utf-8"></head><body><div class="news-detail"><h3 class="news-title">ข่าวทดสอบ</h3><p>เนื้อหาภาษาไทย</p></div></body></html>'
    article = get_source("prbangkok-legacy").parse(
        html.encode("cp874"), "https://prbangkok.com/th/hotnews/view/abc", "text/html; charset=tis-620")
    assert article.title == "ข่าวทดสอบ" and article.body == "เนื้อหาภาษาไทย"


def test_undeclared_thai_bytes_are_detected_as_cp874():
    html = '<html><body><div class="news-detail"><h3 class="news-title">ข่าวไม่ระบุรหัสอักขระ</h3><p>ข้อความ</p></div></body></html>'
    article = get_source("prbangkok-legacy").parse(html.encode("cp874"), "https://prbangkok.com/th/hotnews/view/abc")
    assert article.title == "ข่าวไม่ระบุรหัสอักขระ"


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02", b"<html><body></body></html>", b"<<<>>>"])
@pytest.mark.parametrize("source", ["pr-bangkok", "prbangkok-legacy"])
def test_broken_pages_are_skipped_with_a_reason(source, body):
    with pytest.raises(SkipPage) as skipped:
        get_source(source).parse(body, "https://example.org/th/x/view/abc")
    assert skipped.value.reason in {"empty", "broken", "not_article"}


@pytest.mark.parametrize("post", [{}, {"id": "7"}, [], {"id": 7, "title": {"rendered": ""}, "content": {"rendered": " "}},
                                  {"id": 8, "content": {"rendered": "x", "protected": True}}])
def test_broken_rest_posts_are_skipped_with_a_reason(post):
    with pytest.raises(SkipPage) as skipped:
        parse_rest_post(post)
    assert skipped.value.reason in {"broken", "empty", "protected"}


HTML_PIECES = st.sampled_from([
    "<html>", "<body>", "<div class='news-detail'>", "<div class='entry-content'>", "<p>", "</p>",
    "</div>", "<article>", "<h1 class='entry-title'>", "</h1>", "<script>x()</script>",
    "เผยแพร่โดย : สำนักงานเขต | 9 กันยายน 2562 | จำนวนเข้าชม 5 ครั้ง", "ข่าว", "&amp;", "&#8211;",
    "<meta charset='tis-620'>", "<meta property='article:published_time' content='2024-13-45'>",
    "<link rel='shortlink' href='?p=12'>", "<img src='x.jpg'>", "<br>", "\x00", "<!--", "]]>",
])


@given(st.one_of(st.binary(max_size=2000),
                 st.lists(HTML_PIECES, max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parsers_never_crash(body):
    for source in SOURCE_NAMES:
        try:
            article = get_source(source).parse(body, "https://prbangkok.com/th/x/view/abc")
        except SkipPage:
            continue
        assert isinstance(article.title, str) and isinstance(article.body, str)


@given(st.dictionaries(st.sampled_from(["id", "title", "content", "date", "date_gmt", "modified",
                                        "link", "_embedded", "categories"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=50),
                                 st.dictionaries(st.sampled_from(["rendered", "protected"]),
                                                 st.one_of(st.text(max_size=50), st.booleans())),
                                 st.lists(st.integers(), max_size=3))))
@settings(max_examples=300, deadline=None)
def test_rest_post_parser_never_crashes(post):
    with contextlib.suppress(SkipPage):
        article = parse_rest_post(post)
        assert isinstance(article.title, str) and isinstance(article.body, str)
