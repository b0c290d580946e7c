"""When a person's next reminder is due: pure functions, no database.

Everything is reasoned about in local wall-clock time (zoneinfo) and returned as an aware
UTC datetime, ready to store in `ReminderPreference.next_reminder_at`.

- A schedule's time is wall-clock time in the schedule's own zone ("16:30 in London on
  weekdays"); its weekdays are that zone's weekdays.
- A reminder belongs to the person's *local date* (their profile's zone), the same date
  their check-in belongs to. At most one reminder per local date: the earliest.
- A person's own days replace the schedules' days (their own zone's weekdays); their own
  time replaces the schedules' times (in their own zone).
- A wall time skipped by a clock change (spring forward) means the first valid instant
  after it, i.e. the moment the clocks jump. A repeated wall time (fall back) means its
  first occurrence (fold=0).
- Quiet hours push a reminder to the end of the quiet hours, but only within the same
  local date: a reminder is never moved to, or sent for, another day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead to look for the next reminder day. A week covers every weekday pattern;
# the margin covers schedules in a zone far from the person's.
HORIZON_DAYS = 15

WEEKDAY_DIGITS = "0123456"  # Monday = 0, as date.weekday()


def parse_weekdays(digits: str) -> frozenset[int]:
    return frozenset(int(d) for d in digits if d in WEEKDAY_DIGITS)


@dataclass(frozen=True)
class ScheduleRule:
    weekdays: frozenset[int]
    at: time
    tz: ZoneInfo


@dataclass(frozen=True)
class PreferenceRule:
    at: time | None = None
    weekdays: frozenset[int] | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    snoozed_until: date | None = None
    paused: bool = False
    opted_out: bool = False

    @property
    def stopped(self) -> bool:
        return self.paused or self.opted_out

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_hours is not None

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """(start, end) of the quiet hours, or None when there are none (unset, or start equals end)."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        return self.quiet_start, self.quiet_end

    def snoozed_on(self, day: date) -> bool:
        return self.snoozed_until is not None and day <= self.snoozed_until


@dataclass(frozen=True)
class Decision:
    """What a dispatcher tick does for one person: send for `send_for` (a local date) or not,
    and when to look at them again (`next_at`, None = not until something changes)."""

    send_for: date | None
    next_at: datetime | None


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == naive:
        return first
    # Skipped by a clock change: find the first second whose wall time is at or after `naive`.
    # fold=1 uses the offset after the change, which lands before the gap.
    low = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def in_quiet_hours(preference: PreferenceRule, local: time) -> bool:
    if preference.quiet_hours is None:
        return False
    start, end = preference.quiet_hours
    if start < end:
        return start <= local < end
    return local >= start or local < end


def _out_of_quiet_hours(instant: datetime, preference: PreferenceRule, tz: ZoneInfo, day: date) -> datetime | None:
    local = instant.astimezone(tz)
    if preference.quiet_hours is None or not in_quiet_hours(preference, local.time().replace(tzinfo=None)):
        return instant
    quiet_start, quiet_end = preference.quiet_hours
    if quiet_start > quiet_end and local.time() >= quiet_start:
        return None  # the quiet hours run past midnight: that day is over
    end = resolve_local(day, quiet_end, tz)
    return end if end.astimezone(tz).date() == day else None


def instant_on(
    schedules: Sequence[ScheduleRule], preference: PreferenceRule, tz: ZoneInfo, day: date
) -> datetime | None:
    """The reminder instant for the person's local date `day`, or None if that day has none."""
    if not schedules or preference.stopped or preference.snoozed_on(day):
        return None
    if preference.weekdays is not None and day.weekday() not in preference.weekdays:
        return None
    candidates: list[datetime] = []
    for schedule in schedules:
        # A schedule in another zone may fall on the person's day from the day before or after.
        for offset in range(-2, 3):
            schedule_day = day + timedelta(days=offset)
            if preference.weekdays is None and schedule_day.weekday() not in schedule.weekdays:
                continue
            instant = resolve_local(schedule_day, schedule.at, schedule.tz)
            if instant.astimezone(tz).date() == day:
                candidates.append(instant)
    if not candidates:
        return None
    if preference.at is not None:
        candidates = [resolve_local(day, preference.at, tz)]
    allowed = [
        moved for moved in (_out_of_quiet_hours(c, preference, tz, day) for c in candidates) if moved is not None
    ]
    return min(allowed, default=None)


def next_reminder_at(
    schedules: Sequence[ScheduleRule],
    preference: PreferenceRule,
    tz: ZoneInfo,
    now: datetime,
    *,
    from_date: date | None = None,
) -> datetime | None:
    """The first reminder instant strictly after `now`, on a local date not before `from_date`."""
    if not schedules or preference.stopped:
        return None
    today = now.astimezone(tz).date()
    start = max(today, from_date or today)
    if preference.snoozed_until is not None and preference.snoozed_on(start):
        start = preference.snoozed_until + timedelta(days=1)
    for offset in range(HORIZON_DAYS):
        instant = instant_on(schedules, preference, tz, start + timedelta(days=offset))
        if instant is not None and instant > now:
            return instant
    return None


def decide(
    schedules: Sequence[ScheduleRule],
    preference: PreferenceRule,
    tz: ZoneInfo,
    now: datetime,
    *,
    done_today: bool,
    force: bool = False,
) -> Decision:
    """One dispatcher tick for one person.

    `done_today`: they checked in, or already have a reminder, for their local date.
    `force`: treat today's reminder as due now, whatever the time and day (send_due_reminders --now).
    Only today's reminder is ever sent: a tick that runs late catches up today's, never a
    passed day's, and never while it is quiet hours.
    """
    today = now.astimezone(tz).date()
    if force and schedules and not preference.stopped and not preference.snoozed_on(today):
        todays: datetime | None = now
    else:
        todays = instant_on(schedules, preference, tz, today)
    if not done_today and todays is not None and todays <= now:
        local_now = now.astimezone(tz).time().replace(tzinfo=None)
        if not in_quiet_hours(preference, local_now):
            following = next_reminder_at(schedules, preference, tz, now, from_date=today + timedelta(days=1))
            return Decision(today, following)
        quiet_over = _out_of_quiet_hours(now, preference, tz, today)
        if quiet_over is not None:
            return Decision(None, quiet_over)
    from_date = today + timedelta(days=1) if done_today else today
    return Decision(None, next_reminder_at(schedules, preference, tz, now, from_date=from_date))
