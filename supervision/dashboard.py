"""What a dashboard, export or digest shows for one unit: charts, table, changes and prompts.

Pure functions over a `publishing.PublishedGrid`; they only ever read stored, published cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .anonymity import Reason, Unit
from .publishing import PublishedGrid as Grid
from .trends import MEASURE_BY_KEY, MEASURES

CHART_WIDTH = 640
CHART_HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 34, 14, 34
# Line styles and marker shapes tell series apart without colour.
STYLES = (("solid", "circle"), ("dashed", "square"), ("dotted", "triangle"), ("dashdot", "diamond"))
INTRUSION_RISE = Decimal("0.3")
MANY_EXPOSURE_DAYS = Decimal("2.0")
LONG_WITHOUT_TIME_OFF = 28
LOW_PARTICIPATION = 50
HIGH_SHARE = 30
HARD_WORKLOAD = Decimal("1.5")


STYLE_WORDS = {
    "solid": gettext_lazy("solid line, round points"),
    "dashed": gettext_lazy("dashed line, square points"),
    "dotted": gettext_lazy("dotted line, triangle points"),
    "dashdot": gettext_lazy("dash-dot line, diamond points"),
}


@dataclass
class Series:
    label: str
    style: str
    marker: str
    segments: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)

    @property
    def style_words(self) -> str:
        return str(STYLE_WORDS[self.style])


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    caption: str
    y_ticks: list[dict]
    x_ticks: list[dict]
    series: list[Series]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def _marker_path(shape: str, x: float, y: float, r: float = 4.5) -> str:
    if shape == "square":
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y + r:.1f}L{x - r - 1:.1f},{y + r:.1f}z"
    if shape == "diamond":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}z"
    return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0"


def _chart(grid: Grid, unit: Unit, slug: str, title: str, keys: tuple[str, ...], top: float, step: float) -> Chart:
    periods = grid.periods
    inner_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM

    def x_at(i: int) -> float:
        return PAD_LEFT + (inner_w * i / (len(periods) - 1) if len(periods) > 1 else inner_w / 2)

    def y_at(value: float) -> float:
        return PAD_TOP + inner_h * (1 - value / top)

    series = []
    for (line, marker), key in zip(STYLES, keys, strict=False):
        item = Series(str(MEASURE_BY_KEY[key].label), line, marker)
        run: list[str] = []
        for i, cell in enumerate(grid.series(unit, key)):
            if cell.published and cell.value is not None:
                x, y = x_at(i), y_at(float(cell.value))
                run.append(f"{x:.1f},{y:.1f}")
                item.markers.append(_marker_path(marker, x, y))
            else:
                if len(run) > 1:
                    item.segments.append(" ".join(run))
                run = []
        if len(run) > 1:
            item.segments.append(" ".join(run))
        series.append(item)
    y_ticks, value = [], 0.0
    while value <= top + 1e-9:
        y_ticks.append({"y": round(y_at(value), 1), "label": f"{value:g}"})
        value += step
    every = max(1, round(len(periods) / 6))
    x_ticks = [{"x": round(x_at(i), 1), "label": periods[i].label} for i in range(len(periods) - 1, -1, -every)][::-1]
    reasons = [cell.reason for cell in grid.series(unit, keys[0]) if not cell.published]
    unpublished = reasons.count(Reason.NOT_PUBLISHED)
    hidden = len(reasons) - unpublished
    names = ", ".join(s.label for s in series)
    description = _("%(names)s for each week from %(first)s to %(last)s.") % {
        "names": names, "first": periods[0].label, "last": periods[-1].label,
    }
    if hidden:
        description += " " + ngettext(
            "%(count)d week is left blank: too few check-ins to show without identifying anyone.",
            "%(count)d weeks are left blank: too few check-ins to show without identifying anyone.",
            hidden,
        ) % {"count": hidden}
    if unpublished:
        description += " " + ngettext(
            "%(count)d week has no published figures: the team or group was not counted yet.",
            "%(count)d weeks have no published figures: the team or group was not counted yet.",
            unpublished,
        ) % {"count": unpublished}
    return Chart(slug, title, description, description, y_ticks, x_ticks, series)


def charts(grid: Grid, unit: Unit) -> list[Chart]:
    return [
        _chart(grid, unit, "sts", _("Team STS index, weekly mean"), ("sts_index",), 4, 1),
        _chart(
            grid, unit, "clusters", _("The four groups of signs, weekly means"),
            ("intrusion", "avoidance", "arousal", "exhaustion"), 4, 1,
        ),
        _chart(grid, unit, "participation", _("Participation: share of the team who checked in"),
               ("participation",), 100, 25),
    ]


def _display(key: str, cell) -> str:
    if not cell.published:
        return cell.text
    value = cell.value
    if value is None or value == ():
        return "—"
    if key == "top_practices":
        return ", ".join(value)
    unit = MEASURE_BY_KEY[key].unit
    return f"{value}{unit}" if unit == "%" else (f"{value} {unit}" if unit else str(value))


def table(grid: Grid, unit: Unit) -> dict[str, Any]:
    columns = [str(measure.label) for measure in MEASURES]
    rows = []
    for period in grid.periods:
        cells = []
        for measure in MEASURES:
            cell = grid.cell(unit, period, measure.key)
            text = _display(measure.key, cell)
            if measure.key == "people" and cell.published:
                text = _("%(people)s of %(members)s") % {
                    "people": cell.value, "members": grid.members_in(unit, period)
                }
            cells.append({"text": text, "suppressed": not cell.published})
        rows.append({"period": period.label, "cells": cells})
    return {"columns": columns, "rows": rows}


def export_rows(grid: Grid, units: list[Unit]) -> list[list[str]]:
    """Exactly the table the dashboard shows, one row per unit × period × measure."""
    rows = [["group", "period", "period_start", "period_end", "measure", "value", "status"]]
    for unit in units:
        for period in grid.periods:
            for measure in MEASURES:
                cell = grid.cell(unit, period, measure.key)
                value = _display(measure.key, cell) if cell.published else ""
                if measure.key == "people" and cell.published:
                    value = f"{cell.value}/{grid.members_in(unit, period)}"
                if cell.published:
                    status = "published"
                elif cell.reason is Reason.NOT_PUBLISHED:
                    status = "not published"
                else:
                    status = f"suppressed: {cell.reason.value}"
                rows.append([
                    grid.labels[unit], period.label, period.start.isoformat(), period.end.isoformat(),
                    measure.key, value, status,
                ])
    return rows


@dataclass
class Change:
    label: str
    direction: str  # "up", "down" or "same"
    words: str


def changes(grid: Grid, unit: Unit) -> list[Change]:
    """Last week against the week before, for measures shown in both."""
    if len(grid.periods) < 2:
        return []
    last, before = grid.periods[-1], grid.periods[-2]
    found = []
    for key in ("sts_index", "intrusion", "avoidance", "arousal", "exhaustion", "participation"):
        now, then = grid.cell(unit, last, key), grid.cell(unit, before, key)
        if not (now.published and then.published and now.value is not None and then.value is not None):
            continue
        delta = now.value - then.value
        label = str(MEASURE_BY_KEY[key].label)
        suffix = MEASURE_BY_KEY[key].unit if key == "participation" else ""
        if delta > 0:
            words = _("up %(delta)s%(unit)s on the week before") % {"delta": delta, "unit": suffix}
            direction = "up"
        elif delta < 0:
            words = _("down %(delta)s%(unit)s on the week before") % {"delta": -delta, "unit": suffix}
            direction = "down"
        else:
            words, direction = _("the same as the week before"), "same"
        found.append(Change(label, direction, words))
    return found


def prompts(grid: Grid, unit: Unit) -> list[str]:
    """Reflective-supervision prompts drawn from the published trend of the last weeks."""
    if not grid.periods:
        return []
    last = grid.periods[-1]
    before = grid.periods[-2] if len(grid.periods) > 1 else None

    def value(period, key):
        if period is None:
            return None
        cell = grid.cell(unit, period, key)
        return cell.value if cell.published else None

    found: list[str] = []
    intrusion_now, intrusion_then = value(last, "intrusion"), value(before, "intrusion")
    exposure = max((v for v in (value(before, "exposure_days"), value(last, "exposure_days")) if v is not None),
                   default=None)
    if intrusion_now is not None and intrusion_then is not None and intrusion_now - intrusion_then >= INTRUSION_RISE:
        if exposure is not None and exposure >= MANY_EXPOSURE_DAYS:
            found.append(_(
                "Intrusive thoughts rose after weeks with many days of distressing material. A team "
                "decompression or a structured debrief could help people set down what they have been carrying."
            ))
        else:
            found.append(_(
                "Intrusive thoughts rose last week. Supervision could make room for what stayed with people."
            ))
    days = value(last, "days_since_time_off")
    if days is not None and days >= LONG_WITHOUT_TIME_OFF:
        found.append(_(
            "For most of the team it has been %(days)s days or more since time off. Encouraging people to "
            "book leave, and protecting it, is a kind thing to do now."
        ) % {"days": days})
    participation = value(last, "participation")
    if participation is not None and participation < LOW_PARTICIPATION:
        found.append(_(
            "Fewer people checked in lately. Keep it voluntary: a friendly word to the whole team is enough. "
            "Never ask who did or did not check in."
        ))
    high = value(last, "high_share")
    if high is not None and high >= HIGH_SHARE:
        found.append(_(
            "Many check-ins were in the high band. Looking at caseload and exposure together in supervision "
            "may help."
        ))
    workload = value(last, "workload")
    if workload is not None and workload <= HARD_WORKLOAD:
        found.append(_("The caseload felt hard to manage. A team conversation about priorities may help."))
    practices = value(last, "top_practices")
    if not found and practices:
        found.append(_(
            "The team leaned on %(practices)s. You might ask what helps most, and how to make room for it."
        ) % {"practices": ", ".join(practices)})
    return found
