"""A bar chart of releases per month as plain geometry for an inline SVG (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from search.facets import MonthCount

WIDTH = 600
HEIGHT = 160
# The chart beside the results is narrower; the same text size stays readable.
SIDEBAR_WIDTH = 300
SIDEBAR_HEIGHT = 130
LABEL_SPACE = 2  # below the bars (the month labels are HTML, so they stay readable)
GAP = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: MonthCount


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    baseline: float
    total: int


def month_chart(months: list[MonthCount], width: int = WIDTH,
                height: int = HEIGHT) -> Chart | None:
    if not months:
        return None
    peak = max(m.count for m in months) or 1
    area = height - LABEL_SPACE
    step = width / len(months)
    bar_width = max(step - GAP, 1.0)
    bars = []
    for i, month in enumerate(months):
        bar_height = round(area * month.count / peak, 1)
        if month.count and bar_height < 2:
            bar_height = 2.0  # a month with a release stays visible
        bars.append(Bar(round(i * step, 1), round(area - bar_height, 1), round(bar_width, 1),
                        bar_height, month))
    return Chart(width, height, bars, peak, area, sum(m.count for m in months))
