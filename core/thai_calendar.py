"""The Thai calendar, once for the whole project: month names, digits, eras, Bangkok time.

Every part reads dates through this module: the crawler (dates in pages and metadata), the
NLP (DATE entities), search (dates shown the Thai way, the time zone of aggregations) and
the scheduler (the nightly run's time zone).

Dates as BMA pages write them: full and abbreviated month names (มกราคม / ม.ค., also
"ก.ย", "ก. ย.", "กย."), a common misspelling (กรกฏาคม), Buddhist-era years with 4 or 2
digits (2566, 66 -> 2023), the prefixes "วันที่" / "วันจันทร์ที่" and "พ.ศ.", Thai digits
(๒๕๖๖) and times such as "16.30 น.". A 4-digit year above 2400 is Buddhist era; a year
after "ค.ศ." or at most 2400 is Common Era. Nothing here raises on any input.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

# --- time zone -------------------------------------------------------------------------
TIME_ZONE_NAME = "Asia/Bangkok"
# Thailand has kept UTC+7 all year since 1920: a fixed offset is exact for every date we see.
UTC_OFFSET = "+07:00"
BANGKOK = timezone(timedelta(hours=7), TIME_ZONE_NAME)

# --- eras ------------------------------------------------------------------------------
# The Buddhist era runs 543 years ahead of the Common Era.
BE_OFFSET = 543
# A 4-digit year above this is Buddhist era (BE 2400 = CE 1857, older than any web page).
BE_THRESHOLD = 2400
# Two-digit years on these sites are Buddhist era: "66" is 2566 (2023).
BE_CENTURY = 2500
# Years outside this range are typos or not dates at all.
MIN_YEAR, MAX_YEAR = 1900, 2200

# --- digits ----------------------------------------------------------------------------
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
# Thai digits map one-to-one onto ASCII digits, so offsets survive the translation.
TO_ARABIC_DIGITS = str.maketrans(THAI_DIGITS, "0123456789")
# str.translate walks a long text character by character in Python's slow path (0.4 ms a
# release, 90% of the date search); most releases have no Thai digit, which a regex finds
# out in C, so such a text is left as it is.
_THAI_DIGIT = re.compile(f"[{THAI_DIGITS}]")


def to_arabic_digits(text: str) -> str:
    """Thai digits as ASCII digits; the same length, so offsets hold."""
    return text.translate(TO_ARABIC_DIGITS) if _THAI_DIGIT.search(text) else text

# --- months ----------------------------------------------------------------------------
FULL_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
               "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
ABBREVIATED_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                      "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
# Misspellings seen in the archives, with the month they mean.
MISSPELT_MONTHS = {"กรกฏาคม": 7}  # ฏ for ฎ
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "พฤหัส", "ศุกร์", "เสาร์", "อาทิตย์")

MONTH_NUMBERS: dict[str, int] = {
    **{name: i for i, name in enumerate(FULL_MONTHS, 1)},
    **{name: i for i, name in enumerate(ABBREVIATED_MONTHS, 1)},
    **MISSPELT_MONTHS,
}
# Every way a month is written as one word: names, abbreviations, misspellings.
MONTH_WORDS = frozenset(MONTH_NUMBERS)


def _abbreviation_pattern(abbreviation: str) -> str:
    # "ก.ย." is also written "ก.ย", "ก. ย." or "กย."
    parts = [p for p in abbreviation.split(".") if p]
    return r"\.?\s?".join(re.escape(p) for p in parts) + r"\.?"


_MONTH_ALTERNATIVES = sorted(
    [(re.escape(name), n) for name, n in MONTH_NUMBERS.items() if not name.endswith(".")]
    + [(_abbreviation_pattern(abbr), n) for abbr, n in MONTH_NUMBERS.items() if abbr.endswith(".")],
    key=lambda item: -len(item[0]),
)
_MONTH_LOOKUP = [(re.compile(pattern + r"\Z"), n) for pattern, n in _MONTH_ALTERNATIVES]

# A date starts with วัน (วันที่, วันจันทร์ที่) or its day's digits: the lookahead lets the
# regex engine skip every other position at once (2.5x faster over a release, same matches).
_DATE_RE = re.compile(
    r"(?=วัน|[0-9])"
    r"(?:วัน(?:" + "|".join(WEEKDAYS) + r")?\s?ที่\s*)?"
    r"(?<![0-9])(?P<day>[0-9]{1,2})\s*"
    r"(?P<month>" + "|".join(p for p, _ in _MONTH_ALTERNATIVES) + r")\s*"
    r"(?P<era>พ\.\s?ศ\.?|ค\.\s?ศ\.?)?\s*"
    r"(?P<year>[0-9]{4}|[0-9]{2})(?![0-9])"
    # A time counts only with "เวลา" before it or "น." after it ("16.30 น.").
    r"(?:\s*\)?\s*,?\s*(?:"
    r"เวลา\s*(?P<hour>[0-9]{1,2})[.:](?P<minute>[0-9]{2})(?![0-9])(?:\s*น\.?)?"
    r"|(?P<hour2>[0-9]{1,2})[.:](?P<minute2>[0-9]{2})\s*น\.?))?"
)


@dataclass(frozen=True)
class ThaiDate:
    value: datetime  # timezone-aware, +07:00
    raw: str  # the substring of the input it was read from
    has_time: bool
    start: int = 0  # offsets of `raw` in the input
    end: int = 0
    date_span: tuple[int, int] = (0, 0)  # the day, month and year alone (no weekday, no time)

    def isoformat(self) -> str:
        return self.value.isoformat()


def _month_number(text: str) -> int | None:
    for pattern, month in _MONTH_LOOKUP:
        if pattern.match(text):
            return month
    return None


def to_common_era(year_text: str, era: str | None = None) -> int:
    """The Common-Era year of a year as written ("2566", "66", "2024", with its era word)."""
    year = int(year_text)
    is_ce = era is not None and era.startswith("ค")
    if len(year_text) == 2:
        return BE_CENTURY + year - BE_OFFSET if not is_ce else 2000 + year
    if is_ce or year <= BE_THRESHOLD:
        return year
    return year - BE_OFFSET


def _build(match: re.Match[str]) -> datetime | None:
    month = _month_number(match.group("month"))
    if month is None:
        return None
    year = to_common_era(match.group("year"), match.group("era"))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    day = int(match.group("day"))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    hour = minute = 0
    hour_text = match.group("hour") or match.group("hour2")
    if hour_text is not None:
        hour = int(hour_text)
        minute = int(match.group("minute") or match.group("minute2"))
        if hour > 23 or minute > 59:
            hour = minute = 0  # "25.70" is not a time; keep the date
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def _iter_dates(text: str) -> Iterator[ThaiDate]:
    if not isinstance(text, str) or not text:
        return
    ascii_text = to_arabic_digits(text)
    for match in _DATE_RE.finditer(ascii_text):
        value = _build(match)
        if value is None:
            continue
        start, end = match.span()
        yield ThaiDate(value=value, raw=text[start:end],
                       has_time=bool(match.group("hour") or match.group("hour2")),
                       start=start, end=end, date_span=(match.start("day"), match.end("year")))


def find_thai_dates(text: str) -> list[ThaiDate]:
    """Every valid Thai date in `text`, in order, each with its time when one follows."""
    return list(_iter_dates(text))


def find_thai_date(text: str) -> ThaiDate | None:
    """The first valid Thai date in `text` (with its time when one follows), or None."""
    return next(_iter_dates(text), None)


def best_text_date(*texts: str) -> ThaiDate | None:
    """The first date found in `texts` (in order), with a time from a later text of the same day.

    A title says "ประจำวันจันทร์ที่ 25 กันยายน 2566" and the body "25 ก.ย. 66 เวลา 10.00 น.":
    the day comes from the first, the time from the second.
    """
    found = [d for d in (find_thai_date(t) for t in texts) if d is not None]
    if not found:
        return None
    first = found[0]
    if not first.has_time:
        for later in found[1:]:
            if later.has_time and later.value.date() == first.value.date():
                return later
    return first


def parse_thai_date(text: str) -> datetime | None:
    """The date in `text` as an aware datetime (+07:00), or None."""
    found = find_thai_date(text)
    return found.value if found else None


# --- ISO timestamps --------------------------------------------------------------------
def to_bangkok_iso(value: datetime) -> str:
    """ISO 8601 in Bangkok time; naive datetimes are taken as Bangkok local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=BANGKOK)
    return value.astimezone(BANGKOK).isoformat()


def parse_iso_datetime(text: str | None, *, assume_utc: bool = False) -> datetime | None:
    """An ISO 8601 timestamp (metadata dates) as an aware datetime in Bangkok, or None.

    Naive values are site-local (Bangkok) unless `assume_utc` (WordPress `*_gmt` fields).
    """
    if not text or not isinstance(text, str):
        return None
    cleaned = text.strip().replace("Z", "+00:00")
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC if assume_utc else BANGKOK)
    return value.astimezone(BANGKOK)


def now_bangkok() -> datetime:
    return datetime.now(BANGKOK)


def bangkok_timestamp(value: datetime | None = None) -> str:
    """'2024-05-23T16:30:00+07:00': now (or `value`) in Bangkok time, to the second."""
    return (value or datetime.now(BANGKOK)).astimezone(BANGKOK).isoformat(timespec="seconds")


# --- display ---------------------------------------------------------------------------
def parse_display_date(value: str | None) -> datetime | date | None:
    """A stored or aggregated ISO value, for display in Bangkok's calendar."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # Stored dates carry +07:00; aggregations answer in UTC. Show Bangkok's calendar day.
        return parsed.astimezone(BANGKOK) if parsed.tzinfo else parsed
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def thai_date(value: date) -> str:
    """16 ต.ค. 2566"""
    return f"{value.day} {ABBREVIATED_MONTHS[value.month - 1]} {value.year + BE_OFFSET}"


def gregorian_date(value: date) -> str:
    """16 Oct 2023"""
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def thai_month(year: int, month: int) -> str:
    """ต.ค. 2566"""
    return f"{ABBREVIATED_MONTHS[month - 1]} {year + BE_OFFSET}"


def gregorian_month(year: int, month: int) -> str:
    """Oct 2023"""
    return f"{ENGLISH_MONTHS[month - 1]} {year}"


def both(value: str | None) -> str:
    """'16 ต.ค. 2566 (16 Oct 2023)' for an ISO string; '' when there is no date."""
    parsed = parse_display_date(value)
    if parsed is None:
        return ""
    return f"{thai_date(parsed)} ({gregorian_date(parsed)})"
