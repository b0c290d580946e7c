from datetime import date, timedelta
from decimal import Decimal

from checkins import charts

FIRST = date(2026, 3, 1)
LAST = date(2026, 3, 28)


def test_points_sit_inside_the_plot_with_zero_at_the_bottom_and_four_at_the_top():
    chart = charts.build_chart([(FIRST, Decimal(0)), (LAST, Decimal(4))], FIRST, LAST)
    low, high = chart.points
    assert (low.x, low.y) == (chart.plot_left, chart.plot_bottom)
    assert (high.x, high.y) == (chart.plot_right, chart.plot_top)


def test_a_gap_of_more_than_a_week_breaks_the_line_and_lone_points_stay_dots():
    values = [(FIRST, Decimal(1)), (FIRST + timedelta(days=1), Decimal(2)), (FIRST + timedelta(days=20), Decimal(3))]
    chart = charts.build_chart(values, FIRST, LAST)
    assert len(chart.points) == 3
    assert len(chart.segments) == 1


def test_exposure_and_day_off_marks_outside_the_range_are_left_out():
    chart = charts.build_chart(
        [], FIRST, LAST,
        exposure_dates=[FIRST, FIRST - timedelta(days=1)],
        day_off_dates=[LAST, LAST + timedelta(days=1)],
    )
    assert len(chart.exposure_marks) == 1 and len(chart.day_off_marks) == 1
    assert chart.points == [] and chart.segments == []


def test_a_year_is_labelled_by_month_and_four_weeks_by_monday():
    year = charts.build_chart([], date(2025, 3, 29), date(2026, 3, 27))
    assert all(tick.monthly and tick.day.day == 1 for tick in year.ticks)
    assert len(year.ticks) == 12
    month = charts.build_chart([], FIRST, LAST)
    assert [tick.day.weekday() for tick in month.ticks] == [0, 0, 0, 0]


def test_the_band_strips_meet_at_the_thresholds():
    chart = charts.build_chart([], FIRST, LAST)
    high_y, high_height = chart.bands["high"]
    moderate_y, moderate_height = chart.bands["moderate"]
    assert high_y + high_height == moderate_y
    assert moderate_y + moderate_height == chart.bands["low"][0]
