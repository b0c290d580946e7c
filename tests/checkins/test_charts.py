from datetime import date, timedelta
from decimal import Decimal

from checkins import charts

FIRST = date(2026, 3, 1)
LAST = date(2026, 3, 28)


def test_points_sit_inside_the_plot_with_zero_at_the_bottom_and_four_at_the_top():
    chart = charts.build_chart([(FIRST, Decimal(0)), (LAST, Decimal(4))], FIRST, LAST)
    low, high = chart.series[0].points
    assert (low.x, low.y) == (chart.frame.plot_left, chart.frame.plot_bottom)
    assert (high.x, high.y) == (chart.frame.plot_right, chart.frame.plot_top)


def test_a_gap_of_more_than_a_week_breaks_the_line_and_lone_points_stay_dots():
    values = [(FIRST, Decimal(1)), (FIRST + timedelta(days=1), Decimal(2)), (FIRST + timedelta(days=20), Decimal(3))]
    (series,) = charts.build_chart(values, FIRST, LAST).series
    assert len(series.points) == len(series.markers) == 3
    assert len(series.segments) == 1


def test_exposure_and_day_off_marks_outside_the_range_are_left_out():
    chart = charts.build_chart(
        [],
        FIRST,
        LAST,
        exposure_dates=[FIRST, FIRST - timedelta(days=1)],
        day_off_dates=[LAST, LAST + timedelta(days=1)],
    )
    assert len(chart.exposure_marks) == 1 and len(chart.day_off_marks) == 1
    assert chart.series[0].points == [] and chart.series[0].segments == []


def test_a_year_is_labelled_by_month_and_four_weeks_by_monday():
    year = charts.build_chart([], date(2025, 3, 29), date(2026, 3, 27))
    assert all(tick.monthly and tick.day.day == 1 for tick in year.ticks)
    assert len(year.ticks) == 12
    # On a phone every other month is left unlabelled, so the larger labels do not touch.
    assert sum(tick.minor for tick in year.ticks) == 6
    month = charts.build_chart([], FIRST, LAST)
    assert [tick.day.weekday() for tick in month.ticks] == [0, 0, 0, 0]
    assert not any(tick.minor for tick in month.ticks)


def test_the_band_strips_meet_at_the_thresholds():
    chart = charts.build_chart([], FIRST, LAST)
    high, moderate, low = sorted(chart.bands, key=lambda band: band.y)
    assert [band.name for band in (high, moderate, low)] == ["high", "moderate", "low"]
    assert high.y == chart.frame.plot_top and low.y + low.height == chart.frame.plot_bottom
    assert high.y + high.height == moderate.y
    assert moderate.y + moderate.height == low.y


def test_mood_and_energy_use_their_own_one_to_five_scale_without_bands():
    chart = charts.build_chart([(FIRST, Decimal(1)), (LAST, Decimal(5))], FIRST, LAST, low=1, high=5, banded=False)
    bottom, top = chart.series[0].points
    assert (bottom.y, top.y) == (chart.frame.plot_bottom, chart.frame.plot_top)
    assert [line.label for line in chart.grid] == ["1", "2", "3", "4", "5"]
    assert chart.bands == []


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
    points = chart.series[0].points
    assert 52 <= len(points) <= 53
    assert len(chart.ranges) == len(points)
    assert all(chart.frame.plot_left <= point.x <= chart.frame.plot_right for point in points)
    assert len(chart.series[0].segments) == 1  # every week has a value: one unbroken line


def test_weekly_mode_breaks_the_line_only_after_more_than_two_weeks_without_a_value():
    first, last = date(2025, 9, 1), date(2026, 2, 22)
    mondays = [first + timedelta(weeks=n) for n in (0, 1, 3, 7, 8)]
    weeks = charts.weekly([(monday, Decimal(2)) for monday in mondays])
    (series,) = charts.build_chart([], first, last, weeks=weeks).series
    # A missing week is bridged; three missing weeks break the line.
    assert [len(segment.split()) for segment in series.segments] == [3, 2]


# --- The shared engine ------------------------------------------------------------------------

FRAME = charts.Frame.margins(width=200, height=120, left=20, right=20, top=10, bottom=10)


def test_the_scale_maps_positions_across_the_plot_and_values_up_it():
    scale = charts.Scale(FRAME, count=5, low=0, high=100)
    assert [scale.x(i) for i in range(5)] == [20, 60, 100, 140, 180]
    assert (scale.y(0), scale.y(50), scale.y(100)) == (110, 60, 10)
    assert scale.slot == 40
    # A single position sits in the middle.
    assert charts.Scale(FRAME, count=1).x(0) == 100


def test_a_missing_point_breaks_the_line_and_leaves_nothing_drawn():
    scale = charts.Scale(FRAME, count=6, low=0, high=4)
    series = charts.line(scale, [(0, 1), (1, 2), None, (3, 3), None, (5, Decimal("2.5"))], style="dashed")
    assert [point.x for point in series.points] == [20, 52, 116, 180]
    assert series.segments == ["20.0,85.0 52.0,60.0"]  # the lone points stay markers without a line
    assert len(series.markers) == 4
    assert not any(f"{scale.x(2)}" in d or f"{scale.x(4)}," in d for d in [*series.segments, *series.markers])


def test_marker_shapes_differ_for_each_line_style():
    assert [marker for _style, marker in charts.STYLES] == ["circle", "square", "triangle", "diamond"]
    paths = {shape: charts.marker_path(shape, 50, 50) for shape in ("circle", "square", "triangle", "diamond")}
    assert len(set(paths.values())) == 4
    assert paths["square"] == "M45.0,45.0h10.0v10.0h-10.0z"
    assert paths["circle"].startswith("M45.0,50.0a5.0,5.0")


def test_grid_lines_step_through_the_scale_with_plain_labels():
    scale = charts.Scale(FRAME, count=2, low=0, high=100)
    assert [(line.label, line.y) for line in charts.grid(scale, 25)] == [
        ("0", 110),
        ("25", 85),
        ("50", 60),
        ("75", 35),
        ("100", 10),
    ]


def test_a_blank_column_is_one_slot_wide_and_stays_inside_the_plot():
    scale = charts.Scale(FRAME, count=5)
    assert charts.strip(scale, 2) == charts.Strip(80, 40)
    assert charts.strip(scale, 0) == charts.Strip(20, 20)
    assert charts.strip(scale, 4) == charts.Strip(160, 20)


def test_spaced_ticks_always_label_the_newest_and_keep_the_ends_inside():
    scale = charts.Scale(FRAME, count=12)
    days = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)]
    ticks = charts.spaced_ticks(scale, days, most=4)
    assert ticks[-1].day == days[-1] and ticks[-1].anchor == "end"
    assert 3 <= len(ticks) <= 5
    assert all(tick.anchor == "middle" for tick in ticks[1:-1]) and ticks[0].anchor in {"start", "middle"}
