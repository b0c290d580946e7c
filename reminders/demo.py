"""Demo reminders for `make run`: a weekday schedule for each demo team. Idempotent."""

from __future__ import annotations

from datetime import time

from accounts.models import Organisation

from .models import ReminderSchedule

DEMO_TIME = time(16, 30)
DEMO_MESSAGE = "Five quiet minutes before heading home can help the day settle."


def extend(organisation: Organisation) -> None:
    for team in organisation.teams.all():
        ReminderSchedule.objects.get_or_create(
            organisation=organisation,
            team=team,
            defaults={"weekdays": "01234", "local_time": DEMO_TIME, "message": DEMO_MESSAGE},
        )
