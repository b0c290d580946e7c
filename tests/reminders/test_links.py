"""Snooze and stop links: signed, expiring, usable without signing in, and safe from link scanners."""

from datetime import date, time

import time_machine

from reminders import links
from reminders.models import ReminderPreference

from .conftest import make_schedule, utc


def path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_a_stop_link_asks_first_then_stops_reminders_without_signing_in(organisation, team_a, alice, client):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
        url = path(links.stop_url(alice.pk))
        response = client.get(url)
        assert response.status_code == 200
        assert b"Stop reminder emails" in response.content
        assert not ReminderPreference.objects.get(user=alice).opted_out  # a GET changes nothing
        response = client.post(url)
    assert response.status_code == 200
    assert b"no more reminder emails" in response.content
    preference = ReminderPreference.objects.get(user=alice)
    assert preference.opted_out and preference.next_reminder_at is None


def test_a_snooze_link_skips_tomorrow_or_a_week(organisation, team_a, alice, client):
    with time_machine.travel(utc(2026, 6, 15, 16, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
        client.post(path(links.snooze_url(alice.pk, "day")))
        preference = ReminderPreference.objects.get(user=alice)
        assert preference.snoozed_until == date(2026, 6, 16)
        assert preference.next_reminder_at == utc(2026, 6, 17, 15, 30)
        client.post(path(links.snooze_url(alice.pk, "week")))
    preference.refresh_from_db()
    assert preference.snoozed_until == date(2026, 6, 22)
    assert preference.next_reminder_at == utc(2026, 6, 23, 15, 30)


def test_an_expired_or_tampered_link_explains_itself(organisation, alice, client):
    with time_machine.travel(utc(2026, 6, 1, 9, 0), tick=False):
        url = path(links.stop_url(alice.pk))
    with time_machine.travel(utc(2026, 6, 16, 9, 0), tick=False):
        response = client.post(url)
    assert response.status_code == 400
    assert b"no longer works" in response.content
    assert client.get(url[:-3] + "abc/").status_code == 400
    # A snooze token cannot stop reminders, and the other way round.
    snooze_token = path(links.snooze_url(alice.pk, "day")).rstrip("/").split("/")[-1]
    assert client.post(f"/reminders/stop/{snooze_token}/").status_code == 400
    assert not ReminderPreference.objects.filter(user=alice, opted_out=True).exists()
