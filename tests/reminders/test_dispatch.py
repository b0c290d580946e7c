"""dispatch_due, the beat tick: who gets a reminder, once, and when."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, User
from checkins.actions import do_record_leave
from checkins.models import DayMark
from reminders import dispatch, tasks
from reminders.models import Delivery, ReminderPreference

from ..conftest import PERSONAS_JOINED
from .conftest import MONDAY, check_in, make_schedule, utc


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """One beat tick at the current (travelled) time, sends included."""

    def run(*, deliver: bool = True) -> int:
        with django_capture_on_commit_callbacks(execute=deliver):
            return tasks.dispatch_due()

    return run


@pytest.fixture
def weekday_reminders(organisation, team_a, alice, bob, carol):
    """16:30 London time on weekdays, for the whole organisation."""
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        return make_schedule(organisation, at=time(16, 30), weekdays="01234")


def preference(user) -> ReminderPreference:
    return ReminderPreference.objects.get(user=user)


def test_a_schedule_sets_each_covered_persons_next_reminder(weekday_reminders, alice, bob, carol):
    assert preference(alice).next_reminder_at == utc(2026, 6, 15, 15, 30)
    assert preference(carol).next_reminder_at == utc(2026, 6, 15, 15, 30)
    # bob only supervises: reminders are for the people who check in.
    assert not ReminderPreference.objects.filter(user=bob).exists()


def test_a_due_person_gets_exactly_one_reminder_for_their_local_date(weekday_reminders, alice, carol, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 30, 20), tick=False):
        assert tick() == 2
        assert tick() == 0
    deliveries = Delivery.objects.order_by("user__email")
    assert [(d.user, d.local_date, d.status) for d in deliveries] == [
        (alice, MONDAY, Delivery.Status.SENT),
        (carol, MONDAY, Delivery.Status.SENT),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, carol.email]
    assert preference(alice).next_reminder_at == utc(2026, 6, 16, 15, 30)


def test_nobody_is_reminded_before_their_time(weekday_reminders, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 29), tick=False):
        assert tick() == 0
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_someone_who_already_checked_in_today_gets_nothing(weekday_reminders, alice, carol, tick):
    check_in(alice, MONDAY)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick()
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert preference(alice).next_reminder_at == utc(2026, 6, 16, 15, 30)


@pytest.mark.parametrize("kind", ["day_off", "hard_day"])
def test_nobody_is_reminded_on_a_day_noted_as_off_or_rough(weekday_reminders, alice, carol, tick, kind):
    DayMark.objects.create(user=alice, local_date=MONDAY, kind=kind)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick()
    assert [m.to for m in mail.outbox] == [[carol.email]]


def test_a_leave_recorded_while_the_message_waits_stops_it(weekday_reminders, alice, carol, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick(deliver=False)
        do_record_leave(alice, MONDAY, MONDAY + timedelta(days=4))
        for delivery in Delivery.objects.all():
            tasks.send_reminder.delay(delivery.pk)
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert Delivery.objects.get(user=alice).status == Delivery.Status.SKIPPED


@pytest.mark.parametrize(
    "change",
    [{"snoozed_until": MONDAY}, {"paused": True}, {"opted_out": True}],
    ids=["snoozed", "paused", "opted-out"],
)
def test_snoozed_paused_or_opted_out_people_get_nothing(weekday_reminders, alice, carol, tick, change):
    ReminderPreference.objects.filter(user=alice).update(**change)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick()
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert not Delivery.objects.filter(user=alice).exists()


def test_quiet_hours_hold_a_reminder_until_they_end_the_same_day(weekday_reminders, alice, carol, tick):
    ReminderPreference.objects.filter(user=alice).update(quiet_start=time(16, 0), quiet_end=time(18, 0))
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        dispatch.reschedule([alice.pk])
    assert preference(alice).next_reminder_at == utc(2026, 6, 15, 17, 0)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick()
    assert [m.to for m in mail.outbox] == [[carol.email]]
    with time_machine.travel(utc(2026, 6, 15, 17, 0, 30), tick=False):
        tick()
    assert [m.to for m in mail.outbox][1:] == [[alice.email]]


def test_overlapping_schedules_give_one_reminder_a_day_at_the_earliest_time(
    weekday_reminders, organisation, team_a, alice, tick
):
    with time_machine.travel(utc(2026, 6, 15, 6, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(9, 0), weekdays="0")
    assert preference(alice).next_reminder_at == utc(2026, 6, 15, 8, 0)
    for moment in [utc(2026, 6, 15, 8, 0, 30), utc(2026, 6, 15, 15, 30, 30), utc(2026, 6, 15, 20, 0)]:
        with time_machine.travel(moment, tick=False):
            tick()
    assert [m.to for m in mail.outbox].count([alice.email]) == 1
    assert Delivery.objects.get(user=alice).sent_at == utc(2026, 6, 15, 8, 0, 30)


def test_a_tick_after_a_three_hour_outage_sends_todays_due_reminders_once_and_none_for_yesterday(
    organisation, team_a, alice, carol, tick
):
    with time_machine.travel(utc(2026, 6, 14, 20, 0), tick=False):  # Sunday 21:00 in London
        make_schedule(organisation, at=time(23, 0))
        ReminderPreference.objects.filter(user=carol).update(local_time=time(1, 0))
        dispatch.reschedule([carol.pk])
    assert preference(alice).next_reminder_at == utc(2026, 6, 14, 22, 0)  # Sunday 23:00
    assert preference(carol).next_reminder_at == utc(2026, 6, 15, 0, 0)  # Monday 01:00
    # Beat is down from Sunday 22:50 to Monday 01:50, London time.
    with time_machine.travel(utc(2026, 6, 15, 0, 50), tick=False):
        tick()
        tick()
    assert [(d.user, d.local_date) for d in Delivery.objects.all()] == [(carol, MONDAY)]
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert preference(alice).next_reminder_at == utc(2026, 6, 15, 22, 0)


def test_a_lost_message_is_queued_again_by_a_later_tick_and_sent_once(weekday_reminders, alice, carol, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick(deliver=False)  # the broker lost both messages
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    assert mail.outbox == []
    with time_machine.travel(utc(2026, 6, 15, 15, 33), tick=False):
        assert tick() == 0  # not yet: the message may simply be on its way
    with time_machine.travel(utc(2026, 6, 15, 15, 37), tick=False):
        assert tick() == 2
        assert tick() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, carol.email]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_lost_message_from_a_passed_day_is_never_sent(weekday_reminders, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick(deliver=False)
    with time_machine.travel(utc(2026, 6, 15, 23, 30), tick=False):  # Tuesday 00:30 in London
        tick()
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SKIPPED}


def test_a_send_that_runs_again_does_not_send_twice(weekday_reminders, alice, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick()
        delivery = Delivery.objects.get(user=alice)
        assert tasks.send_reminder.delay(delivery.pk).get() == "not pending"
    assert [m.to for m in mail.outbox].count([alice.email]) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_a_person_who_checks_in_while_the_message_waits_gets_nothing(weekday_reminders, alice, carol, tick):
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        tick(deliver=False)
        check_in(alice, MONDAY)
        for delivery in Delivery.objects.all():
            tasks.send_reminder.delay(delivery.pk)
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert Delivery.objects.get(user=alice).status == Delivery.Status.SKIPPED


def test_the_number_of_queries_per_batch_does_not_grow_with_the_number_of_people(organisation, team_a):
    def queries_for(people: int) -> int:
        User.objects.filter(organisation=organisation).delete()
        users = User.objects.bulk_create(
            User(email=f"person{i}@example.org", organisation=organisation, time_zone="Europe/London")
            for i in range(people)
        )
        Membership.objects.bulk_create(Membership(user=u, team=team_a, started_on=PERSONAS_JOINED) for u in users)
        with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
            dispatch.reschedule([u.pk for u in users])
        check_in(users[0], MONDAY)
        with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), CaptureQueriesContext(connection) as ctx:
            report = dispatch.dispatch_due()
        assert (report.batches, report.considered, len(report.created)) == (1, people, people - 1)
        return len(ctx.captured_queries)

    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    few, many = queries_for(10), queries_for(min(200, dispatch.batch_size()))
    assert few == many


def test_many_people_are_handled_in_several_batches(organisation, team_a):
    users = User.objects.bulk_create(
        User(email=f"person{i}@example.org", organisation=organisation, time_zone="Europe/London") for i in range(25)
    )
    Membership.objects.bulk_create(Membership(user=u, team=team_a, started_on=PERSONAS_JOINED) for u in users)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        report = dispatch.dispatch_due(size=10)
    assert (report.batches, len(report.created)) == (3, 25)
    assert Delivery.objects.count() == 25


def test_people_in_other_time_zones_are_reminded_on_their_own_date(organisation, team_a, alice, tick):
    alice.time_zone = "America/New_York"
    alice.save()
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
        ReminderPreference.objects.filter(user=alice).update(local_time=time(21, 0))
        dispatch.reschedule([alice.pk])
    assert preference(alice).next_reminder_at == utc(2026, 6, 16, 1, 0)
    with time_machine.travel(utc(2026, 6, 16, 1, 0, 30), tick=False):
        tick()
    assert Delivery.objects.get(user=alice).local_date == date(2026, 6, 15)


def test_changing_time_zone_on_the_profile_moves_a_reminder_at_ones_own_time(weekday_reminders, alice):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        ReminderPreference.objects.filter(user=alice).update(local_time=time(8, 0))
        dispatch.reschedule([alice.pk])
        assert preference(alice).next_reminder_at == utc(2026, 6, 16, 7, 0)  # Tuesday 08:00 in London
        alice.time_zone = "Australia/Sydney"
        alice.save()
    assert preference(alice).next_reminder_at == utc(2026, 6, 15, 22, 0)  # Tuesday 08:00 in Sydney
