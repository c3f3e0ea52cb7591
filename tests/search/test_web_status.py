"""The status page (`/status`, `/status.json`) over the real node and a landing zone written
by the project's writers; the node unreachable; bad input."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from tests.flows.test_status import closed_port

from .status_data import HOSTILE_TITLE, write_landing_zone


@pytest.fixture
def status_zone(tmp_path):
    return tmp_path / "data", write_landing_zone(tmp_path / "data")


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def status_client(es_client, search_index, status_zone):
    from search.web.app import create_app

    with _client(create_app(client=es_client, index=search_index,
                            data_dir=status_zone[0])) as client:
        yield client


def test_page_shows_runs_with_their_counts_node_and_dead_letters(status_client, status_zone,
                                                                  es_client, search_index):
    runs = status_zone[1]
    response = status_client.get("/status")
    assert response.status_code == 200
    html = response.text
    assert "สถานะระบบ" in html and "Operations status" in html
    new_at, old_at = html.index(runs["new"].run_id), html.index(runs["old"].run_id)
    assert new_at < old_at, "newest run first"
    new_part, old_part = html[new_at:old_at], html[old_at:]
    # fetched is summed over the sources; created/updated only where the run recorded them
    for label, value in (("fetched", "37"), ("new", "3"), ("updated", "1"), ("indexed", "4")):
        assert f'<span lang="en">{label}</span></dt><dd>{value}</dd>' in new_part, label
    assert '<span lang="en">new</span></dt><dd>—</dd>' in old_part
    assert '<span lang="en">updated</span></dt><dd>—</dd>' in old_part
    assert "kept refusing 1 documents" in new_part
    docs = es_client.count(index=search_index)["count"]
    assert f"{docs:,} ข่าวที่ค้นได้" in html and "ทำงาน" in html
    assert "ไม่มีกำหนดการ" in html and "Prefect server not running" in html
    assert html.count("mapper_parsing_exception") == 3, "one kind (counted 2) and 2 letters"
    assert "<script>window" not in html and "onerror" not in html
    assert "&lt;script&gt;window.__pwned" in html, "a title is shown as text"


def test_json_has_the_same_status(status_client, status_zone, search_index):
    status = status_client.get("/status.json").json()
    assert [r["run_id"] for r in status["runs"]] == [status_zone[1]["new"].run_id,
                                                     status_zone[1]["old"].run_id]
    assert status["runs"][0]["counts"] == {"fetched": 37, "created": 3, "updated": 1,
                                           "indexed": 4, "unchanged": 1, "dead_lettered": 1}
    assert status["runs"][1]["counts"]["created"] is None
    assert status["node"]["up"] and status["node"]["alias"] == search_index
    letters = status["dead_letters"]
    assert letters["total"] == 3
    assert [(r["stage"], r["count"]) for r in letters["reasons"]] == [("load", 2), ("read", 1)]
    assert letters["latest"][0]["stage"] == "read", "newest first"
    assert letters["latest"][2]["title"] == HOSTILE_TITLE
    limited = status_client.get("/status.json?runs=1&letters=1").json()
    assert len(limited["runs"]) == 1 and len(limited["dead_letters"]["latest"]) == 1
    assert limited["dead_letters"]["total"] == 3, "every letter is counted"


def test_node_down_is_shown_and_the_page_answers_200(status_zone):
    from search.web.app import create_app

    down = Elasticsearch(f"http://127.0.0.1:{closed_port()}", max_retries=0)
    with _client(create_app(client=down, index="bma-news", data_dir=status_zone[0])) as client:
        response = client.get("/status")
        assert response.status_code == 200
        assert "ไม่ทำงาน" in response.text and "unreachable (ConnectionError)" in response.text
        assert status_zone[1]["new"].run_id in response.text, "the runs still show"
        status = client.get("/status.json").json()
        assert status["node"]["up"] is False and status["dead_letters"]["total"] == 3


@pytest.mark.parametrize("query", ["runs=abc", "runs=-1", "letters=100000", "runs=1e9"])
def test_bad_input_is_a_400_page(status_client, query):
    page = status_client.get(f"/status?{query}")
    assert page.status_code == 400 and "คำขอไม่ถูกต้อง" in page.text
    data = status_client.get(f"/status.json?{query}")
    assert data.status_code == 400 and "error" in data.json()


def test_no_landing_zone_yet_is_an_empty_status(es_client, search_index, tmp_path):
    from search.web.app import create_app

    with _client(create_app(client=es_client, index=search_index,
                            data_dir=tmp_path / "nothing")) as client:
        response = client.get("/status")
    assert response.status_code == 200
    assert "ยังไม่มีการทำงาน" in response.text and "ไม่มีรายการค้าง" in response.text
