"""What a search asks for, validated once for the CLI and the web page alike.

User input never reaches Elasticsearch as syntax: the query text is tokenised and sent in
`match`/`match_phrase` queries only (never `query_string`), and filter values go into
`term` queries. Every limit below is a named constant with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.errors import InputError, UserFacingError
from core.limits import (
    MAX_FILTER_VALUES,
    MAX_NAME_CHARS,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
)

DEFAULT_PAGE_SIZE = 10

SORTS = ("relevance", "date")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SearchInputError(InputError):
    """The user asked for something invalid (bad date, too long a query, ...).

    `thai` is the same message in Thai, shown first on the web page.
    """

    def __init__(self, message: str, thai: str | None = None) -> None:
        super().__init__(message)
        self.thai = thai


class IndexMissing(UserFacingError):
    """No index behind the alias yet: nothing has been loaded."""


def index_missing_message(index: str) -> str:
    return f"no index '{index}' yet: run `bma-news run` first"


@dataclass(frozen=True)
class SearchParams:
    """A validated search request. Build it with `SearchParams.build(...)`."""

    query: str = ""
    persons: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def build(
        cls,
        query: str | None = "",
        *,
        persons: list[str] | tuple[str, ...] | str | None = None,
        organizations: list[str] | tuple[str, ...] | str | None = None,
        places: list[str] | tuple[str, ...] | str | None = None,
        categories: list[str] | tuple[str, ...] | str | None = None,
        sources: list[str] | tuple[str, ...] | str | None = None,
        date_from: str | date | None = None,
        date_to: str | date | None = None,
        sort: str | None = "relevance",
        page: int | str | None = 1,
        size: int | str | None = DEFAULT_PAGE_SIZE,
        max_size: int = MAX_PAGE_SIZE,
    ) -> SearchParams:
        text = clean_query(query)
        start = parse_date(date_from, "from")
        end = parse_date(date_to, "to")
        if start and end and start > end:
            raise SearchInputError(f"the 'from' date {start} is after the 'to' date {end}",
                                   "วันที่เริ่มต้นอยู่หลังวันที่สิ้นสุด")
        sort = (sort or "relevance").strip().lower()
        if sort not in SORTS:
            raise SearchInputError(f"sort must be one of {', '.join(SORTS)}, not {sort[:20]!r}")
        page_no = parse_int(page, "page", default=1, low=1, high=MAX_RESULT_WINDOW)
        page_size = parse_int(size, "size", default=DEFAULT_PAGE_SIZE, low=1, high=max_size)
        if (page_no - 1) * page_size + page_size > MAX_RESULT_WINDOW:
            raise SearchInputError(
                f"page {page_no} is too deep: only the first {MAX_RESULT_WINDOW:,} results "
                "can be paged through; narrow the search or use the export")
        return cls(
            query=text,
            persons=names(persons, "person"),
            organizations=names(organizations, "organization"),
            places=names(places, "place"),
            categories=names(categories, "category"),
            sources=names(sources, "source"),
            date_from=start,
            date_to=end,
            sort=sort,
            page=page_no,
            size=page_size,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def has_filters(self) -> bool:
        return bool(self.persons or self.organizations or self.places or self.categories
                    or self.sources or self.date_from or self.date_to)


def clean_query(query: str | None) -> str:
    text = _CONTROL.sub(" ", query or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        raise SearchInputError(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS} "
            "(search for a few words or a name)",
            f"คำค้นยาว {len(text):,} ตัวอักษร เกินกำหนด {MAX_QUERY_CHARS} ตัวอักษร "
            "กรุณาค้นด้วยคำสำคัญหรือชื่อ")
    return text


def parse_date(value: str | date | None, which: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise SearchInputError(
            f"the '{which}' date {value[:40]!r} is not a date like 2023-10-16 "
            "(YYYY-MM-DD, Gregorian)",
            "วันที่ไม่ถูกต้อง ใช้รูปแบบ ปี ค.ศ.-เดือน-วัน เช่น 2023-10-16") from None


def parse_int(value: int | str | None, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SearchInputError(f"{name} must be a whole number, not {str(value)[:20]!r}") from None
    if not low <= number <= high:
        raise SearchInputError(f"{name} must be between {low} and {high}, not {number}")
    return number


def names(values: list[str] | tuple[str, ...] | str | None, what: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    cleaned: list[str] = []
    for value in values:
        value = " ".join(_CONTROL.sub(" ", value or "").split())
        if not value:
            continue
        if len(value) > MAX_NAME_CHARS:
            raise SearchInputError(f"the {what} name is longer than {MAX_NAME_CHARS} characters")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_FILTER_VALUES:
        raise SearchInputError(f"at most {MAX_FILTER_VALUES} {what} filters at once")
    return tuple(cleaned)
