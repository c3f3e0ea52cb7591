"""Thai dates that resolve to ISO dates: "1 มกราคม 2567", "วันที่ 5 ธ.ค. 66", "12 ม.ค. 2024".

Only dates with day, month and year are returned; Buddhist-era years are converted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11, "ธันวาคม": 12,
    "ม.ค.": 1, "ก.พ.": 2, "มี.ค.": 3, "เม.ย.": 4, "พ.ค.": 5, "มิ.ย.": 6, "ก.ค.": 7,
    "ส.ค.": 8, "ก.ย.": 9, "ต.ค.": 10, "พ.ย.": 11, "ธ.ค.": 12,
}
_MONTH_ALT = "|".join(re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?<![0-9])([0-9]{{1,2}}) ?({_MONTH_ALT}) ?(?:(?:พ\.ศ\.|พ\.ศ|ค\.ศ\.) ?)?([0-9]{{4}}|[0-9]{{2}})(?![0-9])"
)
_BE_OFFSET = 543


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    iso: str


def _year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 2500  # "66" in a Thai release is B.E. 2566
    return year - _BE_OFFSET if year > 2400 else year


def find_dates(text: str) -> list[DateMention]:
    out = []
    for m in _DATE.finditer(text):
        try:
            day = dt.date(_year(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
        except ValueError:
            continue  # 31 กุมภาพันธ์ and the like
        out.append(DateMention(m.start(), m.end(), day.isoformat()))
    return out
