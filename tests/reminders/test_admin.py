"""Reminder schedules in the admin: organisation admins manage only their own organisation's."""

from datetime import time

import time_machine
from django.contrib import admin
from django_celery_beat.models import PeriodicTask

from reminders.models import Delivery, ReminderPreference, ReminderSchedule

from .conftest import make_schedule, utc

ADD = "/admin/reminders/reminderschedule/add/"


def test_an_org_admin_adds_a_team_schedule_and_its_members_are_scheduled(olivia, team_a, alice, client):
    client.force_login(olivia)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        response = client.post(
            ADD,
            {
                "team": team_a.pk,
                "weekdays": ["0", "1", "2", "3", "4"],
                "local_time": "16:30",
                "time_zone": "",
                "channel": "email",
                "message": "",
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = ReminderSchedule.objects.get()
    assert (schedule.organisation_id, schedule.weekdays) == (olivia.organisation_id, "01234")
    assert ReminderPreference.objects.get(user=alice).next_reminder_at == utc(2026, 6, 15, 15, 30)


def test_the_team_dropdown_offers_only_the_admins_own_teams(olivia, team_a, outside_team, client):
    client.force_login(olivia)
    content = client.get(ADD).content.decode()
    assert "Team A" in content and "Outside team" not in content
    response = client.post(ADD, {"team": outside_team.pk, "weekdays": ["0"], "local_time": "09:00", "channel": "email"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReminderSchedule.objects.exists()


def test_no_day_or_an_unknown_time_zone_is_refused_with_a_message(olivia, client):
    client.force_login(olivia)
    response = client.post(
        ADD, {"weekdays": [], "local_time": "09:00", "time_zone": "Mars/Olympus", "channel": "email"}
    )
    content = response.content.decode()
    assert "This field is required." in content
    assert "Select a valid choice" in content
    assert not ReminderSchedule.objects.exists()


def test_another_organisations_schedules_are_invisible(organisation, other_organisation, olivia, client):
    theirs = make_schedule(other_organisation, at=time(9, 0))
    client.force_login(olivia)
    assert client.get("/admin/reminders/reminderschedule/").status_code == 200
    assert client.get(f"/admin/reminders/reminderschedule/{theirs.pk}/change/").status_code == 404


def test_who_was_reminded_is_not_in_the_admin_at_all():
    registered = admin.site._registry
    assert Delivery not in registered
    assert ReminderPreference not in registered


def test_the_dispatcher_is_a_periodic_task_every_minute_editable_in_the_admin(db):
    task = PeriodicTask.objects.get(name="Dispatch due reminders")
    assert task.task == "reminders.dispatch_due"
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert task.enabled
