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
        [],
        FIRST,
        LAST,
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


def test_mood_and_energy_use_their_own_one_to_five_scale_without_bands():
    chart = charts.build_chart([(FIRST, Decimal(1)), (LAST, Decimal(5))], FIRST, LAST, low=1, high=5, banded=False)
    bottom, top = chart.points
    assert (bottom.y, top.y) == (chart.plot_bottom, chart.plot_top)
    assert [line.label for line in chart.grid] == ["1", "2", "3", "4", "5"]
    assert chart.bands == {}


def test_weekly_means_give_one_point_per_week_with_its_lowest_and_highest_day():
    monday = date(2026, 3, 2)
    values = [(monday, Decimal(1)), (monday + timedelta(days=2), Decimal(3)), (monday + timedelta(days=7), Decimal(2))]
    weeks = charts.weekly(values)
    assert [(w.monday, w.mean, w.lowest, w.highest, w.days) for w in weeks] == [
        (monday, Decimal("2.00"), Decimal(1), Decimal(3), 2),
        (monday + timedelta(days=7), Decimal("2.00"), Decimal(2), Decimal(2), 1),
    ]


def test_a_year_drawn_weekly_has_at_most_53_points_and_a_range_per_week():
    first, last = date(2025, 3, 29), date(2026, 3, 27)
    values = [(first + timedelta(days=offset), Decimal(offset % 5) * Decimal("0.8")) for offset in range(364)]
    chart = charts.build_chart([], first, last, weeks=charts.weekly(values))
    assert 52 <= len(chart.points) <= 53
    assert len(chart.ranges) == len(chart.points)
    assert all(chart.plot_left <= point.x <= chart.plot_right for point in chart.points)
