"""Watches end to end: a watch is created, the real nightly flow crawls a release that
matches it, the run summary and its Prefect artifact count it, and the watch's Atom feed
(read through the web app by feedparser) carries it; a run with nothing new adds nothing."""

from __future__ import annotations

import re
from datetime import datetime

import feedparser
from fastapi.testclient import TestClient

from flows.nightly import nightly
from search.watches import add_watch
from search.web.app import create_app
from search.web.watches import release_entry_id
from tests.flows.conftest import make_posts, prefect_artifacts

DUST_POST = {"title": "กทม. คุมเข้มฝุ่น PM2.5 ตรวจควันดำรถโดยสาร",
             "content": "<p>สำนักสิ่งแวดล้อม กทม. ตั้งจุดตรวจควันดำ ลดฝุ่นละอองในเขตดินแดง</p>"}


def _feed(es_client, alias: str, watch_id: str):
    with TestClient(create_app(client=es_client, index=alias),
                    raise_server_exceptions=False) as web:
        response = web.get(f"/watch/{watch_id}.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_a_nightly_run_adds_a_matching_release_to_the_watch_feed(
        prefect_harness, es_client, wp_site, flow_env):
    site, url = wp_site
    alias = flow_env["index"]
    first = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert first["indexed"] == 12 and first["watch_matches"] == {}

    dust = add_watch(es_client, alias, "ฝุ่นควันดำ", "ฝุ่น ควันดำ")
    flood = add_watch(es_client, alias, "น้ำท่วม", "น้ำท่วม")
    assert _feed(es_client, alias, dust.id).entries == []

    site.add_post(make_posts(1, start_id=3000, days_back=1)[0] | DUST_POST)
    site.update_post(1004, content="<p>สำนักการระบายน้ำแก้ไขข่าว น้ำท่วมขังลดลงแล้ว</p>")
    second = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert second["indexed"] == 2 and second["reconciles"]
    # the 11 flood releases loaded before the watch existed are not this run's news
    assert second["watch_matches"] == {"ฝุ่นควันดำ": 1, "น้ำท่วม": 1}
    artifact = prefect_artifacts("bma-news-nightly")[0]
    assert second["run_id"] in artifact
    assert "| watch matches | น้ำท่วม 1, ฝุ่นควันดำ 1 |" in artifact  # by name

    doc = es_client.search(index=alias, query={"term": {"source_id": "3000"}})["hits"]["hits"][0]
    feed = _feed(es_client, alias, dust.id)
    [entry] = feed.entries
    assert entry.id == release_entry_id(doc["_id"])
    assert entry.title == DUST_POST["title"]
    assert entry.link == doc["_source"]["url"]
    assert re.search(r"\+07:00$", entry.published) and re.search(r"\+07:00$", entry.updated)
    assert datetime.fromisoformat(entry.published) == datetime.fromisoformat(
        doc["_source"]["published_at"])
    assert "ฝุ่นละออง" in entry.summary
    edited = es_client.search(index=alias, query={"term": {"source_id": "1004"}})
    assert [e.id for e in _feed(es_client, alias, flood.id).entries] == [
        release_entry_id(edited["hits"]["hits"][0]["_id"])]

    third = nightly(sources=["pr-bangkok"], base_url=url, crawl_retries=0, **flow_env)
    assert third["indexed"] == 0
    assert third["watch_matches"] == {"ฝุ่นควันดำ": 0, "น้ำท่วม": 0}
    again = _feed(es_client, alias, dust.id)
    assert [(e.id, e.updated) for e in again.entries] == [(entry.id, entry.updated)], \
        "no duplicate entry, nothing re-dated"
