"""Dates shown the Thai way (Buddhist era) beside the Gregorian form."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
               "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The Buddhist era runs 543 years ahead of the Common Era.
BE_OFFSET = 543
BANGKOK = timezone(timedelta(hours=7))


def parse_iso(value: str | None) -> datetime | date | None:
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
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + BE_OFFSET}"


def gregorian_date(value: date) -> str:
    """16 Oct 2023"""
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def thai_month(year: int, month: int) -> str:
    """ต.ค. 2566"""
    return f"{THAI_MONTHS[month - 1]} {year + BE_OFFSET}"


def gregorian_month(year: int, month: int) -> str:
    """Oct 2023"""
    return f"{ENGLISH_MONTHS[month - 1]} {year}"


def both(value: str | None) -> str:
    """'16 ต.ค. 2566 (16 Oct 2023)' for an ISO string; '' when there is no date."""
    parsed = parse_iso(value)
    if parsed is None:
        return ""
    return f"{thai_date(parsed)} ({gregorian_date(parsed)})"
