"""What a dashboard, export or digest shows for one unit: titled charts by measure family, their
tables, a one-line reading each, and the team's actions as markers.

Pure functions over a `publishing.PublishedGrid`; they only ever read stored, published cells.
Adding a measure family is one entry in FAMILIES; the reflective-supervision prompts are the
rules in `supervision.prompts`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from checkins import charts as engine
from checkins.models import BUILTIN_PRACTICE_NAMES

from .anonymity import Period, Reason, Unit
from .publishing import PublishedGrid as Grid
from .trends import MEASURE_BY_KEY, MEASURES

# The team charts' size and margins: room for "100" on the left and action numbers above.
FRAME = engine.Frame.margins(width=640, height=240, left=56, right=16, top=26, bottom=40)
# About four dates along the bottom: they stay readable at 12 px on a 390 px phone.
X_LABELS = 4

STYLE_WORDS = {
    "solid": gettext_lazy("solid line, round points"),
    "dashed": gettext_lazy("dashed line, square points"),
    "dotted": gettext_lazy("dotted line, triangle points"),
    "dashdot": gettext_lazy("dash-dot line, diamond points"),
}


@dataclass(frozen=True)
class Family:
    """One titled chart (or, without chart keys, only a table) of related measures."""

    slug: str
    title: Any
    chart_keys: tuple[str, ...]
    # The table behind the chart: its measures, in order (the chart's when empty).
    table_keys: tuple[str, ...] = ()
    top: float = 4
    step: float = 1
    # Changes smaller than this read "about the same".
    same_within: Decimal = Decimal("0.1")
    # The axis grows to fit, in whole steps, for measures without a natural top (days since time off).
    grows: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return self.table_keys or self.chart_keys


FAMILIES: tuple[Family, ...] = (
    Family(
        "sts",
        gettext_lazy(
            "Average of the nine signs: how much the work is weighing on the team (0 = not at all, 4 = a lot)"
        ),
        ("sts_index",),
    ),
    Family(
        "clusters",
        gettext_lazy("The four groups of signs (0 = not at all, 4 = a lot)"),
        ("intrusion", "avoidance", "arousal", "exhaustion"),
    ),
    Family(
        "high_share",
        gettext_lazy("Share of check-ins that were heavy"),
        ("high_share",),
        top=100,
        step=25,
        same_within=Decimal(5),
    ),
    Family(
        "exposure",
        gettext_lazy("Days with distressing material, per person"),
        ("exposure_days",),
        top=7,
        step=1,
        same_within=Decimal("0.3"),
    ),
    Family("workload", gettext_lazy("How manageable the workload felt (0 = not at all, 4 = fully)"), ("workload",)),
    Family(
        "moral_distress",
        gettext_lazy(
            "How much the gap between need and what people could give weighed on them (0 = not at all, 4 = a lot)"
        ),
        ("moral_distress",),
    ),
    Family(
        "made_difference",
        gettext_lazy("How much people felt their work made a difference (0 = not at all, 4 = a lot)"),
        ("made_difference",),
    ),
    Family(
        "time_off",
        gettext_lazy("Days since time off (median)"),
        ("days_since_time_off",),
        top=28,
        step=7,
        same_within=Decimal(3),
        grows=True,
    ),
    Family(
        "participation",
        gettext_lazy("Participation: share of the team who checked in"),
        ("participation",),
        table_keys=("people", "participation"),
        top=100,
        step=25,
        same_within=Decimal(5),
    ),
    Family("practices", gettext_lazy("Most-used Reset practices"), (), table_keys=("top_practices",)),
)
FAMILY_BY_SLUG = {family.slug: family for family in FAMILIES}


# --- Dates in the viewer's language -----------------------------------------------------------


def week_label(period: Period) -> str:
    """'week of 9 Mar 2026' in the active language."""
    return _week_label(period.start, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _week_label(start: dt.date, language: str | None) -> str:
    # A dashboard labels each week once per table (dozens of tables of a year's weeks), and
    # formatting a date in a language is slow: each (week, language) is formatted once.
    return _("week of %(day)s") % {"day": date_format(start, "j M Y")}


def practice_names(names: Sequence[str]) -> list[str]:
    """Published practice names, the built-in ones in the active language."""
    with translation.override("en"):
        english = {str(label): key for key, label in BUILTIN_PRACTICE_NAMES.items()}
    return [str(BUILTIN_PRACTICE_NAMES[english[name]]) if name in english else name for name in names]


# --- Charts -----------------------------------------------------------------------------------


@dataclass
class ActionMarker:
    number: int
    day: str
    description: str
    # Done after the newest published week: marked at the right-hand edge until its week is shown.
    newer: bool = False


@dataclass
class Chart:
    """One family's chart: its words, and its drawing (`svg`: geometry from `checkins.charts`)."""

    slug: str
    title: str
    description: str
    reading: str
    svg: engine.Chart
    gap_note: str
    actions: list[ActionMarker]
    table: dict

    @property
    def legend(self) -> list[dict[str, str]]:
        """Each line's name and, in words, how it is drawn."""
        return [
            {"label": series.label, "style": series.style, "words": str(STYLE_WORDS[series.style])}
            for series in self.svg.series
        ]


def _value(grid: Grid, unit: Unit, period: Period, key: str):
    cell = grid.cell(unit, period, key)
    return cell.value if cell.published else None


def _top(grid: Grid, unit: Unit, family: Family) -> float:
    top = family.top
    if family.grows:
        values = [
            float(v) for key in family.chart_keys for p in grid.periods if (v := _value(grid, unit, p, key)) is not None
        ]
        while values and max(values) > top:
            top += family.step
    return top


def _display(key: str, cell) -> str:
    value = cell.value
    if value is None or value == ():
        return "—"
    if key == "top_practices":
        return ", ".join(practice_names(value))
    unit = MEASURE_BY_KEY[key].unit
    return f"{value}{unit}" if unit == "%" else (f"{value} {unit}" if unit else str(value))


def cell_text(grid: Grid, unit: Unit, period: Period, key: str) -> dict:
    cell = grid.cell(unit, period, key)
    if not cell.published:
        short = _("not published") if cell.reason is Reason.NOT_PUBLISHED else _("hidden")
        return {"text": short, "suppressed": True}
    text = _display(key, cell)
    if key == "people":
        text = _("%(people)s of %(members)s") % {"people": cell.value, "members": grid.members_in(unit, period)}
    return {"text": text, "suppressed": False}


def family_table(grid: Grid, unit: Unit, family: Family) -> dict[str, Any]:
    return {
        "columns": [str(MEASURE_BY_KEY[key].label) for key in family.keys],
        "rows": [
            {
                "period": week_label(period),
                "week": period.label,
                "cells": [cell_text(grid, unit, period, key) for key in family.keys],
            }
            for period in grid.periods
        ],
    }


def _gap_note(grid: Grid, unit: Unit, key: str) -> str:
    reasons = [cell.reason for cell in grid.series(unit, key) if not cell.published]
    unpublished = reasons.count(Reason.NOT_PUBLISHED)
    hidden = len(reasons) - unpublished
    parts = []
    if hidden:
        parts.append(
            ngettext(
                "%(count)d week is left blank: too few check-ins to show without identifying anyone.",
                "%(count)d weeks are left blank: too few check-ins to show without identifying anyone.",
                hidden,
            )
            % {"count": hidden}
        )
    if unpublished:
        parts.append(
            ngettext(
                "%(count)d week has no published figures: the team or group was not counted yet.",
                "%(count)d weeks have no published figures: the team or group was not counted yet.",
                unpublished,
            )
            % {"count": unpublished}
        )
    return " ".join(parts)


def reading(grid: Grid, unit: Unit, family: Family) -> str:
    """One plain line: last week's figure and how it compares with the week before."""
    if not grid.periods:
        return ""
    last = grid.periods[-1]
    before = grid.periods[-2] if len(grid.periods) > 1 else None
    if family.slug == "practices":
        names = _value(grid, unit, last, "top_practices")
        if not names:
            return _("No practice was used by enough people last week to name it.")
        return _("Last week: %(names)s.") % {"names": ", ".join(practice_names(names))}
    parts = []
    for key in family.chart_keys:
        now = _value(grid, unit, last, key)
        then = _value(grid, unit, before, key) if before else None
        label = str(MEASURE_BY_KEY[key].label)
        if now is None:
            parts.append(_("%(measure)s: hidden last week") % {"measure": label})
            continue
        shown = _display(key, grid.cell(unit, last, key))
        if then is None:
            words = _("%(measure)s: %(value)s last week") % {"measure": label, "value": shown}
        elif abs(now - then) < family.same_within:
            words = _("%(measure)s: %(value)s last week, about the same as the week before") % {
                "measure": label,
                "value": shown,
            }
        elif now > then:
            words = _("%(measure)s: %(value)s last week, up from the week before") % {"measure": label, "value": shown}
        else:
            words = _("%(measure)s: %(value)s last week, down from the week before") % {
                "measure": label,
                "value": shown,
            }
        parts.append(words)
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def chart(grid: Grid, unit: Unit, family: Family, actions: Sequence = ()) -> Chart:
    """One family's chart over the grid's weeks. A week withheld for anonymity is a missing point:
    no marker, a break in the line and a blank column, and its value never reaches the drawing."""
    periods = grid.periods
    scale = engine.Scale(FRAME, len(periods), 0, _top(grid, unit, family))
    series = [
        engine.line(
            scale,
            [
                (i, cell.value) if cell.published and cell.value is not None else None
                for i, cell in enumerate(grid.series(unit, key))
            ],
            style=style,
            marker=marker,
            label=str(MEASURE_BY_KEY[key].label),
        )
        for (style, marker), key in zip(engine.STYLES, family.chart_keys, strict=False)
    ]
    # A hidden week is a shaded gap, explained once under the chart.
    first_key = family.chart_keys[0]
    gaps = [engine.strip(scale, i) for i, cell in enumerate(grid.series(unit, first_key)) if not cell.published]
    markers: list[ActionMarker] = []
    rules: list[engine.Rule] = []
    index = {period: i for i, period in enumerate(periods)}
    for action in actions:
        at = index.get(Period.week_of(action.done_on))
        newer = action.done_on > periods[-1].end
        if at is not None or newer:
            number = len(markers) + 1
            markers.append(ActionMarker(number, date_format(action.done_on, "j M Y"), action.description, newer))
            rules.append(engine.Rule(float(FRAME.plot_right) if at is None else scale.x(at), str(number)))
    svg = engine.Chart(
        frame=FRAME,
        series=series,
        grid=engine.grid(scale, family.step),
        ticks=engine.spaced_ticks(scale, [period.start for period in periods], X_LABELS),
        strips=gaps,
        rules=rules,
    )
    names = ", ".join(line.label for line in series)
    gap_note = _gap_note(grid, unit, first_key)
    description = _("%(names)s for each week from the %(first)s to the %(last)s.") % {
        "names": names,
        "first": week_label(periods[0]),
        "last": week_label(periods[-1]),
    }
    if gap_note:
        description += " " + gap_note
    if markers:
        description += " " + ngettext(
            "A dashed upright line marks %(count)d team action, listed under the chart.",
            "Dashed upright lines mark %(count)d team actions, listed under the chart.",
            len(markers),
        ) % {"count": len(markers)}
    return Chart(
        family.slug,
        str(family.title),
        description,
        reading(grid, unit, family),
        svg,
        gap_note,
        markers,
        family_table(grid, unit, family),
    )


def charts(grid: Grid, unit: Unit, actions: Sequence = ()) -> list[Chart]:
    return [chart(grid, unit, family, actions) for family in FAMILIES if family.chart_keys]


def tables_only(grid: Grid, unit: Unit) -> list[dict]:
    """The families without a chart: a title, a reading and their table."""
    return [
        {
            "slug": family.slug,
            "title": str(family.title),
            "reading": reading(grid, unit, family),
            "table": family_table(grid, unit, family),
        }
        for family in FAMILIES
        if not family.chart_keys
    ]


def readings(grid: Grid, unit: Unit) -> list[dict]:
    return [{"title": str(family.title), "reading": reading(grid, unit, family)} for family in FAMILIES]


def export_rows(grid: Grid, units: list[Unit], actions: Sequence = ()) -> list[list[str]]:
    """Exactly the figures the dashboard shows, one row per unit × period × measure; then the
    team's actions (`actions`: the first unit's), one row each."""
    rows = [["group", "period", "period_start", "period_end", "measure", "value", "status"]]
    for unit in units:
        for period in grid.periods:
            for measure in MEASURES:
                cell = grid.cell(unit, period, measure.key)
                value = ""
                if cell.published:
                    # Practice names as stored: an export reads the same in every language.
                    practices = measure.key == "top_practices" and cell.value
                    value = ", ".join(cell.value) if practices else _display(measure.key, cell)
                if measure.key == "people" and cell.published:
                    value = f"{cell.value}/{grid.members_in(unit, period)}"
                if cell.reason is None:
                    status = "published"
                elif cell.reason is Reason.NOT_PUBLISHED:
                    status = "not published"
                else:
                    status = f"suppressed: {cell.reason.value}"
                rows.append(
                    [
                        grid.labels[unit],
                        period.label,
                        period.start.isoformat(),
                        period.end.isoformat(),
                        measure.key,
                        value,
                        status,
                    ]
                )
    if units:
        for action in actions:
            period = Period.week_of(action.done_on)
            rows.append(
                [
                    grid.labels[units[0]],
                    period.label,
                    action.done_on.isoformat(),
                    action.done_on.isoformat(),
                    "team_action",
                    action.description,
                    "team action",
                ]
            )
    return rows
