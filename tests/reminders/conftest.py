from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from checkins import insights
from checkins.models import CheckIn
from reminders.models import ReminderSchedule
from sts_checkin.celery import app as celery_app

# Monday 15 June 2026. London is on BST (UTC+1): 16:30 local is 15:30 UTC.
MONDAY = datetime(2026, 6, 15, tzinfo=UTC).date()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def eager_sends(request):
    """Without a worker process, queued sends run in the test process, so emails land in mail.outbox."""
    if "celery_worker_process" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def make_schedule(organisation, team=None, at=time(16, 30), weekdays="0123456", **extra) -> ReminderSchedule:
    return ReminderSchedule.objects.create(
        organisation=organisation, team=team, local_time=at, weekdays=weekdays, **extra
    )


def check_in(user, local_date) -> CheckIn:
    return CheckIn.objects.create(user=user, local_date=local_date, **dict.fromkeys(insights.SIGN_FIELDS, 1))
