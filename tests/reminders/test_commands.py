"""send_due_reminders and the demo schedules."""

import io
from datetime import time

import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.demo import seed
from reminders.demo import extend
from reminders.models import Delivery, ReminderSchedule

from .conftest import MONDAY, check_in, make_schedule, utc


def test_send_due_reminders_now_reminds_everyone_covered_who_has_not_checked_in(
    organisation, team_a, alice, carol, django_capture_on_commit_callbacks
):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30))
        check_in(carol, MONDAY)
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_due_reminders", "--now", "--eager", stdout=out)
            call_command("send_due_reminders", "--now", "--eager", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert "1 reminders sent in this process" in out.getvalue()


def test_send_due_reminders_without_now_only_sends_what_is_due(organisation, team_a, alice,
                                                              django_capture_on_commit_callbacks):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30))
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_due_reminders", "--eager", stdout=io.StringIO())
    assert mail.outbox == []


def test_the_demo_gets_one_weekday_schedule_per_team_once(db):
    organisation = seed()
    extend(organisation)
    extend(organisation)
    schedules = ReminderSchedule.objects.filter(organisation=organisation)
    assert schedules.count() == organisation.teams.count() == 5
    assert {(s.weekdays, s.local_time) for s in schedules} == {("01234", time(16, 30))}
