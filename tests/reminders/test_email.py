"""The reminder email: kind words, a link to today's check-in, and links to snooze or stop."""

import re
from datetime import time

import pytest
import time_machine
from django.core import mail
from django.urls import resolve

from checkins.models import IntroSeen
from reminders import tasks
from reminders.models import ReminderPreference

from .conftest import make_schedule, utc


@pytest.fixture
def reminder(organisation, team_a, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30), message="Team huddle moves to Thursday.")
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch_due()
    (message,) = mail.outbox
    return message


def links_in(text: str) -> list[str]:
    return re.findall(r"http://127\.0\.0\.1:8000(/[^\s\"<>]*)", text)


def test_it_has_a_text_and_an_html_part_with_the_same_links(reminder, alice):
    html, mimetype = reminder.alternatives[0]
    assert mimetype == "text/html"
    assert reminder.to == [alice.email]
    assert reminder.subject == "A minute for yourself today?"
    assert "Hello Alice," in reminder.body
    assert "Team huddle moves to Thursday." in reminder.body and "Team huddle moves to Thursday." in html
    assert links_in(reminder.body) == links_in(html.replace("&amp;", "&"))
    assert len(links_in(reminder.body)) == 7
    # "Take a minute" is offered too: a breath or a good moment without checking in.
    assert "/minute/" in links_in(reminder.body)


def test_it_offers_to_note_a_rough_day_in_one_tap_on_the_check_in_page(reminder, alice_in):
    rough = [link for link in links_in(reminder.body) if link.endswith("#quick-day")]
    assert len(rough) == 1 and "Rough day, or a day off?" in reminder.body
    html = alice_in.get(rough[0].split("#")[0]).content.decode()
    assert 'id="quick-day"' in html and 'name="kind" value="hard_day"' in html


def test_it_is_kind_and_keeps_no_score(reminder):
    text = (reminder.subject + reminder.body + reminder.alternatives[0][0]).lower()
    for word in ["streak", "missed", "in a row", "days since", "overdue", "failed", "supervisor will"]:
        assert word not in text


def test_its_first_link_opens_todays_check_in_after_sign_in(reminder, client, alice):
    checkin_path = links_in(reminder.body)[0]
    assert resolve(checkin_path).view_name == "checkins:today"
    response = client.get(checkin_path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/checkin/")
    client.force_login(alice)
    IntroSeen.objects.create(user=alice)  # a first-timer sees the short intro screen first
    assert client.get(checkin_path).status_code == 200


@pytest.fixture
def alice_in(client, alice):
    IntroSeen.objects.create(user=alice)
    client.force_login(alice)
    return client


def test_it_carries_a_one_click_list_unsubscribe_header(reminder, client, alice):
    header = reminder.extra_headers["List-Unsubscribe"]
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop_path = links_in(header)[0]
    assert stop_path in links_in(reminder.body)
    # RFC 8058: the mail provider POSTs, with no cookie and no CSRF token.
    client.handler.enforce_csrf_checks = True
    with time_machine.travel(utc(2026, 6, 15, 16, 0), tick=False):
        response = client.post(stop_path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=alice).opted_out
    assert ReminderPreference.objects.get(user=alice).next_reminder_at is None
