"""The Thai date parser: examples from the sites, then generated dates and fuzzing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.thai_calendar import (
    ABBREVIATED_MONTHS,
    FULL_MONTHS,
    find_thai_date,
    parse_iso_datetime,
    parse_thai_date,
)

BANGKOK = timezone(timedelta(hours=7))
FULL_BY_NUMBER = dict(enumerate(FULL_MONTHS, 1))
ABBR_BY_NUMBER = dict(enumerate(ABBREVIATED_MONTHS, 1))
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
WEEKDAYS = ["จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์"]


@pytest.mark.parametrize(("text", "expected", "raw"), [
    ("(23 พ.ค. 67) เวลา 16.30 น. ผู้ว่าฯ ลงพื้นที่", "2024-05-23T16:30:00+07:00",
     "23 พ.ค. 67) เวลา 16.30 น."),
    (">>> 25 ก.ย. 66 เวลา 10.00 น.", "2023-09-25T10:00:00+07:00", "25 ก.ย. 66 เวลา 10.00 น."),
    ("วันที่ 11 พฤศจิกายน 2566 เวลา 09.30 น.", "2023-11-11T09:30:00+07:00",
     "วันที่ 11 พฤศจิกายน 2566 เวลา 09.30 น."),
    ("กทม.ชี้แจงข่าวร้องเรียน ประจำวันจันทร์ที่ 16 ตุลาคม 2566", "2023-10-16T00:00:00+07:00",
     "วันจันทร์ที่ 16 ตุลาคม 2566"),
    ("เผยแพร่โดย : สำนักงานเขตบางกอกใหญ่ | 9 กันยายน 2562 | จำนวนเข้าชม 52 ครั้ง",
     "2019-09-09T00:00:00+07:00", "9 กันยายน 2562"),
    ("๒๒ กันยายน ๒๕๖๖", "2023-09-22T00:00:00+07:00", "๒๒ กันยายน ๒๕๖๖"),
    ("ThaiPR ๒๒ กันยายน ๒๐๐๐", "2000-09-22T00:00:00+07:00", "๒๒ กันยายน ๒๐๐๐"),
    ("13 ม.ค.60", "2017-01-13T00:00:00+07:00", "13 ม.ค.60"),
    ("1 มกราคม พ.ศ. 2567", "2024-01-01T00:00:00+07:00", "1 มกราคม พ.ศ. 2567"),
    ("5 ก.ค. ค.ศ. 2024 เวลา 8:05 น.", "2024-07-05T08:05:00+07:00", "5 ก.ค. ค.ศ. 2024 เวลา 8:05 น."),
    ("28 กรกฏาคม 2565", "2022-07-28T00:00:00+07:00", "28 กรกฏาคม 2565"),
])
def test_dates_as_the_sites_write_them(text, expected, raw):
    found = find_thai_date(text)
    assert found is not None
    assert found.isoformat() == expected
    assert found.raw == raw


@pytest.mark.parametrize("text", [
    "", "ไม่มีวันที่ในข้อความนี้", "31 ก.พ. 2567", "30 กุมภาพันธ์ 2567", "0 มีนาคม 2567",
    "12 มีนาคม", "ประชุม 3 ครั้ง 2566 คน", "เลขที่ 123 ถนนพระราม 4",
])
def test_no_date_means_none(text):
    assert find_thai_date(text) is None


def test_an_impossible_time_keeps_the_date_only():
    assert parse_thai_date("1 มีนาคม 2567 เวลา 25.70 น.") == datetime(2024, 3, 1, tzinfo=BANGKOK)


def test_metadata_timestamps():
    assert parse_iso_datetime("2024-05-23T09:30:00").isoformat() == "2024-05-23T09:30:00+07:00"
    assert parse_iso_datetime("2024-05-23T02:30:00", assume_utc=True).isoformat() == "2024-05-23T09:30:00+07:00"
    assert parse_iso_datetime("2024-05-23T02:30:00Z").isoformat() == "2024-05-23T09:30:00+07:00"
    assert parse_iso_datetime("not a date") is None


@st.composite
def written_dates(draw):
    """A date and one way a BMA page could write it."""
    moment = draw(st.datetimes(min_value=datetime(1957, 1, 1), max_value=datetime(2056, 12, 31)))
    moment = moment.replace(second=0, microsecond=0)
    with_time = draw(st.booleans())
    if not with_time:
        moment = moment.replace(hour=0, minute=0)
    month = draw(st.sampled_from([FULL_BY_NUMBER, ABBR_BY_NUMBER]))[moment.month]
    be_year = moment.year + 543
    year_text = draw(st.sampled_from([str(be_year), str(be_year)[2:], f"พ.ศ. {be_year}"]))
    prefix = draw(st.sampled_from(["", "วันที่ ", "เมื่อ", "("] + [f"วัน{d}ที่ " for d in WEEKDAYS]))
    day_text = draw(st.sampled_from([str(moment.day), f"{moment.day:02d}"]))
    text = f"{prefix}{day_text} {month} {year_text}"
    if with_time:
        separator = draw(st.sampled_from([".", ":"]))
        text += draw(st.sampled_from([" เวลา ", " "])) + f"{moment.hour:02d}{separator}{moment.minute:02d} น."
    if draw(st.booleans()):
        text = text.translate(THAI_DIGITS)
    noise = draw(st.sampled_from(["", "กรุงเทพมหานคร ", ">>> "]))
    return noise + text + draw(st.sampled_from(["", " ณ ศาลาว่าการ", "\nย่อหน้า"])), moment


@given(written_dates())
@settings(max_examples=400, deadline=None)
def test_generated_dates_round_trip(case):
    text, moment = case
    parsed = parse_thai_date(text)
    assert parsed == moment.replace(tzinfo=BANGKOK), text


FUZZ_ALPHABET = st.sampled_from(list("0123456789๐๑๒๓๔๕๖๗๘๙ .:/()-|น") + list(FULL_MONTHS)
                                + list(ABBREVIATED_MONTHS) + ["พ.ศ.", "ค.ศ.", "วันที่", "เวลา", "ก", "ม"])


@given(st.one_of(st.text(), st.lists(FUZZ_ALPHABET, max_size=30).map("".join)))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzzing_never_crashes_and_only_returns_valid_dates(text):
    # Fault test 8: crashes must be 0. Any result is an aware datetime in a sane range.
    found = find_thai_date(text)
    if found is not None:
        assert found.value.utcoffset() == timedelta(hours=7)
        assert 1900 <= found.value.year <= 2200
        assert found.raw and found.raw in text


def test_thai_digits_become_ascii_only_when_the_text_has_them():
    from core.thai_calendar import find_thai_dates, to_arabic_digits

    assert to_arabic_digits("วันที่ ๑๕ มกราคม ๒๕๖๗") == "วันที่ 15 มกราคม 2567"
    plain = "วันที่ 15 มกราคม 2567"
    assert to_arabic_digits(plain) is plain
    thai, arabic = find_thai_dates("ประชุม ๑๕ ม.ค. ๖๗ และ 16 ม.ค. 67")
    assert (thai.value.day, arabic.value.day) == (15, 16)
    assert thai.raw == "๑๕ ม.ค. ๖๗" and thai.date_span == (7, 17)
