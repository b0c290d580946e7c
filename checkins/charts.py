"""The one engine for the server-rendered SVG charts: pure geometry, no database and no words.

A person's own history (`checkins.views`) and the team dashboard (`supervision.dashboard`) both
build a `Chart` here and draw it with the one template `checkins/_chart_svg.html`:

- a `Frame` (the SVG's size and the plot's margins) and a `Scale` that maps a position along x
  (a day of a range, or the n-th week) and a value on y to SVG coordinates;
- value grid lines with their labels, date ticks along the bottom;
- `line()`: a series as polylines and marker shapes, where a missing point (None) breaks the
  line and draws nothing, so a week withheld for anonymity leaves no trace;
- marker shapes that tell series apart without colour (`STYLES`, `marker_path`);
- horizontal band strips (lighter, noticeable, heavy), blank columns for missing positions,
  upright rules (team actions), and the rails of exposure triangles and day-off squares.

A history range longer than WEEKLY_AFTER_DAYS is drawn as weekly means (one point per ISO week,
at its Thursday) inside a shaded bar from that week's lowest to its highest day, so a year reads
as 52 points, not 365.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .insights import HIGH_FROM, MODERATE_FROM

WEEKLY_AFTER_DAYS = 12 * 7
# Line styles and marker shapes tell series apart without colour.
STYLES = (("solid", "circle"), ("dashed", "square"), ("dotted", "triangle"), ("dashdot", "diamond"))

Number = Decimal | float | int


@dataclass(frozen=True)
class Frame:
    """An SVG's size and its plot's edges (axis labels and rails live in the margins around it)."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @classmethod
    def margins(cls, width: int, height: int, left: int, right: int, top: int, bottom: int) -> Frame:
        return cls(width, height, left, width - right, top, height - bottom)

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top


HISTORY_FRAME = Frame.margins(width=640, height=220, left=40, right=12, top=22, bottom=42)


@dataclass(frozen=True)
class Scale:
    """Positions 0 … count-1 spread from the plot's left to its right edge (one position alone sits
    in the middle); values from `low` at the bottom to `high` at the top."""

    frame: Frame
    count: int
    low: Number = 0
    high: Number = 4

    @property
    def slot(self) -> float:
        """The distance between two neighbouring positions."""
        return self.frame.plot_width / max(1, self.count - 1)

    def x(self, position: float) -> float:
        if self.count <= 1:
            return round(self.frame.plot_left + self.frame.plot_width / 2, 1)
        return round(self.frame.plot_left + self.frame.plot_width * position / (self.count - 1), 1)

    def y(self, value: Number) -> float:
        share = (float(self.high) - float(value)) / (float(self.high) - float(self.low))
        return round(self.frame.plot_top + self.frame.plot_height * share, 1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """One line: polylines through runs of points, and a marker shape at each point."""

    points: list[Point]
    segments: list[str]  # polyline "x,y x,y" strings; a missing point breaks the line
    style: str = "solid"
    marker: str = "circle"
    label: str = ""
    size: float = 5

    @property
    def markers(self) -> list[str]:
        return [marker_path(self.marker, point.x, point.y, self.size) for point in self.points]


@dataclass(frozen=True)
class Tick:
    x: float
    day: date
    monthly: bool = False  # labelled with the month alone
    anchor: str = "middle"
    minor: bool = False  # left out on a narrow screen, where the labels would touch


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class Band:
    """A shaded horizontal strip behind the plot: `name` is lighter/noticeable/heavy as low/moderate/high."""

    name: str
    y: float
    height: float


@dataclass(frozen=True)
class Strip:
    """A shaded column one position wide: a position with nothing to show (a withheld week)."""

    x: float
    width: float


@dataclass(frozen=True)
class Rule:
    """An upright dashed line across the plot with a short label above it (a team action)."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    frame: Frame
    series: list[Series]
    grid: list[GridLine]
    ticks: list[Tick]
    bands: list[Band] = field(default_factory=list)
    strips: list[Strip] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)  # weekly view: polygon point strings, lowest to highest
    rules: list[Rule] = field(default_factory=list)
    exposure_marks: list[str] = field(default_factory=list)  # polygon point strings (triangles, top rail)
    day_off_marks: list[tuple[float, float]] = field(default_factory=list)  # top-left corners of squares


# --- Building blocks ----------------------------------------------------------------------------


def marker_path(shape: str, x: float, y: float, r: float = 5) -> str:
    """An SVG path for a point: circle, square, triangle or diamond, centred on (x, y)."""
    if shape == "square":
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y + r:.1f}L{x - r - 1:.1f},{y + r:.1f}z"
    if shape == "diamond":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}z"
    return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0"


def line(
    scale: Scale,
    values: Iterable[tuple[float, Number] | None],
    style: str = "solid",
    marker: str = "circle",
    label: str = "",
    size: float = 5,
) -> Series:
    """A series through (position, value) pairs in order. A None is a missing point: it breaks the
    line and nothing of it is drawn. A point alone between two breaks stays a marker without a line."""
    points: list[Point] = []
    runs: list[list[Point]] = [[]]
    for item in values:
        if item is None:
            runs.append([])
            continue
        position, value = item
        point = Point(scale.x(position), scale.y(value))
        points.append(point)
        runs[-1].append(point)
    segments = [" ".join(f"{p.x},{p.y}" for p in run) for run in runs if len(run) > 1]
    return Series(points, segments, style, marker, label, size)


def grid(scale: Scale, step: Number = 1) -> list[GridLine]:
    """A labelled line at every `step` from the scale's low to its high value."""
    lines = []
    value = Decimal(str(scale.low))
    while value <= Decimal(str(scale.high)):
        lines.append(GridLine(y=scale.y(value), label=f"{float(value):g}"))
        value += Decimal(str(step))
    return lines


def bands(scale: Scale, edges: Sequence[tuple[str, Number, Number]]) -> list[Band]:
    """Strips from one value to another, (name, from, to) each; neighbours meet exactly."""
    return [Band(name, scale.y(upper), scale.y(lower) - scale.y(upper)) for name, lower, upper in edges]


SCORE_BANDS: tuple[tuple[str, Number, Number], ...] = (
    ("low", 0, MODERATE_FROM),
    ("moderate", MODERATE_FROM, HIGH_FROM),
    ("high", HIGH_FROM, 4),
)


def strip(scale: Scale, position: float) -> Strip:
    """A column one slot wide centred on `position`, kept inside the plot."""
    centre = scale.x(position)
    left = max(scale.frame.plot_left, centre - scale.slot / 2)
    right = min(scale.frame.plot_right, centre + scale.slot / 2)
    return Strip(round(left, 1), round(right - left, 1))


def spaced_ticks(scale: Scale, days: Sequence[date], most: int) -> list[Tick]:
    """About `most` labels over one position per day in `days`, counted back from the newest so it
    is always labelled; the outer labels are anchored inwards so they stay inside the chart."""
    every = max(1, round(len(days) / most))
    last = len(days) - 1
    return [
        Tick(
            x=scale.x(i),
            day=days[i],
            anchor="end" if i == last and last > 0 else ("start" if i == 0 else "middle"),
        )
        for i in range(last, -1, -every)
    ][::-1]


def calendar_ticks(scale: Scale, first: date, last: date) -> list[Tick]:
    """For a range of days (position = days since `first`): week starts for short ranges, month
    starts for a year (every other one left out on a narrow screen)."""
    span = (last - first).days + 1
    ticks = []
    day = first
    while day <= last:
        if span > 100:
            if day.day == 1:
                ticks.append(Tick(x=scale.x((day - first).days), day=day, monthly=True, minor=day.month % 2 == 0))
        elif day.weekday() == 0 and (span <= 35 or (day - first).days % 14 < 7):
            ticks.append(Tick(x=scale.x((day - first).days), day=day))
        day += timedelta(days=1)
    return ticks


def range_bar(scale: Scale, position: float, lowest: Number, highest: Number) -> str:
    """A narrow bar from `lowest` to `highest` (polygon points); a thin one when they are alike."""
    x = scale.x(position)
    top, bottom = scale.y(highest), scale.y(lowest)
    if bottom - top < 2:
        top, bottom = top - 1, bottom + 1
    return f"{x - 3},{top} {x + 3},{top} {x + 3},{bottom} {x - 3},{bottom}"


# --- A person's history -------------------------------------------------------------------------


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


def _with_breaks(dated: list[tuple[date, float, Decimal]], gap: timedelta) -> list[tuple[float, Decimal] | None]:
    """(position, value) pairs with a None wherever more than `gap` passes between two of them."""
    out: list[tuple[float, Decimal] | None] = []
    for index, (day, position, value) in enumerate(dated):
        if index and day - dated[index - 1][0] > gap:
            out.append(None)
        out.append((position, value))
    return out


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
    """A history chart of daily `values`, or of `weeks` (weekly means with their ranges) when given.
    A gap of more than a week (two weeks, weekly) between points breaks the line."""
    frame = HISTORY_FRAME
    scale = Scale(frame, (last - first).days + 1, low, high)
    ranges: list[str] = []
    if weeks is None:
        dated = [(day, float((day - first).days), value) for day, value in sorted(values) if first <= day <= last]
        gap = timedelta(days=7)
    else:
        dated = []
        for week in weeks:
            thursday = min(max(week.monday + timedelta(days=3), first), last)
            dated.append((week.monday, float((thursday - first).days), week.mean))
            ranges.append(range_bar(scale, (thursday - first).days, week.lowest, week.highest))
        gap = timedelta(days=14)
    top_rail = frame.plot_top - 12
    bottom_rail = frame.plot_bottom + 6
    exposure_marks = []
    for day in sorted(set(exposure_dates)):
        if first <= day <= last:
            x = scale.x((day - first).days)
            exposure_marks.append(f"{x - 5},{top_rail + 8} {x + 5},{top_rail + 8} {x},{top_rail}")
    day_off_marks = [
        (scale.x((day - first).days) - 4, float(bottom_rail))
        for day in sorted(set(day_off_dates))
        if first <= day <= last
    ]
    return Chart(
        frame=frame,
        series=[line(scale, _with_breaks(dated, gap), size=3.5)],
        grid=grid(scale),
        ticks=calendar_ticks(scale, first, last),
        bands=bands(scale, SCORE_BANDS) if banded else [],
        ranges=ranges,
        exposure_marks=exposure_marks,
        day_off_marks=day_off_marks,
    )
