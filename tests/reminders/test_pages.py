"""The Reminders page for staff and the reminder log for organisation admins."""

from datetime import date, time

import time_machine
from django.urls import reverse

from accounts.navigation import nav_items_for
from checkins.actions import do_record_leave
from reminders.models import Delivery, ReminderPreference

from ..conftest import make_user
from .conftest import check_in, make_schedule, utc

PREFERENCES = "/reminders/"
LOG = "/reminders/log/"


def test_staff_see_a_reminders_menu_item_and_admins_a_log(alice, bob, olivia):
    assert ("Reminders", PREFERENCES) in [(str(i.label), i.url) for i in nav_items_for(alice)]
    assert reverse("reminders:deliveries") not in [i.url for i in nav_items_for(alice)]
    assert PREFERENCES not in [i.url for i in nav_items_for(bob)]
    assert LOG in [i.url for i in nav_items_for(olivia)]


def test_the_page_needs_signing_in(client, db):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_the_schedule_and_the_next_reminder(organisation, team_a, alice, client):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30), weekdays="01234")
        client.force_login(alice)
        response = client.get(PREFERENCES)
    content = response.content.decode()
    assert "Monday to Friday at 16:30 (Europe/London time)" in content
    assert "Your next reminder: Monday 15 June, 16:30." in content


def test_the_next_reminder_shown_skips_a_day_already_checked_in_and_days_on_leave(organisation, team_a, alice, client):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30), weekdays="01234")
        check_in(alice, date(2026, 6, 15))
        do_record_leave(alice, date(2026, 6, 16), date(2026, 6, 17))
        client.force_login(alice)
        content = client.get(PREFERENCES).content.decode()
    assert "You have already noted today, so no reminder comes today." in content
    assert "Your next reminder: Thursday 18 June, 16:30." in content
    assert "Monday 15 June, 16:30" not in content


def test_pause_and_off_say_how_they_differ_and_unticked_days_mean_the_teams(organisation, team_a, alice, client):
    client.force_login(alice)
    content = client.get(PREFERENCES).content.decode()
    assert "Pause for now (a break; your settings stay as they are)" in content
    assert "Turn reminders off for good" in content
    assert "If you leave every day unticked, you get them on your team" in content


def test_saving_own_time_and_days_reschedules(organisation, team_a, alice, client):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30), weekdays="01234")
        client.force_login(alice)
        response = client.post(
            PREFERENCES, {"local_time": "07:45", "weekdays": ["5", "6"], "quiet_start": "", "quiet_end": ""}
        )
        assert response.status_code == 302
        assert "Your reminder settings are saved." in client.get(PREFERENCES).content.decode()
    preference = ReminderPreference.objects.get(user=alice)
    assert (preference.local_time, preference.weekdays) == (time(7, 45), "56")
    assert preference.next_reminder_at == utc(2026, 6, 20, 6, 45)


def test_bad_input_is_explained_next_to_the_field_and_kept(organisation, team_a, alice, client):
    client.force_login(alice)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        response = client.post(
            PREFERENCES, {"local_time": "25:99", "quiet_start": "21:00", "quiet_end": "", "snoozed_until": "2026-06-01"}
        )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid time." in content
    assert "Give both a start and an end for quiet hours" in content
    assert "Pick today or a later day" in content
    assert 'value="25:99"' in content and 'value="21:00"' in content
    assert not ReminderPreference.objects.filter(user=alice).exists()


def test_the_log_shows_organisation_wide_daily_counts_under_the_k_rule(organisation, alice, carol, eve, olivia, client):
    people = [alice, carol]
    people += [make_user(f"extra{i}@example.org", organisation) for i in range(6)]
    for person in people[:7]:
        Delivery.objects.create(user=person, local_date=date(2026, 6, 15), status=Delivery.Status.SENT)
    Delivery.objects.create(user=people[7], local_date=date(2026, 6, 15), status=Delivery.Status.FAILED)
    Delivery.objects.create(user=eve, local_date=date(2026, 6, 15), status=Delivery.Status.SENT)
    Delivery.objects.create(user=alice, local_date=date(2026, 6, 16), status=Delivery.Status.SENT)
    for person in people[:6]:  # a day that may still change is not shown yet
        Delivery.objects.create(user=person, local_date=date(2026, 6, 17), status=Delivery.Status.SENT)
    with time_machine.travel(utc(2026, 6, 18, 9, 0), tick=False):
        client.force_login(olivia)
        response = client.get(LOG)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<td>7</td>" in content  # Riverside's seven sent, not the failure, not Elsewhere's
    assert "<td>fewer than 5</td>" in content  # Tuesday's one reminder: too few to show
    assert "from 1 to 4 is shown as “fewer than 5”" in content
    assert "Mon 15 Jun 2026" in content and "Tue 16 Jun 2026" in content
    assert "Wed 17 Jun 2026" not in content and "<td>6</td>" not in content
    assert "Failed" not in content and "Sent</th>" not in content  # no outcome per person
    assert "whole organisation" in content
    for person in [*people, eve]:
        assert person.email not in content
    assert "Alice" not in content and "Carol" not in content


def test_each_day_in_the_log_follows_the_k_of_its_week(organisation, olivia, client):
    organisation.lowered_k, organisation.lowered_k_from = 3, date(2026, 6, 15)
    organisation.save()
    people = [make_user(f"extra{i}@example.org", organisation) for i in range(4)]
    for day in (date(2026, 6, 12), date(2026, 6, 15)):
        for person in people:
            Delivery.objects.create(user=person, local_date=day, status=Delivery.Status.SENT)
    with time_machine.travel(utc(2026, 6, 18, 9, 0), tick=False):
        client.force_login(olivia)
        content = client.get(LOG).content.decode()
    assert "<td>4</td>" in content  # Monday 15 June: its week has k = 3
    assert "<td>fewer than 5</td>" in content  # Friday 12 June: the week before still has k = 5
    assert "each day follows the rule of its own week" in content


def test_the_log_is_not_there_for_staff_or_supervisors(alice, bob, client):
    for person in [alice, bob]:
        client.force_login(person)
        assert client.get(LOG).status_code == 404
