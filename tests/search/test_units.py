"""Pure functions of the search package: input limits, highlights, Thai dates, links."""

from __future__ import annotations

from datetime import date

import pytest

from core.thai_calendar import both, gregorian_month, thai_month
from search.highlight import Fragment, find_spans, fragments, lead
from search.params import MAX_PAGE_SIZE, SearchInputError, SearchParams
from search.web.chart import month_chart
from search.web.links import active_filters, safe_href, search_url, with_filter, without


def test_params_are_validated_and_bounded():
    params = SearchParams.build("  น้ำท่วม \x00  บางเขน ", persons=["ก", "ก", " "],
                                date_from="2023-10-01", date_to="2023-10-31", page="2",
                                size="20")
    assert params.query == "น้ำท่วม บางเขน" and params.persons == ("ก",)
    assert params.offset == 20
    assert SearchParams.build("x" * 500).query == "x" * 500
    for bad in ({"date_from": "2023-10-32"}, {"date_to": "16/10/2023"},
                {"date_from": "2024-01-02", "date_to": "2024-01-01"},
                {"size": str(MAX_PAGE_SIZE + 1)}, {"size": "0"}, {"page": "x"},
                {"sort": "random"}, {"page": "1001", "size": "10"},
                {"persons": ["ก" * 201]}, {"places": [str(i) for i in range(11)]}):
        with pytest.raises(SearchInputError):
            SearchParams.build("น้ำ", **bad)
    with pytest.raises(SearchInputError, match="limit is 500"):
        SearchParams.build("x" * 501)


def test_highlight_marks_query_terms_and_escapes_the_rest():
    text = "ผู้ว่าฯ <b>ชัชชาติ</b> & นายChadchart"
    spans = find_spans(text, ["ชัชชาติ", "chadchart"])
    html = fragments(text, spans)[0].to_html()
    assert html == ("ผู้ว่าฯ &lt;b&gt;<mark>ชัชชาติ</mark>&lt;/b&gt; &amp; "
                    "นาย<mark>Chadchart</mark>")


def test_adjacent_marks_become_one_phrase_and_snippets_are_cut_on_spaces():
    body = ("บรรทัดแรก " * 30) + "นายชัชชาติ สิทธิพันธุ์ ลงพื้นที่" + (" ต่อท้าย" * 40)
    spans = find_spans(body, ["ชัชชาติ", "สิทธิพันธุ์"])
    assert [body[s:e] for s, e in spans] == ["ชัชชาติ สิทธิพันธุ์"]
    fragment = fragments(body, spans)[0]
    assert fragment.cut_before and fragment.cut_after
    assert fragment.text.startswith("บรรทัดแรก") and fragment.text.endswith("ต่อท้าย")
    assert "<mark>ชัชชาติ สิทธิพันธุ์</mark>" in fragment.to_html()


def test_a_cut_never_splits_a_thai_character_cluster():
    body = "ก" * 10 + "น้ำ" * 200
    for size in (11, 12):  # cuts fall on the tone mark and on the sara am after น
        fragment = lead(body, size=size)
        assert body[len(fragment.text)] == "น", "the cut is between two clusters"
    body = "ก" * 10 + "เกา" * 200
    assert body[len(lead(body, size=11).text)] == "เ", "a leading vowel stays with its consonant"
    assert Fragment("x", (), False, False).plain() == "x"


def test_thai_dates_use_the_buddhist_era_in_bangkok_time():
    assert both("2023-10-16T09:30:00+07:00") == "16 ต.ค. 2566 (16 Oct 2023)"
    assert both("2023-10-15T20:00:00.000Z") == "16 ต.ค. 2566 (16 Oct 2023)"
    assert thai_month(2024, 1) == "ม.ค. 2567" and gregorian_month(2024, 1) == "Jan 2024"
    assert both(None) == "" and both("not a date") == ""


def test_links_keep_filters_and_drop_one():
    params = SearchParams.build("น้ำ ท่วม", places=["บางเขน"], date_from=date(2023, 1, 1),
                                sort="date")
    assert search_url(params, page=2).endswith("&sort=date&page=2")
    added = with_filter(params, "person", "ชัชชาติ สิทธิพันธุ์")
    assert "place=" in added and "person=" in added
    dropped = without(params, "place", "บางเขน")
    assert "place=" not in dropped and "q=" in dropped
    assert [f.name for f in active_filters(params)] == ["place", "from"]


def test_month_chart_geometry():
    from search.facets import MonthCount

    months = [MonthCount("2024-01", 4, "", ""), MonthCount("2024-02", 0, "", ""),
              MonthCount("2024-03", 1, "", "")]
    chart = month_chart(months, 300, 102)
    assert [b.height for b in chart.bars] == [100.0, 0.0, 25.0]
    assert chart.total == 5 and chart.peak == 4
    assert month_chart([]) is None


def test_highlights_find_every_form_with_digits_and_case_folded():
    body = "กทม. เร่งระบายน้ำ สำนักการระบายน้ำ (สนน.) ปี ๒๕๖๗ Traffy"
    spans = find_spans(body, ["สนน.", "สำนักการระบายน้ำ", "2567", "traffy", ""])
    # marks separated only by spaces join into one (a phrase)
    assert [body[s:e] for s, e in spans] == ["สำนักการระบายน้ำ", "สนน.", "๒๕๖๗ Traffy"]
    # a needle inside a longer one is not marked twice
    assert find_spans("เขตบางเขน", ["เขตบางเขน", "บางเขน"]) == [(0, 9)]


def test_only_http_links_are_rendered():
    assert safe_href("https://www.prbangkok.com/th/post/view/1") == (
        "https://www.prbangkok.com/th/post/view/1")
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "", None,
                "http://[::1"):
        assert safe_href(url) == "#"


def test_lowered_keeps_offsets_when_a_character_would_grow():
    from search.highlight import _lowered

    assert _lowered("กทม. ABC") == "กทม. abc"
    text = "İstanbul กรุงเทพ ABC"
    lowered = _lowered(text)
    assert len(lowered) == len(text)
    assert lowered.endswith("กรุงเทพ abc")
