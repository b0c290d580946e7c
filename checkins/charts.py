"""Geometry for the server-rendered SVG history charts: pure functions, no database.

A chart plots one score per check-in date over a fixed range of days: the 0–4 scores over
shaded band strips, or mood and energy on their own 1–5 scale without bands. Days off
are marked with a square on the bottom rail and exposure days with a triangle on the
top rail, so the marks differ in shape, not only in colour.

A range longer than WEEKLY_AFTER_DAYS is drawn as weekly means (one point per ISO week, at
its Thursday) inside a shaded band from that week's lowest to its highest day, so a year
reads as 52 points, not 365.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .insights import HIGH_FROM, MODERATE_FROM

WIDTH = 640
HEIGHT = 220
LEFT = 40
RIGHT = 12
TOP = 22
BOTTOM = 42
MAX_SCORE = Decimal(4)
WEEKLY_AFTER_DAYS = 12 * 7


@dataclass(frozen=True)
class Week:
    monday: date
    mean: Decimal
    lowest: Decimal
    highest: Decimal
    days: int


def weekly(values: Iterable[tuple[date, Decimal]]) -> list[Week]:
    """Each ISO week's mean, lowest and highest value, oldest first (weeks without values are left out)."""
    by_week: dict[date, list[Decimal]] = {}
    for day, value in values:
        if value is not None:
            by_week.setdefault(day - timedelta(days=day.weekday()), []).append(Decimal(value))
    return [
        Week(
            monday=monday,
            mean=(sum(found, Decimal(0)) / len(found)).quantize(Decimal("0.01")),
            lowest=min(found),
            highest=max(found),
            days=len(found),
        )
        for monday, found in sorted(by_week.items())
    ]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    local_date: date
    value: Decimal


@dataclass(frozen=True)
class Tick:
    x: float
    day: date
    monthly: bool


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    segments: list[str]  # polyline "x,y x,y" strings; a gap of more than a week breaks the line
    exposure_marks: list[str]  # polygon point strings (triangles)
    day_off_marks: list[tuple[float, float]]  # top-left corners of squares
    ticks: list[Tick]
    grid: list[GridLine]
    bands: dict[str, tuple[float, float]]  # band name -> (y, height) of its shaded strip
    ranges: list[str] = field(default_factory=list)  # weekly view: polygon point strings, lowest to highest
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left


def _x(day: date, first: date, span_days: int) -> float:
    usable = WIDTH - LEFT - RIGHT
    offset = (day - first).days
    return round(LEFT + usable * (offset / max(span_days - 1, 1)), 1)


def _y(value: Decimal, low: int = 0, high: int = 4) -> float:
    usable = HEIGHT - TOP - BOTTOM
    return round(TOP + usable * float((Decimal(high) - Decimal(value)) / Decimal(high - low)), 1)


def build_chart(
    values: Iterable[tuple[date, Decimal]],
    first: date,
    last: date,
    exposure_dates: Iterable[date] = (),
    day_off_dates: Iterable[date] = (),
    low: int = 0,
    high: int = 4,
    banded: bool = True,
    weeks: list[Week] | None = None,
) -> Chart:
    """A chart of daily `values`, or of `weeks` (weekly means with their ranges) when given."""
    span = (last - first).days + 1

    def y(value: Decimal) -> float:
        return _y(value, low, high)

    if weeks is None:
        points = [
            Point(x=_x(day, first, span), y=y(value), local_date=day, value=value)
            for day, value in sorted(values)
            if first <= day <= last and value is not None
        ]
        ranges: list[str] = []
        gap = timedelta(days=7)
    else:
        middle = [(week, min(max(week.monday + timedelta(days=3), first), last)) for week in weeks]
        points = [
            Point(x=_x(day, first, span), y=y(week.mean), local_date=week.monday, value=week.mean)
            for week, day in middle
        ]
        ranges = []
        for week, day in middle:
            x = _x(day, first, span)
            top, bottom = y(week.highest), y(week.lowest)
            if bottom - top < 2:  # one value or all alike: a thin bar still shows the week
                top, bottom = top - 1, bottom + 1
            ranges.append(f"{x - 3},{top} {x + 3},{top} {x + 3},{bottom} {x - 3},{bottom}")
        gap = timedelta(days=14)
    segments: list[list[Point]] = []
    for point in points:
        if segments and (point.local_date - segments[-1][-1].local_date) <= gap:
            segments[-1].append(point)
        else:
            segments.append([point])
    top_rail = TOP - 12
    bottom_rail = HEIGHT - BOTTOM + 6
    exposure_marks = []
    for day in sorted(set(exposure_dates)):
        if first <= day <= last:
            x = _x(day, first, span)
            exposure_marks.append(f"{x - 5},{top_rail + 8} {x + 5},{top_rail + 8} {x},{top_rail}")
    day_off_marks = [
        (_x(day, first, span) - 4, float(bottom_rail)) for day in sorted(set(day_off_dates)) if first <= day <= last
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        segments=[" ".join(f"{p.x},{p.y}" for p in segment) for segment in segments if len(segment) > 1],
        exposure_marks=exposure_marks,
        day_off_marks=day_off_marks,
        ticks=_ticks(first, last, span),
        grid=[GridLine(y=y(Decimal(level)), label=str(level)) for level in range(low, high + 1)],
        bands={
            "low": (_y(MODERATE_FROM), _y(Decimal(0)) - _y(MODERATE_FROM)),
            "moderate": (_y(HIGH_FROM), _y(MODERATE_FROM) - _y(HIGH_FROM)),
            "high": (_y(MAX_SCORE), _y(HIGH_FROM) - _y(MAX_SCORE)),
        }
        if banded
        else {},
        ranges=ranges,
    )


def _ticks(first: date, last: date, span: int) -> list[Tick]:
    """Week starts for short ranges, month starts for a year."""
    ticks = []
    day = first
    while day <= last:
        if span > 100:
            if day.day == 1:
                ticks.append(Tick(x=_x(day, first, span), day=day, monthly=True))
        elif day.weekday() == 0 and (span <= 35 or (day - first).days % 14 < 7):
            ticks.append(Tick(x=_x(day, first, span), day=day, monthly=False))
        day += timedelta(days=1)
    return ticks
