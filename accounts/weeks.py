"""Weeks in organisation-local dates: the one place their arithmetic is written.

Team figures are counted by ISO week (Monday to Sunday). A check-in can be filled in or
changed for today and LATE_WINDOW_DAYS days back, so a week can no longer change from its
Sunday plus that window: that is when it is published (`supervision.publishing`), and why a
lower k is announced against it (`accounts.thresholds`). Kept in accounts, the lowest app,
so that check-ins, memberships, thresholds, publishing and reminders all read the same rule.
"""

from __future__ import annotations

import datetime as dt

# Today and this many days back may be filled in or edited.
LATE_WINDOW_DAYS = 2


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def first_whole_week(started_on: dt.date) -> dt.date:
    """The Monday of the first whole week from `started_on`: the first week a new member counts in."""
    return monday_of(started_on + dt.timedelta(days=6))


def first_closed_day(monday: dt.date) -> dt.date:
    """The first day on which the week starting `monday` can no longer change, so it can be published."""
    return monday + dt.timedelta(days=6 + LATE_WINDOW_DAYS + 1)
