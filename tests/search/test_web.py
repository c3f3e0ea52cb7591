"""The web app over HTTP (no browser): pages, filters, errors, export, safety headers."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from urllib.parse import quote

import pytest

from .releases import DEPUTY, GOVERNOR, PERMANENT_SECRETARY


def titles_on(page: str) -> list[str]:
    return re.findall(r'<article class="hit">\s*<h2><a [^>]*>(.*?)</a></h2>', page, re.S)


def plain(markup: str) -> str:
    return re.sub(r"</?mark>", "", markup)


def test_search_page_shows_highlighted_results(web_client, releases):
    page = web_client.get("/", params={"q": "น้ำท่วม"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    expected = {releases["flood-bangkhen"].title, releases["deputy-clerk-2023"].title}
    assert {plain(t) for t in titles_on(page.text)} == expected
    assert "<mark>น้ำท่วม</mark>" in page.text
    assert 'name="viewport"' in page.text and '<html lang="th">' in page.text
    assert "16 ต.ค. 2566" in page.text and "16 Oct 2023" in page.text


def test_facet_filter_and_entity_links(web_client, releases):
    page = web_client.get("/", params={"q": "น้ำท่วม"}).text
    link = re.search(r'href="(/\?[^"]*place=[^"]*)">บางเขน', page)
    assert link, "the place facet links to a narrower search"
    narrowed = web_client.get(link.group(1).replace("&amp;", "&")).text
    assert [plain(t) for t in titles_on(narrowed)] == [releases["flood-bangkhen"].title]
    assert "/entity?type=PERSON&amp;name=" + quote(GOVERNOR).replace("%20", "+") in narrowed


def test_user_html_is_escaped(web_client):
    page = web_client.get("/", params={"q": "ประกาศทดสอบความปลอดภัย"}).text
    assert "&lt;script&gt;window.__pwned" in page
    assert "<script>window" not in page and "<img src=x" not in page
    assert "<b>ทดสอบ</b>" not in page and "&lt;b&gt;" in page
    reflected = web_client.get("/", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)</script>" not in reflected
    assert len(re.findall(r"<script\b", page)) == 1, "only our own static script"


@pytest.mark.parametrize(("params", "message"), [
    ({"q": "a" * 10_000}, "the limit is 500"),
    ({"q": "น้ำ", "from": "2566-10-16x"}, "not a date like 2023-10-16"),
    ({"q": "น้ำ", "size": "100000"}, "size must be between 1 and 100"),
    ({"q": "น้ำ", "page": "-1"}, "page must be between"),
    ({"q": "*:* () ~"}, "no words to search for"),
])
def test_bad_input_is_a_400_page_with_a_message(bare_web_client, params, message):
    page = bare_web_client.get("/", params=params)
    assert page.status_code == 400
    assert message in page.text and "Traceback" not in page.text


def test_lucene_syntax_is_searched_as_text(web_client, releases):
    for query in ('title:(ชัชชาติ) AND body:น้ำ*', "น้ำท่วม OR {!lucene}", "\\ / [a TO z] ^2"):
        page = web_client.get("/", params={"q": query})
        assert page.status_code == 200, query
        words = [w.lower() for w in re.findall(r"[^\W_]+", query)]
        shown = titles_on(page.text)
        for release in releases.values():  # every hit shown has one of the words in it
            if plain(release.title) in shown:
                text = (release.title + release.body).lower()
                assert any(w in text for w in words), (query, release.title)
    page = web_client.get("/", params={"q": "/.*/ {!lucene} [qqq TO www]"})
    assert "พบ 0 รายการ" in page.text, "no release has these words"


def test_entity_page(web_client):
    page = web_client.get("/entity", params={"type": "PERSON", "name": PERMANENT_SECRETARY})
    assert page.status_code == 200
    assert f'<h1 class="entity-name">{PERMANENT_SECRETARY}</h1>' in page.text
    positions = re.findall(r"<tr><td>([^<]+)</td>", page.text)
    assert positions[:2] == ["รองปลัดกรุงเทพมหานคร", "ปลัดกรุงเทพมหานคร"]
    assert page.text.count('class="bar"') == 7, "one bar a month, Aug 2023 to Feb 2024"
    governor = web_client.get("/entity", params={"type": "PERSON", "name": GOVERNOR}).text
    assert re.search(rf">{DEPUTY} <span class=\"count\">1</span>", governor)
    assert web_client.get("/entity", params={"type": "THING", "name": "x"}).status_code == 400


def test_exports_match_the_search(web_client):
    query = {"q": "", "place": "ดินแดง", "sort": "date"}
    exported = web_client.get("/export.json", params=query)
    assert exported.status_code == 200 and "attachment" in exported.headers[
        "content-disposition"]
    answer = json.loads(exported.text)
    rows = list(csv.DictReader(io.StringIO(
        web_client.get("/export.csv", params=query).text.lstrip("\ufeff"))))
    assert answer["total"] == len(answer["hits"]) == len(rows) == 2
    assert [r["id"] for r in rows] == [h["id"] for h in answer["hits"]]
    assert all("ดินแดง" in r["places"] for r in rows)
    assert rows[0]["published_at"] > rows[1]["published_at"]
    too_long = web_client.get("/export.json", params={"q": "a" * 600})
    assert too_long.status_code == 400 and "limit is 500" in too_long.json()["error"]


def test_health_and_missing_index(es_client, web_client):
    assert web_client.get("/healthz").json()["status"] == "ok"
    from fastapi.testclient import TestClient

    from search.web.app import create_app

    missing = f"bma-news-test-missing-{uuid.uuid4().hex[:8]}"
    with TestClient(create_app(client=es_client, index=missing)) as client:
        page = client.get("/", params={"q": "น้ำท่วม"})
        assert page.status_code == 503
        assert f"no index &#39;{missing}&#39; yet" in page.text
        assert client.get("/healthz").json()["index_exists"] is False
