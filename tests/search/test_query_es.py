"""The query module against the real node, on the hand-built releases of conftest.py."""

from __future__ import annotations

import html
import re
import uuid
from collections import Counter

import pytest

from search.entities import entity_view, top_entities
from search.params import MAX_QUERY_CHARS, IndexMissing, SearchInputError, SearchParams
from search.query import QueryTerms, search

from .releases import (
    DEPUTY,
    GOVERNOR,
    PERMANENT_SECRETARY,
    RELEASES,
    SCRIPT_BODY,
)

LABEL_FIELDS = {"PERSON": "persons", "ORG": "organizations", "LOC": "places"}


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def by_id(releases) -> dict:
    return {r.id: r for r in releases.values()}


def visible_text(fragment_html: str) -> str:
    """What a reader sees: marks removed, entities unescaped, snippet ellipses dropped."""
    return html.unescape(re.sub(r"</?mark>", "", fragment_html)).strip("…")


def test_official_full_name_ranks_the_release_naming_them_first(es_client, search_index,
                                                               releases):
    result = search(es_client, search_index, SearchParams.build(GOVERNOR, size=20))
    naming = {r.id for r in releases.values() if GOVERNOR in r.names("PERSON")}
    scattered = releases["tree-planting"].id  # has every word of the name, apart
    assert ids(result)[: len(naming)] and set(ids(result)[: len(naming)]) == naming
    assert scattered in ids(result), "all terms present: it matches, but ranks below"
    assert ids(result).index(scattered) >= len(naming)
    partial = releases["school-dindaeng"].id  # the first name only: a graded fallback
    if partial in ids(result):
        assert ids(result).index(partial) > ids(result).index(scattered), \
            "a release with part of the query ranks below every release with all of it"


def test_releases_matching_every_word_are_the_result_when_they_fill_a_page(
        es_client, search_index, releases):
    """All terms first: when the releases with every word fill a page, they are the whole
    result (total, pages, date order); partial matches come only when they do not."""
    both = {releases["school-dindaeng"].id, releases["pm25-dindaeng"].id}
    only_name = releases["tree-planting"].id  # ชัชชาติ without ดินแดง
    pages = [search(es_client, search_index,
                    SearchParams.build("ชัชชาติ ดินแดง", size=1, page=n, sort="date"))
             for n in (1, 2, 3)]
    assert all(p.total == len(both) for p in pages)
    assert {i for p in pages for i in ids(p)} == both and not ids(pages[2])
    assert ids(pages[0]) == [releases["pm25-dindaeng"].id], "newest first among them"
    # a page they cannot fill: the graded fallback adds the partial matches below them
    graded = search(es_client, search_index, SearchParams.build("ชัชชาติ ดินแดง", size=10))
    assert set(ids(graded)[:2]) == both
    assert only_name in ids(graded)[2:] and graded.total > len(both)


def test_a_word_the_dictionaries_do_not_know_is_found_whatever_follows_it(es_client, es_alias):
    """นวมินทร is cut นว มิ นท ร alone but นว มิ นท รา ... inside นวมินทราธิราช; the last
    piece as a prefix expands to at most 20 terms, and here more than 20 index terms start
    with ร before รา. The release is still found (through the pieces before the last)."""
    from .releases import Release, index_releases

    target = Release("navamin", "เปิดภาคเรียนใหม่", "โรงเรียนนวมินทราธิราชอุทิศ "
                     "เปิดภาคเรียนใหม่", "2024-05-01T09:00:00+07:00", [])
    crowd = Release("crowd", "ข่าวรวม", "รถ รบ รวม รส รก รด รอ รอง รอบ รับ รัก รัฐ ระบบ ระยะ "
                    "ระดับ ระหว่าง รวบรวม รสชาติ รอด รองรับ รณรงค์ รถยนต์ รวย ร่วม ร้อน ร้าน",
                    "2024-05-02T09:00:00+07:00", [])
    index_releases(es_client, es_alias, [target, crowd])
    es_client.indices.forcemerge(index=f"{es_alias}-*", max_num_segments=1)
    es_client.indices.refresh(index=f"{es_alias}-*")
    result = search(es_client, es_alias, SearchParams.build("นวมินทร"))
    assert ids(result) == [target.id]


@pytest.mark.parametrize("query, wanted, other", [
    ("ผู้ว่าฯ กทม.", "governor", "deputy"),
    ("ปลัดกรุงเทพมหานคร", "secretary", "deputy-secretary"),
    ("ผอ.เขต", "director", "assistant-director"),
])
def test_a_position_query_does_not_match_the_longer_positions_that_end_with_it(
        es_client, es_alias, query, wanted, other):
    """รองผู้ว่าราชการกรุงเทพมหานคร is indexed รอง ผู้ว่าราชการ กรุงเทพมหานคร, which holds
    the governor's phrase: the deputy (assistant, adviser) is another position."""
    from .releases import Release, index_releases

    day = "2024-05-01T09:00:00+07:00"
    texts = {
        "governor": "นายชัชชาติ สิทธิพันธุ์ ผู้ว่าราชการกรุงเทพมหานคร ตรวจคลองลาดพร้าว",
        "deputy": "นายจักกพันธุ์ ผิวงาม รองผู้ว่าราชการกรุงเทพมหานคร ตรวจคลองลาดพร้าว "
                  "พร้อมที่ปรึกษาผู้ว่าราชการกรุงเทพมหานคร",
        "secretary": "นางวันทนีย์ วัฒนะ ปลัดกรุงเทพมหานคร ประชุมผู้บริหาร",
        "deputy-secretary": "นายชาตรี วัฒนเขจร รองปลัดกรุงเทพมหานคร ประชุมผู้บริหาร",
        "director": "ผู้อำนวยการเขตบางรัก ลงพื้นที่ตรวจทางเท้า",
        "assistant-director": "ผู้ช่วยผู้อำนวยการเขตบางรัก ลงพื้นที่ตรวจทางเท้า",
    }
    made = {k: Release(k, "ข่าว กทม.", v, day, []) for k, v in texts.items()}
    index_releases(es_client, es_alias, list(made.values()))
    found = ids(search(es_client, es_alias, SearchParams.build(query)))
    assert made[wanted].id in found
    assert made[other].id not in found
    # the longer position itself is still found
    if other == "deputy":
        assert made["deputy"].id in ids(search(es_client, es_alias,
                                               SearchParams.build("รองผู้ว่าฯ กทม.")))


def test_entity_filters_narrow_the_results(es_client, search_index, releases):
    everything = search(es_client, search_index, SearchParams.build("", size=100))
    assert everything.total == len(RELEASES)
    for label, value in (("LOC", "บางเขน"), ("PERSON", DEPUTY), ("ORG", "สำนักการระบายน้ำ")):
        arg = {"LOC": "places", "PERSON": "persons", "ORG": "organizations"}[label]
        result = search(es_client, search_index, SearchParams.build("", **{arg: [value]}))
        expected = {r.id for r in releases.values() if value in r.names(label)}
        assert set(ids(result)) == expected and result.total == len(expected)
    both = search(es_client, search_index,
                  SearchParams.build("น้ำท่วม", places=["บางเขน"]))
    assert ids(both) == [releases["flood-bangkhen"].id]
    two_filters = search(es_client, search_index,
                         SearchParams.build("", persons=[GOVERNOR, DEPUTY]))
    assert ids(two_filters) == [releases["pm25-dindaeng"].id], "filters combine with AND"


def test_facets_count_the_matching_releases(es_client, search_index, releases):
    result = search(es_client, search_index, SearchParams.build("", size=1))
    for facet, label in (("persons", "PERSON"), ("organizations", "ORG"), ("places", "LOC")):
        expected = Counter(n for r in releases.values() for n in r.names(label))
        got = {v.value: v.count for v in getattr(result.facets, facet)}
        assert got == dict(expected), facet
    categories = Counter(c for r in releases.values() for c in r.categories)
    assert {v.value: v.count for v in result.facets.categories} == dict(categories)
    months = Counter(r.published_at[:7] for r in releases.values())
    assert {m.month: m.count for m in result.facets.months if m.count} == dict(months)
    people = {p.value: p.positions for p in result.facets.persons}
    assert set(people[PERMANENT_SECRETARY]) == {"รองปลัดกรุงเทพมหานคร", "ปลัดกรุงเทพมหานคร"}
    assert people[GOVERNOR] == ["ผู้ว่าราชการกรุงเทพมหานคร"]
    # facets follow the query
    dindaeng = search(es_client, search_index, SearchParams.build("ดินแดง"))
    matched = [by_id(releases)[i] for i in ids(dindaeng)]
    expected = Counter(n for r in matched for n in r.names("PERSON"))
    assert {v.value: v.count for v in dindaeng.facets.persons} == dict(expected)


def test_highlights_hold_the_query_words_on_the_original_text(es_client, search_index,
                                                              releases):
    result = search(es_client, search_index, SearchParams.build("น้ำท่วม"))
    assert result.total >= 2
    for hit in result.hits:
        release = by_id(releases)[hit.id]
        assert hit.highlights
        for fragment in hit.to_dict()["highlights"]:
            assert "<mark>น้ำท่วม" in fragment
            original = (release.body + " " + release.title).replace("\n", " ")
            assert visible_text(fragment) in original, "no token separators added"


def test_script_in_a_body_comes_back_escaped(es_client, search_index, releases):
    result = search(es_client, search_index, SearchParams.build("ประกาศทดสอบความปลอดภัย"))
    assert ids(result)[0] == releases["script-notice"].id
    snippet = result.hits[0].to_dict()["highlights"][0]
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet
    assert visible_text(snippet) in SCRIPT_BODY.replace("\n", " ")
    assert "&lt;b&gt;" in result.hits[0].title_mark.to_html()


def test_lucene_syntax_words_are_searched_as_words(es_client, search_index, releases):
    """Operators, fields, wildcards and regexes are text: a hit has one of the query's
    words in it (nothing matches through `*`, `_exists_` or `/.*/`), and nothing fails."""
    for query in ('title:(ชัชชาติ) AND body:น้ำ* OR "x"~2', "ชัชชาติ^10 || _exists_:body",
                  "/.*/ [a TO z] {!lucene} \\", "น้ำท่วม) OR (*", "(น้ำท่วม*) AND พหลโยธิน~",
                  'body:พหลโยธิน^2 "น้ำท่วม"'):
        result = search(es_client, search_index, SearchParams.build(query, size=100))
        words = [w.lower() for w in re.findall(r"[^\W_]+", query)]
        for hit in result.hits:
            text = (by_id(releases)[hit.id].title + by_id(releases)[hit.id].body).lower()
            assert any(w in text for w in words), (query, hit.title)
    nothing = search(es_client, search_index, SearchParams.build("/.*/ [qqq TO www] {!lucene}"))
    assert nothing.total == 0, "no release has these words"
    result = search(es_client, search_index, SearchParams.build("น้ำท่วม) (พหลโยธิน*"))
    assert ids(result)[0] == releases["flood-bangkhen"].id, "punctuation is not required"


def test_long_or_wordless_queries_get_a_clear_message():
    with pytest.raises(SearchInputError, match=f"limit is {MAX_QUERY_CHARS}"):
        SearchParams.build("ก" * 10_000)
    with pytest.raises(SearchInputError, match="no words"):
        search(None, "unused", SearchParams.build("*:* ()"))


def test_date_range_is_inclusive_in_bangkok_time(es_client, search_index, releases):
    result = search(es_client, search_index, SearchParams.build(
        "", date_from="2023-10-16", date_to="2024-01-10", size=100))
    expected = {r.id for r in releases.values() if "2023-10-16" <= r.published_at[:10]
                <= "2024-01-10"}
    assert set(ids(result)) == expected and len(expected) == 3


def test_sort_by_date_and_pagination(es_client, search_index):
    newest = search(es_client, search_index, SearchParams.build("", sort="date", size=100))
    dates = [h.published_at for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    pages = [search(es_client, search_index, SearchParams.build("", sort="date", size=3,
                                                                page=p)) for p in (1, 2, 3)]
    assert sum((ids(p) for p in pages), []) == ids(newest)
    assert {p.total for p in pages} == {len(RELEASES)}


def test_missing_index_says_so(es_client):
    missing = f"bma-news-test-missing-{uuid.uuid4().hex[:8]}"
    with pytest.raises(IndexMissing, match=f"no index '{missing}' yet: run `bma-news run`"):
        search(es_client, missing, SearchParams.build("น้ำท่วม"))


def test_top_entities_count_releases(es_client, search_index, releases):
    people = top_entities(es_client, search_index, label="PERSON", top=50)
    expected = Counter(n for r in releases.values() for n in r.names("PERSON"))
    assert {e.canonical: e.count for e in people} == dict(expected)
    assert [e.count for e in people] == sorted((e.count for e in people), reverse=True)
    everything = top_entities(es_client, search_index, top=3)
    assert len(everything) == 3 and {e.label for e in everything} <= {"PERSON", "ORG", "LOC"}
    for_query = top_entities(es_client, search_index, label="LOC", query="น้ำท่วม")
    matched = search(es_client, search_index, SearchParams.build("น้ำท่วม"))
    expected = Counter(n for i in ids(matched) for n in by_id(releases)[i].names("LOC"))
    assert {e.canonical: e.count for e in for_query} == dict(expected)


def test_entity_view_positions_over_time_and_co_mentions(es_client, search_index, releases):
    view = entity_view(es_client, search_index, "PERSON", PERMANENT_SECRETARY)
    assert view.total == 2
    assert [(p.position, p.first[:7]) for p in view.positions] == [
        ("รองปลัดกรุงเทพมหานคร", "2023-08"), ("ปลัดกรุงเทพมหานคร", "2024-02")]
    assert {m.month: m.count for m in view.months if m.count} == {"2023-08": 1, "2024-02": 1}
    governor = entity_view(es_client, search_index, "PERSON", GOVERNOR)
    co_people = {e.canonical: e.count for e in governor.co_mentions["PERSON"]}
    assert co_people == {DEPUTY: 1}, "co-mentions exclude the entity itself"
    assert {e.canonical for e in governor.co_mentions["LOC"]} == {"บางเขน", "ดินแดง"}
    with pytest.raises(SearchInputError):
        entity_view(es_client, search_index, "THING", GOVERNOR)


def test_facets_past_the_result_window_are_estimated_from_a_sample(es_client, search_index,
                                                                   releases):
    from search.query import build_query, facets_for

    params = SearchParams.build("")
    query = build_query(params, QueryTerms.of(""))
    exact = facets_for(es_client, search_index, query, exact=True)
    sampled = facets_for(es_client, search_index, query, exact=False)
    assert not exact.approximate and sampled.approximate
    persons = Counter(n for r in releases.values() for n in r.names("PERSON"))
    assert {v.value: v.count for v in exact.persons} == dict(persons)
    # a 10% sample of a dozen releases: whatever it finds is scaled up, never invented
    assert {v.value for v in sampled.persons} <= set(persons)


def test_search_counts_facets_exactly_up_to_the_limit_then_samples(es_client, search_index,
                                                                    releases, monkeypatch):
    """Facets are counted beside the page; past EXACT_FACETS_LIMIT matches (Lucene stops
    collecting there) they are estimated from a sample, and say so."""
    from search import query as query_module

    monkeypatch.setattr(query_module, "EXACT_FACETS_LIMIT", 3)
    few = search(es_client, search_index, SearchParams.build("", persons=[DEPUTY]))
    assert 0 < few.total <= 3 and not few.facets.approximate
    assert {v.value: v.count for v in few.facets.persons}[DEPUTY] == few.total
    many = search(es_client, search_index, SearchParams.build(""))
    assert many.total == len(RELEASES) > 3 and many.facets.approximate
