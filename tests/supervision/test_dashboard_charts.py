"""The team charts drawn through the shared engine: withheld weeks are missing points, team actions
are upright rules, and nothing of a withheld week reaches the SVG or its text."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from checkins import charts as engine
from supervision import dashboard
from supervision.anonymity import Cell, Period, Reason, team_unit

UNIT = team_unit(1)
MONDAY = dt.date(2026, 3, 2)
PERIODS = [Period.week_of(MONDAY + dt.timedelta(weeks=n)) for n in range(5)]
# A value no published cell has: if it leaks anywhere, the test sees it.
WITHHELD = Decimal("3.77")


class Grid:
    """The part of a PublishedGrid the charts read; week 2 (index 1) is withheld for anonymity and,
    unlike a stored one, still carries a value, so a leak would show."""

    periods = PERIODS
    labels = {UNIT: "Team A"}

    def cell(self, unit, period, key):
        index = PERIODS.index(period)
        if index == 1:
            return Cell(WITHHELD, Reason.TOO_FEW)
        if index == 3 and key == "avoidance":
            return Cell(None, Reason.NOT_PUBLISHED)
        return Cell(Decimal("1.25") + Decimal(index) / 4)

    def series(self, unit, key):
        return [self.cell(unit, period, key) for period in PERIODS]

    def members_in(self, unit, period):
        return 6


def _chart(family_slug, actions=()):
    return dashboard.chart(Grid(), UNIT, dashboard.FAMILY_BY_SLUG[family_slug], actions)


def test_a_withheld_week_is_a_missing_point_a_break_in_the_line_and_a_blank_column():
    chart = _chart("sts")
    (series,) = chart.svg.series
    scale = engine.Scale(dashboard.FRAME, len(PERIODS), 0, 4)
    assert [point.x for point in series.points] == [scale.x(i) for i in (0, 2, 3, 4)]
    assert len(series.segments) == 1 and len(series.segments[0].split()) == 3  # week 1 stays a lone marker
    assert chart.svg.strips == [engine.strip(scale, 1)]
    assert "1 week is left blank" in chart.gap_note and chart.gap_note in chart.description


def test_a_withheld_week_leaves_no_value_in_the_svg_or_its_text():
    chart = _chart("sts")
    html = render_to_string("supervision/_chart.html", {"chart": chart, "trend": {"prefix": "team-a"}})
    withheld_y = engine.Scale(dashboard.FRAME, len(PERIODS), 0, 4).y(WITHHELD)
    assert str(WITHHELD) not in html and "3,77" not in html
    assert f",{withheld_y}" not in html and f",{withheld_y:.1f}" not in html
    assert html.count('class="gap"') == 1
    assert "hidden" in html  # the table says why, not what


def test_each_series_has_its_own_line_style_and_marker_and_a_legend_in_words():
    chart = _chart("clusters")
    assert [(s.style, s.marker) for s in chart.svg.series] == list(engine.STYLES)
    assert [len(s.points) for s in chart.svg.series] == [4, 3, 4, 4]  # avoidance is unpublished in week 4
    assert [entry["words"] for entry in chart.legend][1] == "dashed line, square points"
    html = render_to_string("supervision/_chart.html", {"chart": chart, "trend": {"prefix": "team-a"}})
    assert html.count("marker-diamond") == 4


def test_coordinates_stay_plain_numbers_in_spanish():
    with translation.override("es"):
        html = render_to_string("supervision/_chart.html", {"chart": _chart("sts"), "trend": {"prefix": "team-a"}})
    svg = html[html.index("<svg") : html.index("</svg>")]
    values = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)
    assert values and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in values)


def test_team_actions_are_numbered_rules_and_newer_ones_sit_at_the_right_edge():
    actions = [
        SimpleNamespace(done_on=PERIODS[2].start + dt.timedelta(days=1), description="Debrief circle"),
        SimpleNamespace(done_on=MONDAY - dt.timedelta(weeks=3), description="Before the charted weeks"),
        SimpleNamespace(done_on=PERIODS[-1].end + dt.timedelta(days=2), description="New rota"),
    ]
    chart = _chart("sts", actions)
    scale = engine.Scale(dashboard.FRAME, len(PERIODS), 0, 4)
    assert [(rule.x, rule.label) for rule in chart.svg.rules] == [
        (scale.x(2), "1"),
        (float(dashboard.FRAME.plot_right), "2"),
    ]
    assert [(m.number, m.description, m.newer) for m in chart.actions] == [
        (1, "Debrief circle", False),
        (2, "New rota", True),
    ]
    assert "Dashed upright lines mark 2 team actions" in chart.description


def test_a_measure_without_a_natural_top_grows_the_axis_in_whole_steps():
    chart = _chart("time_off")
    assert [line.label for line in chart.svg.grid] == ["0", "7", "14", "21", "28"]
    share = _chart("high_share")
    assert [line.label for line in share.svg.grid] == ["0", "25", "50", "75", "100"]


def test_week_labels_follow_the_language_active_at_each_call():
    period = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 15), "week")
    labels = []
    for language in ("en", "es", "en", "es"):
        with translation.override(language):
            labels.append(dashboard.week_label(period))
    assert labels[0] == labels[2] == "week of 9 Mar 2026"
    assert labels[1] == labels[3] != labels[0]
    assert "mar" in labels[1].lower() and "2026" in labels[1] and "week" not in labels[1]
