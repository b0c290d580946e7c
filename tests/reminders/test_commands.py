"""send_due_reminders and the demo schedules."""

import io
from datetime import time

import time_machine
from django.core import mail
from django.core.management import call_command
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.demo import seed
from reminders import dispatch, tasks
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


def test_send_due_reminders_without_now_only_sends_what_is_due(
    organisation, team_a, alice, django_capture_on_commit_callbacks
):
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


def _broker_down_after(calls: int):
    """apply_async that takes `calls` messages, then finds the broker unreachable."""
    taken = []

    def apply_async(*args, **kwargs):
        if len(taken) >= calls:
            raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        taken.append(args)

    return taken, apply_async


def test_the_command_tells_queued_from_waiting_when_the_broker_is_down(
    transactional_db, organisation, team_a, alice, carol, monkeypatch
):
    taken, apply_async = _broker_down_after(0)
    monkeypatch.setattr(tasks.send_reminders, "apply_async", apply_async)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
        out = io.StringIO()
        call_command("send_due_reminders", "--now", stdout=out)
    assert taken == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    assert Delivery.objects.count() == 2
    assert (
        "0 reminders queued for the worker (0 lost ones queued again). 2 waiting: the broker could not be reached,"
        " so a tick about five minutes from now will queue them again." in out.getvalue()
    )


def test_the_command_counts_what_the_broker_took_before_it_went_down(
    transactional_db, organisation, team_a, alice, carol, monkeypatch
):
    monkeypatch.setattr(dispatch, "SEND_CHUNK", 1)
    taken, apply_async = _broker_down_after(1)
    monkeypatch.setattr(tasks.send_reminders, "apply_async", apply_async)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
        out = io.StringIO()
        call_command("send_due_reminders", "--now", stdout=out)
    assert len(taken) == 1
    assert Delivery.objects.count() == 2
    assert "1 reminders queued for the worker (0 lost ones queued again). 1 waiting:" in out.getvalue()


def test_the_command_says_nothing_is_waiting_when_the_broker_took_everything(
    transactional_db, organisation, team_a, alice, monkeypatch
):
    _taken, apply_async = _broker_down_after(10)
    monkeypatch.setattr(tasks.send_reminders, "apply_async", apply_async)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30))
        out = io.StringIO()
        call_command("send_due_reminders", "--now", stdout=out)
    assert "1 reminders queued for the worker (0 lost ones queued again)." in out.getvalue()
    assert "waiting" not in out.getvalue()


def test_lost_reminders_the_broker_still_cannot_take_are_counted_as_waiting(
    transactional_db, organisation, team_a, alice, monkeypatch
):
    _taken, apply_async = _broker_down_after(0)
    monkeypatch.setattr(tasks.send_reminders, "apply_async", apply_async)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30))
        call_command("send_due_reminders", "--now", stdout=io.StringIO())
    later = utc(2026, 6, 15, 9, 0) + dispatch.LOST_AFTER * 2
    with time_machine.travel(later, tick=False):
        out = io.StringIO()
        call_command("send_due_reminders", stdout=out)
    assert "0 reminders queued for the worker (0 lost ones queued again). 1 waiting:" in out.getvalue()
    with time_machine.travel(later + dispatch.LOST_AFTER * 2, tick=False):
        report = dispatch.dispatch_due()
    assert report.requeued == report.waiting == [Delivery.objects.get().pk]
    assert Delivery.objects.get().status == Delivery.Status.PENDING
