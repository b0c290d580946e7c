"""scheduling.py: the next reminder instant, in local time, across clock changes in both hemispheres."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from reminders.scheduling import (
    Decision,
    PreferenceRule,
    ScheduleRule,
    decide,
    instant_on,
    next_reminder_at,
    resolve_local,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SANTIAGO = ZoneInfo("America/Santiago")
EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
NO_PREFERENCE = PreferenceRule()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily(at: time, tz: ZoneInfo, days=EVERY_DAY) -> ScheduleRule:
    return ScheduleRule(days, at, tz)


def next_at(schedules, tz, when: datetime, preference=NO_PREFERENCE):
    with time_machine.travel(when, tick=False):
        return next_reminder_at(schedules, preference, tz, timezone.now())


@pytest.mark.parametrize(
    ("tz", "at", "day", "expected"),
    [
        # London springs forward at 01:00 GMT on 29 March 2026: 01:30 does not exist.
        (LONDON, time(1, 30), date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),
        # New York springs forward at 02:00 on 8 March 2026.
        (NEW_YORK, time(2, 30), date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),
        # Sydney (south) springs forward at 02:00 on 4 October 2026.
        (SYDNEY, time(2, 30), date(2026, 10, 4), utc(2026, 10, 3, 16, 0)),
        # Santiago (south) springs forward at midnight on 6 September 2026: the day starts at 01:00.
        (SANTIAGO, time(0, 0), date(2026, 9, 6), utc(2026, 9, 6, 4, 0)),
        (SANTIAGO, time(0, 30), date(2026, 9, 6), utc(2026, 9, 6, 4, 0)),
    ],
)
def test_a_skipped_local_time_means_the_moment_the_clocks_jump(tz, at, day, expected):
    assert resolve_local(day, at, tz) == expected
    assert instant_on([daily(at, tz)], NO_PREFERENCE, tz, day) == expected
    assert expected.astimezone(tz).date() == day


@pytest.mark.parametrize(
    ("tz", "at", "day", "first", "second"),
    [
        (LONDON, time(1, 30), date(2026, 10, 25), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        (NEW_YORK, time(1, 30), date(2026, 11, 1), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        (SYDNEY, time(2, 30), date(2026, 4, 5), utc(2026, 4, 4, 15, 30), utc(2026, 4, 4, 16, 30)),
        (SANTIAGO, time(23, 30), date(2026, 4, 4), utc(2026, 4, 5, 2, 30), utc(2026, 4, 5, 3, 30)),
    ],
)
def test_a_repeated_local_time_means_its_first_occurrence_and_never_twice(tz, at, day, first, second):
    assert instant_on([daily(at, tz)], NO_PREFERENCE, tz, day) == first
    # Just after the first occurrence, inside the repeated hour, the next one is the next day's.
    following = next_at([daily(at, tz)], tz, first.replace(minute=first.minute + 1))
    assert following > second
    assert following.astimezone(tz).date() > day


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        (LONDON, utc(2026, 3, 27, 16, 30), utc(2026, 3, 30, 15, 30)),  # GMT, then BST
        (LONDON, utc(2026, 10, 23, 15, 30), utc(2026, 10, 26, 16, 30)),  # BST, then GMT
        (NEW_YORK, utc(2026, 3, 6, 21, 30), utc(2026, 3, 9, 20, 30)),  # EST, then EDT
        (SYDNEY, utc(2026, 4, 3, 5, 30), utc(2026, 4, 6, 6, 30)),  # AEDT, then AEST
        (SANTIAGO, utc(2026, 9, 4, 20, 30), utc(2026, 9, 7, 19, 30)),  # -04, then -03
    ],
)
def test_a_weekday_reminder_keeps_its_local_time_across_a_clock_change(tz, before, after):
    schedule = daily(time(16, 30), tz, WEEKDAYS)
    assert next_at([schedule], tz, before.replace(hour=before.hour - 1)) == before
    # From just after Friday's reminder, the next is Monday's, at 16:30 local again.
    assert next_at([schedule], tz, before.replace(minute=31)) == after
    assert after.astimezone(tz).time() == time(16, 30)


def test_the_reminder_belongs_to_the_persons_local_date_around_midnight():
    schedule = daily(time(23, 45), NEW_YORK)
    # 23:30 in New York on 10 June is already 11 June in UTC.
    found = next_at([schedule], NEW_YORK, utc(2026, 6, 11, 3, 30))
    assert found == utc(2026, 6, 11, 3, 45)
    assert found.astimezone(NEW_YORK).date() == date(2026, 6, 10)
    # Just after midnight, the next is that evening's: the new local day.
    assert next_at([schedule], NEW_YORK, utc(2026, 6, 11, 4, 1)) == utc(2026, 6, 12, 3, 45)


def test_a_midnight_reminder_is_on_the_day_it_starts():
    schedule = daily(time(0, 0), LONDON)
    assert next_at([schedule], LONDON, utc(2026, 6, 10, 22, 59)) == utc(2026, 6, 10, 23, 0)
    assert instant_on([schedule], NO_PREFERENCE, LONDON, date(2026, 6, 11)) == utc(2026, 6, 10, 23, 0)


def test_several_schedules_give_the_earliest_one_per_day():
    morning = daily(time(9, 0), LONDON, frozenset({0, 2}))
    afternoon = daily(time(16, 30), LONDON, WEEKDAYS)
    schedules = [afternoon, morning]
    monday, tuesday = date(2026, 6, 15), date(2026, 6, 16)
    assert instant_on(schedules, NO_PREFERENCE, LONDON, monday) == utc(2026, 6, 15, 8, 0)
    assert instant_on(schedules, NO_PREFERENCE, LONDON, tuesday) == utc(2026, 6, 16, 15, 30)
    # After Monday morning's, nothing else on Monday: the next one is Tuesday's.
    assert next_at(schedules, LONDON, utc(2026, 6, 15, 8, 1)) == utc(2026, 6, 16, 15, 30)


def test_own_time_and_days_replace_the_schedules_in_the_persons_own_zone():
    schedule = daily(time(16, 30), LONDON, WEEKDAYS)
    mine = PreferenceRule(at=time(7, 15), weekdays=frozenset({5, 6}))  # a weekend shift worker
    saturday = next_at([schedule], NEW_YORK, utc(2026, 6, 15, 12, 0), mine)
    assert saturday == utc(2026, 6, 20, 11, 15)
    assert saturday.astimezone(NEW_YORK).strftime("%A %H:%M") == "Saturday 07:15"


def test_a_schedule_in_another_zone_lands_on_the_persons_own_date():
    schedule = daily(time(16, 30), LONDON, frozenset({0}))  # Monday 16:30 in London
    found = next_at([schedule], SYDNEY, utc(2026, 6, 14, 0, 0))
    assert found == utc(2026, 6, 15, 15, 30)
    assert found.astimezone(SYDNEY).strftime("%A %H:%M") == "Tuesday 01:30"


def test_quiet_hours_push_a_reminder_to_their_end_on_the_same_day():
    lunch_quiet = PreferenceRule(quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert next_at([daily(time(12, 30), LONDON)], LONDON, utc(2026, 6, 15, 6, 0), lunch_quiet) == utc(
        2026, 6, 15, 13, 0
    )
    night_quiet = PreferenceRule(quiet_start=time(21, 0), quiet_end=time(8, 0))
    assert next_at([daily(time(6, 30), LONDON)], LONDON, utc(2026, 6, 15, 1, 0), night_quiet) == utc(2026, 6, 15, 7, 0)


def test_quiet_hours_running_past_midnight_drop_a_late_reminder_rather_than_move_it_to_tomorrow():
    night_quiet = PreferenceRule(quiet_start=time(21, 0), quiet_end=time(8, 0))
    late = daily(time(22, 0), LONDON)
    assert instant_on([late], night_quiet, LONDON, date(2026, 6, 15)) is None
    assert next_at([late], LONDON, utc(2026, 6, 15, 6, 0), night_quiet) is None
    # With an earlier schedule as well, that day's earlier reminder is kept.
    assert next_at([late, daily(time(17, 0), LONDON)], LONDON, utc(2026, 6, 15, 6, 0), night_quiet) == utc(
        2026, 6, 15, 16, 0
    )


def test_snoozed_paused_and_opted_out_people_get_nothing_until_it_ends():
    schedule = daily(time(16, 30), LONDON)
    now = utc(2026, 6, 15, 12, 0)
    snoozed = PreferenceRule(snoozed_until=date(2026, 6, 17))
    assert next_at([schedule], LONDON, now, snoozed) == utc(2026, 6, 18, 15, 30)
    assert next_at([schedule], LONDON, now, PreferenceRule(paused=True)) is None
    assert next_at([schedule], LONDON, now, PreferenceRule(opted_out=True)) is None
    assert next_at([], LONDON, now) is None


def test_a_late_tick_sends_todays_reminder_but_never_a_passed_days():
    schedule = daily(time(16, 30), LONDON)
    with time_machine.travel(utc(2026, 6, 15, 18, 30), tick=False):  # three hours late
        assert decide([schedule], NO_PREFERENCE, LONDON, timezone.now(), done_today=False) == Decision(
            date(2026, 6, 15), utc(2026, 6, 16, 15, 30)
        )
    with time_machine.travel(utc(2026, 6, 15, 23, 1), tick=False):  # after local midnight
        assert decide([schedule], NO_PREFERENCE, LONDON, timezone.now(), done_today=False) == Decision(
            None, utc(2026, 6, 16, 15, 30)
        )


def test_a_late_tick_waits_for_quiet_hours_to_end_and_gives_up_at_midnight():
    schedule = daily(time(11, 30), LONDON)
    lunch_quiet = PreferenceRule(quiet_start=time(12, 0), quiet_end=time(14, 0))
    with time_machine.travel(utc(2026, 6, 15, 11, 15), tick=False):  # 12:15 local, quiet
        assert decide([schedule], lunch_quiet, LONDON, timezone.now(), done_today=False) == Decision(
            None, utc(2026, 6, 15, 13, 0)
        )
    evening_quiet = PreferenceRule(quiet_start=time(20, 0), quiet_end=time(7, 0))
    with time_machine.travel(utc(2026, 6, 15, 21, 0), tick=False):  # 22:00 local, quiet to tomorrow
        assert decide([schedule], evening_quiet, LONDON, timezone.now(), done_today=False) == Decision(
            None, utc(2026, 6, 16, 10, 30)
        )


def test_someone_done_for_today_is_looked_at_again_tomorrow():
    schedule = daily(time(16, 30), LONDON)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        assert decide([schedule], NO_PREFERENCE, LONDON, timezone.now(), done_today=True) == Decision(
            None, utc(2026, 6, 16, 15, 30)
        )


def test_forcing_sends_now_even_on_a_day_without_a_schedule_but_not_when_snoozed():
    schedule = daily(time(16, 30), LONDON, WEEKDAYS)
    saturday_morning = utc(2026, 6, 20, 9, 0)
    decision = decide([schedule], NO_PREFERENCE, LONDON, saturday_morning, done_today=False, force=True)
    assert decision.send_for == date(2026, 6, 20)
    snoozed = PreferenceRule(snoozed_until=date(2026, 6, 20))
    assert decide([schedule], snoozed, LONDON, saturday_morning, done_today=False, force=True).send_for is None
