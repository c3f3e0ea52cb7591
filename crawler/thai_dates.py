"""Thai dates as BMA pages write them, to ISO 8601 with the +07:00 offset.

Handles full and abbreviated month names (มกราคม / ม.ค.), Buddhist-era years written with
4 or 2 digits (2566, 66 -> 2023), the prefixes "วันที่" / "วันจันทร์ที่" and "พ.ศ.",
Thai digits (๒๕๖๖) and times such as "16.30 น.". A year above 2400 is Buddhist era; a
year written after "ค.ศ." or below 2400 is taken as Common Era.

`find_thai_date(text)` returns the first date in a text (with the exact substring it came
from), or None; it never raises on any input.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")

# A 4-digit year above this is Buddhist era (BE 2400 = CE 1857, older than any web page).
BE_THRESHOLD = 2400
BE_OFFSET = 543
# Years outside this range are typos or not dates at all.
MIN_YEAR, MAX_YEAR = 1900, 2200

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

FULL_MONTHS = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "กรกฏาคม": 7,  # ฏ for ฎ: a common misspelling in the archive
    "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11, "ธันวาคม": 12,
}
ABBREVIATED_MONTHS = {
    "ม.ค.": 1, "ก.พ.": 2, "มี.ค.": 3, "เม.ย.": 4, "พ.ค.": 5, "มิ.ย.": 6,
    "ก.ค.": 7, "ส.ค.": 8, "ก.ย.": 9, "ต.ค.": 10, "พ.ย.": 11, "ธ.ค.": 12,
}
WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "พฤหัส", "ศุกร์", "เสาร์", "อาทิตย์")


def _abbreviation_pattern(abbreviation: str) -> str:
    # "ก.ย." is also written "ก.ย", "ก. ย." or "กย."
    parts = [p for p in abbreviation.split(".") if p]
    return r"\.?\s?".join(re.escape(p) for p in parts) + r"\.?"


_MONTH_ALTERNATIVES = sorted(
    [(re.escape(name), month) for name, month in FULL_MONTHS.items()]
    + [(_abbreviation_pattern(abbr), month) for abbr, month in ABBREVIATED_MONTHS.items()],
    key=lambda item: -len(item[0]),
)
_MONTH_LOOKUP = [(re.compile(pattern + r"\Z"), month) for pattern, month in _MONTH_ALTERNATIVES]

_DATE_RE = re.compile(
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

    def isoformat(self) -> str:
        return self.value.isoformat()


def _month_number(text: str) -> int | None:
    for pattern, month in _MONTH_LOOKUP:
        if pattern.match(text):
            return month
    return None


def _to_ce(year_text: str, era: str | None) -> int:
    year = int(year_text)
    is_ce = bool(era) and era.startswith("ค")
    if len(year_text) == 2:
        # Two digits are always Buddhist era on these sites: "66" is 2566 (2023).
        return 2500 + year - BE_OFFSET if not is_ce else 2000 + year
    if is_ce or year <= BE_THRESHOLD:
        return year
    return year - BE_OFFSET


def find_thai_date(text: str) -> ThaiDate | None:
    """The first valid Thai date in `text` (with its time when one follows), or None."""
    if not isinstance(text, str) or not text:
        return None
    # Thai digits map one-to-one onto ASCII digits, so offsets stay valid for `raw`.
    ascii_text = text.translate(THAI_DIGITS)
    for match in _DATE_RE.finditer(ascii_text):
        value = _build(match)
        if value is not None:
            start, end = match.span()
            raw = text[start:end].strip()
            return ThaiDate(value=value, raw=raw, has_time=bool(match.group("hour") or match.group("hour2")))
    return None


def _build(match: re.Match[str]) -> datetime | None:
    month = _month_number(match.group("month"))
    if month is None:
        return None
    year = _to_ce(match.group("year"), match.group("era"))
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


def to_bangkok_iso(value: datetime) -> str:
    """ISO 8601 in Bangkok time; naive datetimes are taken as Bangkok local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=BANGKOK)
    return value.astimezone(BANGKOK).isoformat()


def parse_iso_datetime(text: str | None, *, assume_utc: bool = False) -> datetime | None:
    """An ISO 8601 timestamp (metadata dates) as an aware datetime, or None.

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
