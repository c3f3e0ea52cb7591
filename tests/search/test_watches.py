"""Watches against the real node: stored, validated, matched against a run's ids only,
recorded once, and served as a list page and an Atom feed a real feed parser reads."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime

import feedparser
import pytest

from core.records import PressReleaseDoc
from search.params import SearchInputError
from search.watches import (
    WatchNotFound,
    add_watch,
    evaluate_watches,
    get_watch,
    list_watches,
    matches_of,
    remove_watch,
    watch_id,
)
from search.web.watches import release_entry_id, watch_feed_id

from .releases import DRAINAGE, RELEASES, enriched
from .test_cli import run

BANGKOK_OFFSET = re.compile(r"\+07:00$")


def _ids(releases, *keys: str) -> list[str]:
    return [releases[k].id for k in keys]


def test_add_list_remove_and_the_errors(es_client, search_index):
    watch = add_watch(es_client, search_index, "  น้ำท่วม   บางเขน ", "น้ำท่วม",
                      places=["บางเขน"])
    assert watch.name == "น้ำท่วม บางเขน" and watch.id == watch_id("น้ำท่วม บางเขน")
    assert BANGKOK_OFFSET.search(watch.created_at)
    assert [w.name for w in list_watches(es_client, search_index)] == ["น้ำท่วม บางเขน"]
    assert get_watch(es_client, search_index, watch.id) == watch
    with pytest.raises(SearchInputError, match="exists already"):
        add_watch(es_client, search_index, "น้ำท่วม บางเขน", "ฝุ่น")
    for query in ("!!! ???", "น้ำ" * 300, ""):
        with pytest.raises(SearchInputError):
            add_watch(es_client, search_index, f"bad {uuid.uuid4().hex}", query)
    with pytest.raises(SearchInputError, match="name"):
        add_watch(es_client, search_index, "   ", "ฝุ่น")
    assert len(list_watches(es_client, search_index)) == 1, "nothing stored on bad input"
    assert remove_watch(es_client, search_index, "น้ำท่วม บางเขน").id == watch.id
    assert list_watches(es_client, search_index) == []
    with pytest.raises(WatchNotFound):
        remove_watch(es_client, search_index, "น้ำท่วม บางเขน")


def test_watch_cli_bad_input_is_one_line_and_exit_2(search_index):
    done = run("watch", "add", "ฝุ่นเปล่า", "!!! ???", index=search_index)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no words to search for" in done.stderr
    assert "Traceback" not in done.stderr
    done = run("watch", "remove", "ไม่มีชื่อนี้", index=search_index)
    assert done.returncode == 2 and done.stderr.startswith("error: no watch named")
    done = run("watch", "add", "ระบายน้ำ", "น้ำท่วม", "--org", DRAINAGE, index=search_index)
    assert done.returncode == 0, done.stderr
    listed = run("watch", "list", index=search_index)
    assert "ระบายน้ำ" in listed.stdout and "not evaluated yet" in listed.stdout
    assert run("watch", "add", "ระบายน้ำ", "ฝุ่น", index=search_index).returncode == 2
    assert run("watch", "remove", "ระบายน้ำ", index=search_index).returncode == 0


def test_a_watch_matches_what_the_search_lists_first_restricted_to_the_runs_ids(
        es_client, search_index, releases):
    flood = add_watch(es_client, search_index, "น้ำท่วมบางเขน", "น้ำท่วม", places=["บางเขน"])
    drainage = add_watch(es_client, search_index, "สนน.", organizations=[DRAINAGE])
    every = [r.id for r in RELEASES]
    only_new = _ids(releases, "market-bangkhen", "deputy-clerk-2023")
    counts = evaluate_watches(es_client, search_index, only_new, "run-1")
    # the flood release matches both, but it was not among this run's releases
    assert counts == {"น้ำท่วมบางเขน": 0, "สนน.": 1}
    assert [m.doc_id for m in matches_of(es_client, search_index, drainage)] == _ids(
        releases, "deputy-clerk-2023")

    counts = evaluate_watches(es_client, search_index, every, "run-2")
    assert counts == {"น้ำท่วมบางเขน": 1, "สนน.": 1}, "deputy-clerk-2023 is not new again"
    assert [m.doc_id for m in matches_of(es_client, search_index, flood)] == _ids(
        releases, "flood-bangkhen")
    assert {m.doc_id for m in matches_of(es_client, search_index, drainage)} == set(_ids(
        releases, "flood-bangkhen", "deputy-clerk-2023"))

    assert evaluate_watches(es_client, search_index, every, "run-3") == {
        "น้ำท่วมบางเขน": 0, "สนน.": 0}
    assert len(matches_of(es_client, search_index, drainage)) == 2, "no duplicate match"
    assert get_watch(es_client, search_index, flood.id).last_run_id == "run-3"


def test_an_edited_release_keeps_its_first_seen_time(es_client, search_index, releases):
    watch = add_watch(es_client, search_index, "สนน.", organizations=[DRAINAGE])
    flood = releases["flood-bangkhen"]
    evaluate_watches(es_client, search_index, [flood.id], "run-1",
                     now="2026-12-01T02:00:00+07:00")
    edited = replace(flood, title=flood.title + " (แก้ไข)")
    es_client.index(index=search_index, id=flood.id, refresh="wait_for",
                    document=PressReleaseDoc.from_enriched(enriched(edited)).to_source())
    assert evaluate_watches(es_client, search_index, [flood.id], "run-2",
                            now="2026-12-02T02:00:00+07:00") == {"สนน.": 1}
    [match] = matches_of(es_client, search_index, watch)
    assert match.title == edited.title
    assert (match.first_seen, match.updated) == ("2026-12-01T02:00:00+07:00",
                                                 "2026-12-02T02:00:00+07:00")


def test_watches_survive_a_new_documents_index(es_client, search_index, releases):
    from index_mappings import create_index, indices_behind, point_alias

    watch = add_watch(es_client, search_index, "สนน.", organizations=[DRAINAGE])
    evaluate_watches(es_client, search_index, [r.id for r in RELEASES], "run-1")
    old = indices_behind(es_client, search_index)
    point_alias(es_client, search_index, create_index(es_client, search_index))
    es_client.indices.delete(index=",".join(old))  # what `bma-news rebuild` does at the end
    assert list_watches(es_client, search_index) == [get_watch(es_client, search_index,
                                                               watch.id)]
    assert len(matches_of(es_client, search_index, watch)) == 2


def test_atom_feed_read_by_feedparser(es_client, search_index, releases, web_client):
    watch = add_watch(es_client, search_index, "สนน.", organizations=[DRAINAGE])
    evaluate_watches(es_client, search_index, [r.id for r in RELEASES], "run-1")
    response = web_client.get(f"/watch/{watch.id}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == watch_feed_id(watch.id)
    assert "สนน." in feed.feed.title
    rels = {link.rel: link.href for link in feed.feed.links}
    assert rels["self"] == f"http://testserver/watch/{watch.id}.atom"
    assert rels["alternate"].startswith("http://testserver/?org=")
    assert BANGKOK_OFFSET.search(feed.feed.updated)
    expected = {r.id: r for r in releases.values() if DRAINAGE in r.names("ORG")}
    assert len(feed.entries) == len(expected) == 2
    for entry in feed.entries:
        [release] = [r for r in expected.values() if release_entry_id(r.id) == entry.id]
        assert entry.id.startswith("urn:uuid:")
        assert entry.title == release.title
        assert entry.link == release.url
        assert entry.published == release.published_at
        assert datetime.fromisoformat(entry.published) == datetime.fromisoformat(
            release.published_at)
        assert BANGKOK_OFFSET.search(entry.updated)
        assert entry.summary and "<" not in entry.summary
        assert entry.summary_detail.type == "text/plain"


def test_watch_pages_never_answer_5xx(es_client, search_index, web_client):
    assert web_client.get("/watches").status_code == 200, "no watches index yet"
    for path in ("/watch/000000000000.atom", "/watch/nope.atom", "/watch/%00.atom",
                 "/watch/" + "a" * 5000 + ".atom", "/watch/.atom", "/watch/สนน.atom"):
        assert web_client.get(path).status_code == 404, path
    watch = add_watch(es_client, search_index, "สนน.", organizations=[DRAINAGE])
    page = web_client.get("/watches")
    assert page.status_code == 200 and "สนน." in page.text
    assert f'href="/watch/{watch.id}.atom"' in page.text
    assert web_client.get(f"/watch/{watch.id}.atom").status_code == 200, "empty feed is fine"
    assert feedparser.parse(web_client.get(f"/watch/{watch.id}.atom").content).entries == []


def test_queued_ids_survive_a_failed_evaluation(tmp_path):
    from elasticsearch import Elasticsearch

    from core.errors import ElasticsearchUnavailable
    from search.watches import WatchQueue, evaluate_pending

    queue = WatchQueue(tmp_path)
    queue.add(["a", "b"])
    queue.add([])
    queue.add(["b", "c"])
    with queue.path.open("a") as out:
        out.write('["d", "e"')  # a line cut short by a crash
    assert queue.pending() == ["a", "b", "c"]
    unreachable = Elasticsearch("http://127.0.0.1:9", max_retries=0, request_timeout=2)
    with pytest.raises(ElasticsearchUnavailable):
        evaluate_pending(unreachable, "bma-news-test-unreachable", tmp_path, "run-x")
    assert queue.pending() == ["a", "b", "c"], "kept for the next run"
    queue.clear()
    assert queue.pending() == []
