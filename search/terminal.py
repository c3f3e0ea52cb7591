"""Readable terminal output for search results and entity counts."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.thai_calendar import gregorian_date, parse_display_date, thai_date
from search.entities import LABEL_NAMES, EntityCount
from search.highlight import Fragment
from search.names import NameStats
from search.query import SearchResult

MARK_STYLE = "bold black on yellow"


def rich_fragment(fragment: Fragment) -> Text:
    text = Text(fragment.plain())
    shift = 1 if fragment.cut_before else 0
    for start, end in fragment.marks:
        text.stylize(MARK_STYLE, start + shift, end + shift)
    return text


def print_result(result: SearchResult, console: Console | None = None) -> None:
    console = console or Console(highlight=False, markup=False)
    params = result.params
    shown = f"{params.offset + 1}-{params.offset + len(result.hits)}" if result.hits else "0"
    console.print(f"{result.total_text} releases / ผลลัพธ์ {result.total_text} รายการ "
                  f"(showing {shown})")
    if not result.hits:
        return
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("วันที่ / Date", no_wrap=True)
    table.add_column("ข่าว / Release", ratio=1)
    for number, hit in enumerate(result.hits, start=params.offset + 1):
        cell = Text()
        cell.append_text(rich_fragment(hit.title_mark))
        cell.stylize("bold", 0, len(cell))
        for fragment in hit.highlights[:2] if hit.highlights else [hit.snippet]:
            if fragment is hit.title_mark:
                continue
            cell.append("\n")
            cell.append_text(rich_fragment(fragment))
        people = [e["canonical"] for e in hit.entities if e["label"] == "PERSON"][:4]
        if people:
            cell.append("\n" + ", ".join(people), style="cyan")
        cell.append("\n" + hit.url, style="dim")
        when = parse_display_date(hit.published_at)
        day = f"{thai_date(when)}\n{gregorian_date(when)}" if when else ""
        table.add_row(str(number), day, cell)
    console.print(table)
    facets = result.facets
    for title, values in (("บุคคล / People", facets.persons),
                          ("หน่วยงาน / Organizations", facets.organizations),
                          ("สถานที่ / Places", facets.places)):
        if values:
            listed = ", ".join(f"{v.value} ({v.count})" for v in values[:5])
            console.print(f"{title}: {listed}")


def print_entities(found: list[EntityCount], console: Console | None = None) -> None:
    console = console or Console(highlight=False, markup=False)
    if not found:
        console.print("no entities / ไม่พบ")
        return
    table = Table()
    table.add_column("ชื่อ / Name")
    table.add_column("ประเภท / Type")
    table.add_column("ข่าว / Releases", justify="right")
    for entity in found:
        table.add_row(entity.canonical, LABEL_NAMES.get(entity.label, entity.label),
                      str(entity.count))
    console.print(table)


def print_names(found: list[NameStats], console: Console | None = None) -> None:
    """The name list as a table: releases, how they matched, first and last mention."""
    console = console or Console(highlight=False, markup=False)
    table = Table(show_lines=True)
    table.add_column("ชื่อ / Name")
    table.add_column("ข่าว / Releases", justify="right")
    table.add_column("พบจาก / Matched by")
    table.add_column("ครั้งแรก / First", no_wrap=True)
    table.add_column("ล่าสุด / Last", no_wrap=True)
    table.add_column("กล่าวถึงร่วมกับ / Named with")
    for stats in found:
        name = Text(stats.name, style="bold")
        if stats.canonical != stats.name:
            name.append(f"\n= {stats.canonical}", style="cyan")
        days = [parse_display_date(d) for d in (stats.first_mention, stats.last_mention)]
        first, last = (f"{thai_date(d)}\n{gregorian_date(d)}" if d else "-" for d in days)
        table.add_row(name, str(stats.releases), stats.matched_by, first, last,
                      ", ".join(f"{e.canonical} ({e.count})" for e in stats.co_mentions))
    console.print(table)
    console.print(f"{len(found)} names / {len(found)} ชื่อ, "
                  f"{sum(1 for s in found if s.releases)} found in the releases")
