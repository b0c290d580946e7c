from datetime import date, timedelta
from decimal import Decimal

import pytest

from checkins import insights
from checkins.insights import Day

TODAY = date(2026, 3, 20)


def day(offset: int, index: str | Decimal = "1.00", **extra) -> Day:
    value = Decimal(index)
    return Day(
        local_date=TODAY - timedelta(days=offset),
        index=value,
        clusters=extra.pop("clusters", {name: value for name in insights.CLUSTERS}),
        band=insights.band_for(value),
        **extra,
    )


@pytest.mark.parametrize(
    ("index", "band"),
    [
        ("0.00", "low"),
        ("0.99", "low"),
        ("1.00", "moderate"),
        ("1.40", "moderate"),
        ("2.49", "moderate"),
        ("2.50", "high"),
        ("4.00", "high"),
    ],
)
def test_bands_change_exactly_at_their_thresholds(index, band):
    assert insights.band_for(Decimal(index)) == band


def test_score_is_the_mean_of_the_nine_signs_with_cluster_means():
    ratings = dict.fromkeys(insights.SIGN_FIELDS, 0)
    ratings.update(intrusive_thoughts=4, sleep_trouble=2, irritability=3)
    scores = insights.score(ratings)
    assert scores.index == Decimal("1.00")
    assert scores.clusters == {
        "intrusion": Decimal("4.00"),
        "avoidance": Decimal("0.00"),
        "arousal": Decimal("2.50"),
        "exhaustion": Decimal("0.00"),
    }
    assert scores.band == "moderate"  # 1.00 is where "noticeable" starts


def test_score_rounds_half_up_to_two_places():
    ratings = dict.fromkeys(insights.SIGN_FIELDS, 0)
    ratings.update(avoidance=1, numbness=1)  # avoidance cluster 2/3
    scores = insights.score(ratings)
    assert scores.index == Decimal("0.22")
    assert scores.clusters["avoidance"] == Decimal("0.67")


def test_all_fours_are_high_and_all_zeros_are_low():
    assert insights.score(dict.fromkeys(insights.SIGN_FIELDS, 4)).band == "high"
    assert insights.score(dict.fromkeys(insights.SIGN_FIELDS, 0)).band == "low"


def test_mean_index_is_none_without_days():
    assert insights.mean_index([]) is None
    assert insights.mean_index([day(0, "1.00"), day(1, "2.00")]) == Decimal("1.50")


def test_seven_day_trend_compares_with_the_seven_days_before():
    days = [day(offset, "2.00") for offset in range(0, 7)] + [day(offset, "1.00") for offset in range(7, 14)]
    trend = insights.trend(days, TODAY, 7)
    assert (trend.current, trend.previous) == (Decimal("2.00"), Decimal("1.00"))
    assert trend.change == Decimal("1.00")
    assert trend.direction == "rising"


def test_trend_window_includes_today_and_ends_exactly_window_days_back():
    days = [day(0, "3.00"), day(6, "1.00"), day(7, "2.00"), day(13, "2.00"), day(14, "4.00")]
    trend = insights.trend(days, TODAY, 7)
    assert (trend.current_count, trend.previous_count) == (2, 2)
    assert trend.previous == Decimal("2.00")


def test_trend_is_unknown_with_too_few_checkins_on_either_side():
    days = [day(offset, "3.00") for offset in range(3)] + [day(8, "0.00"), day(9, "0.00")]
    assert insights.trend(days, TODAY, 7).direction == "unknown"


@pytest.mark.parametrize(
    ("current", "direction"),
    [("1.50", "rising"), ("1.49", "steady"), ("0.51", "steady"), ("0.50", "falling")],
)
def test_trend_direction_turns_at_half_a_point(current, direction):
    days = [day(offset, current) for offset in range(3)] + [day(offset, "1.00") for offset in range(7, 10)]
    assert insights.trend(days, TODAY, 7).direction == direction


def test_twenty_eight_day_trend_uses_the_twenty_eight_days_before():
    days = [day(offset, "2.00") for offset in range(0, 28, 3)] + [day(offset, "1.00") for offset in range(28, 56, 3)]
    trend = insights.trend(days, TODAY, 28)
    assert trend.direction == "rising"
    assert trend.days == 28


def test_rising_signal_is_on_when_either_trend_rises():
    flat = [day(offset, "1.00") for offset in range(56)]
    assert insights.is_rising(flat, TODAY) is False
    rising = [day(offset, "2.00") for offset in range(7)] + [day(offset, "1.00") for offset in range(7, 56)]
    assert insights.is_rising(rising, TODAY) is True


def test_time_off_clock_counts_days_since_the_last_day_off():
    days = [day(9, day_off=True), day(4, day_off=True), day(1), day(0)]
    assert insights.days_since_day_off(days, TODAY) == 4


def test_time_off_clock_is_zero_on_a_day_off_and_none_without_any():
    assert insights.days_since_day_off([day(0, day_off=True)], TODAY) == 0
    assert insights.days_since_day_off([day(0), day(1)], TODAY) is None


def test_time_off_clock_ignores_future_dates():
    assert insights.days_since_day_off([day(-1, day_off=True), day(3, day_off=True)], TODAY) == 3


def test_early_warning_needs_three_high_checkins_in_the_last_seven_days():
    two = [day(0, "2.50"), day(3, "2.90"), day(5, "1.00")]
    assert insights.early_warning(two, TODAY) is None
    three = [*two, day(6, "2.75")]
    warning = insights.early_warning(three, TODAY)
    assert warning.reason == "recent_high"
    assert warning.high_count == 3


def test_early_warning_ignores_high_checkins_older_than_seven_days():
    days = [day(0, "2.50"), day(1, "2.50"), day(7, "2.50"), day(8, "3.00")]
    assert insights.early_warning(days, TODAY) is None


def test_moderate_checkins_just_below_the_high_band_do_not_warn():
    assert insights.early_warning([day(offset, "2.49") for offset in range(7)], TODAY) is None


def test_one_checkin_with_the_most_severe_pattern_warns():
    severe = day(2, "3.00", clusters=dict.fromkeys(insights.CLUSTERS, Decimal("2.50")))
    warning = insights.early_warning([severe], TODAY)
    assert warning.reason == "severe_pattern"


def test_a_high_index_with_one_calm_cluster_is_not_the_severe_pattern():
    clusters = {**dict.fromkeys(insights.CLUSTERS, Decimal("4.00")), "intrusion": Decimal("2.49")}
    assert insights.is_severe_pattern(day(0, "3.50", clusters=clusters)) is False
    assert insights.is_severe_pattern(day(0, "2.99", clusters=dict.fromkeys(insights.CLUSTERS, Decimal(3)))) is False
    assert insights.early_warning([day(0, "3.50", clusters=clusters)], TODAY) is None


def test_most_used_practices_counts_and_breaks_ties_by_key():
    days = [
        day(0, practices=frozenset({"breathing", "movement"})),
        day(1, practices=frozenset({"movement"})),
        day(2, practices=frozenset({"humour"})),
    ]
    assert insights.most_used_practices(days) == [("movement", 2), ("breathing", 1), ("humour", 1)]
    assert insights.most_used_practices(days, limit=1) == [("movement", 2)]


def _walks_help() -> list[Day]:
    """Walk on even offsets: the following (younger) day is lighter."""
    days = []
    for offset in range(20, -1, -1):
        walked = offset % 2 == 1
        # the day after a walk (offset - 1) is 1.00, otherwise 2.00
        index = "1.00" if (offset + 1) % 2 == 1 else "2.00"
        days.append(day(offset, index, practices=frozenset({"time_outside"}) if walked else frozenset()))
    return days


def test_what_seems_to_help_compares_the_following_day():
    observation = insights.what_seems_to_help(_walks_help())[0]
    assert observation.key == "time_outside"
    assert observation.next_day_after == Decimal("1.00")
    assert observation.next_day_otherwise == Decimal("2.00")
    assert observation.comparable and observation.seems_to_help


def test_what_seems_to_help_needs_consecutive_days_and_enough_of_them():
    days = [day(0, practices=frozenset({"humour"})), day(5), day(10, practices=frozenset({"humour"}))]
    observation = insights.what_seems_to_help(days)[0]
    assert observation.days_after == 0
    assert observation.comparable is False
    assert observation.seems_to_help is False


def test_a_difference_below_a_quarter_point_is_not_called_helpful():
    days = []
    for offset in range(20, -1, -1):
        used = offset % 2 == 1
        index = "1.80" if (offset + 1) % 2 == 1 else "2.04"
        days.append(day(offset, index, practices=frozenset({"humour"}) if used else frozenset()))
    observation = insights.what_seems_to_help(days)[0]
    assert observation.comparable
    assert observation.seems_to_help is False


def test_suggestion_prefers_a_practice_that_seems_to_help():
    expected = insights.Suggestion(kind="practice_helps", practice="time_outside")
    assert insights.suggestion(_walks_help(), TODAY) == expected


def test_suggestion_mentions_a_long_stretch_without_a_day_off():
    days = [day(12, day_off=True), day(1)]
    assert insights.suggestion(days, TODAY) == insights.Suggestion(kind="time_off", days=12)
    assert insights.suggestion([day(11, day_off=True)], TODAY).kind == "first_steps"


def test_suggestion_falls_back_to_a_favourite_practice_then_first_steps():
    assert insights.suggestion([day(0, practices=frozenset({"humour"}))], TODAY).practice == "humour"
    assert insights.suggestion([], TODAY).kind == "first_steps"


def test_a_mean_of_one_point_four_is_noticeable_not_lighter():
    # "a little" to "somewhat" on every sign: the old "low" band hid it.
    ratings = dict.fromkeys(insights.SIGN_FIELDS, 1)
    ratings.update(intrusive_thoughts=2, avoidance=2, sleep_trouble=2, irritability=2)
    scores = insights.score(ratings)
    assert scores.index == Decimal("1.44")
    assert scores.band == "moderate"


# Persistent strain: most (8) of the last 14 days noticeable or heavier.


def test_persistent_strain_warns_at_eight_noticeable_days_of_fourteen():
    days = [day(offset, "1.40") for offset in range(0, 16, 2)]  # 8 days: 0, 2, … 14 → 14 is outside
    assert [d.local_date for d in days][-1] == TODAY - timedelta(days=14)
    assert insights.early_warning(days, TODAY) is None
    days.append(day(1, "1.00"))
    warning = insights.early_warning(days, TODAY)
    assert warning is not None
    assert warning.reasons == ("persistent_strain",)
    assert warning.strained_days == 8


def test_persistent_strain_ignores_lighter_days_however_many():
    days = [day(offset, "0.99") for offset in range(14)]
    assert insights.early_warning(days, TODAY) is None
    assert insights.strained_days(days, TODAY) == 0


def test_persistent_strain_with_seven_noticeable_days_does_not_warn():
    days = [day(offset, "2.49") for offset in range(7)] + [day(offset, "0.50") for offset in range(7, 14)]
    assert insights.early_warning(days, TODAY) is None


def test_persistent_strain_is_named_alongside_heavy_days():
    days = [day(offset, "2.60") for offset in range(3)] + [day(offset, "1.50") for offset in range(3, 10)]
    warning = insights.early_warning(days, TODAY)
    assert warning.reason == "recent_high"
    assert warning.reasons == ("recent_high", "persistent_strain")


# Stories coming back after a day marked as especially distressing.


def intrusion_day(offset: int, intrusion: str, **extra) -> Day:
    clusters = {name: Decimal("0.50") for name in insights.CLUSTERS}
    clusters["intrusion"] = Decimal(intrusion)
    return Day(local_date=TODAY - timedelta(days=offset), index=Decimal("0.50"), clusters=clusters, band="low", **extra)


def exposure_story(after: str, after_offset: int = 2, exposure_offset: int = 3, baseline: str = "1.00"):
    return [
        intrusion_day(exposure_offset + 2, baseline),
        intrusion_day(exposure_offset + 1, baseline),
        intrusion_day(exposure_offset, baseline, exposure=True),
        intrusion_day(after_offset, after),
    ]


def test_intrusion_rising_a_point_to_somewhat_after_exposure_warns():
    warning = insights.early_warning(exposure_story("2.00"), TODAY)
    assert warning is not None
    assert warning.reasons == ("intrusion_after_exposure",)


def test_intrusion_rising_less_than_a_point_after_exposure_does_not_warn():
    assert insights.early_warning(exposure_story("2.00", baseline="1.50"), TODAY) is None


def test_intrusion_a_point_up_but_below_somewhat_does_not_warn():
    assert insights.early_warning(exposure_story("1.00", baseline="0.00"), TODAY) is None


def test_intrusion_rise_counts_only_in_the_three_days_after_exposure():
    # Exposure 4 days ago: 3 days after is day 1 (counts), 4 days after is today (does not).
    assert insights.early_warning(exposure_story("3.00", after_offset=1, exposure_offset=4), TODAY) is not None
    assert insights.early_warning(exposure_story("3.00", after_offset=0, exposure_offset=4), TODAY) is None


def test_intrusion_rule_needs_two_checkins_before_the_exposure():
    story = exposure_story("3.00")[1:]
    assert insights.early_warning(story, TODAY) is None


def test_intrusion_rule_needs_the_exposure_within_the_last_seven_days():
    assert insights.early_warning(exposure_story("3.00", after_offset=5, exposure_offset=6), TODAY) is not None
    assert insights.early_warning(exposure_story("3.00", after_offset=5, exposure_offset=7), TODAY) is None


def test_intrusion_rise_without_marked_exposure_does_not_warn():
    story = exposure_story("3.00")
    story[2] = intrusion_day(3, "1.00")
    assert insights.early_warning(story, TODAY) is None
