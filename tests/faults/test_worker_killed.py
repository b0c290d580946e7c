"""A Celery worker killed mid-batch: nobody gets a reminder twice; the rest go out with a fresh worker
once a later tick has queued them again."""

from __future__ import annotations

import time
from datetime import time as clock
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership, User
from reminders import dispatch
from reminders.models import Delivery

from ..conftest import PERSONAS_JOINED, wait_for
from ..reminders.conftest import make_schedule
from .conftest import SlowSMTPServer, kill

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

PEOPLE = 8


def daytime_zone() -> str:
    """A time zone where it is now between 06:00 and 18:00. The test moves the clock on by up to
    16 minutes; near midnight that would be the next day, and the day's reminders would rightly
    be skipped instead of sent."""
    for zone in ("Europe/London", "Asia/Tokyo", "America/Los_Angeles"):
        if 6 <= timezone.now().astimezone(ZoneInfo(zone)).hour < 18:
            return zone
    raise AssertionError("one of three zones about eight hours apart is always in its daytime")


@pytest.fixture
def staff(organisation, team_a) -> list[User]:
    organisation.time_zone = daytime_zone()
    organisation.save(update_fields=["time_zone"])
    people = User.objects.bulk_create(
        User(email=f"person{i}@example.org", organisation=organisation, time_zone=organisation.time_zone)
        for i in range(PEOPLE)
    )
    Membership.objects.bulk_create(
        Membership(user=person, team=team_a, started_on=PERSONAS_JOINED) for person in people
    )
    yesterday = timezone.now().astimezone(organisation.tz) - timedelta(days=1)
    with time_machine.travel(yesterday.replace(hour=22, minute=0), tick=False):
        make_schedule(organisation, team=team_a, at=clock(0, 0))
    return people


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Delivery.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_worker_killed_mid_batch_never_sends_twice_and_a_fresh_worker_sends_the_rest(
    require_postgres, transactional_db, empty_queue, own_workers, staff
):
    assert len(dispatch.dispatch_due().created) == PEOPLE  # the whole batch is queued
    with SlowSMTPServer(delay=0.5) as smtp:
        smtp_env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
        first = own_workers(**smtp_env)
        wait_for(lambda: smtp.total() >= 3, timeout=60)
        time.sleep(0.3)  # into the next message's slow conversation
        kill(first)
        killed_at = timezone.now()
        assert statuses().get(Delivery.Status.PENDING, 0) >= 1, "the batch was not cut short"

        own_workers(**smtp_env)
        # The batch's message went down with the worker: once its pending rows count as lost,
        # a later tick queues them again for the fresh worker.
        pending = statuses().get(Delivery.Status.PENDING, 0)
        with time_machine.travel(timezone.now() + dispatch.LOST_AFTER + timedelta(minutes=1), tick=False):
            assert len(dispatch.dispatch_due().requeued) == pending

        def fresh_worker_done() -> bool:
            unfinished = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
            return not unfinished.exclude(status=Delivery.Status.SENDING, attempted_at__lt=killed_at).exists()

        wait_for(fresh_worker_done, timeout=60)
        # Later ticks: a send cut off midway is given up (it may or may not have left), never repeated.
        with time_machine.travel(timezone.now() + dispatch.INTERRUPTED_AFTER + timedelta(minutes=1), tick=False):
            assert dispatch.dispatch_due().requeued == []
        time.sleep(1)

        assert max(smtp.received.values()) == 1, smtp
        sent = set(Delivery.objects.filter(status=Delivery.Status.SENT).values_list("user__email", flat=True))
        assert sent <= set(smtp.received)
        not_sent = Delivery.objects.exclude(status=Delivery.Status.SENT)
        assert len(sent) >= PEOPLE - 1, [(d.user.email, d.status, d.error) for d in not_sent]
        assert all(d.status == Delivery.Status.FAILED and "Interrupted" in d.error for d in not_sent)
