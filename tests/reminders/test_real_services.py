"""The reminder path on real services: two dispatchers racing on PostgreSQL, and a real worker."""

import email
import re
from datetime import time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import resolve
from django.utils import timezone

from accounts.models import Membership, User
from checkins.models import IntroSeen
from reminders import dispatch, tasks
from reminders.models import Delivery

from ..conftest import PERSONAS_JOINED, wait_for
from ..races import race
from .conftest import make_schedule, utc


def test_two_dispatchers_at_the_same_moment_create_one_delivery_and_one_email_each(
    require_postgres, transactional_db, organisation, team_a
):
    users = User.objects.bulk_create(
        User(email=f"person{i}@example.org", organisation=organisation, time_zone="Europe/London") for i in range(40)
    )
    Membership.objects.bulk_create(Membership(user=u, team=team_a, started_on=PERSONAS_JOINED) for u in users)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False):
        reports = race(dispatch.dispatch_due, dispatch.dispatch_due)
    assert sum(len(r.created) for r in reports) == 40
    assert Delivery.objects.count() == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.fixture
def celery_worker_env(tmp_path) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings", "REMINDER_TEST_MAIL_DIR": str(tmp_path)}


def read_mail_file(folder: Path) -> email.message.Message:
    (path,) = folder.glob("*.log")
    raw = path.read_bytes().split(b"\n" + b"-" * 79)[0]
    return email.message_from_bytes(raw)


def test_a_beat_tick_reaches_a_real_worker_which_emails_a_link_to_todays_check_in(
    celery_worker_process, celery_worker_env, organisation, team_a, alice, client
):
    # Set up yesterday evening: today's reminder, at midnight, has been due since then.
    local_yesterday = timezone.now().astimezone(organisation.tz) - timedelta(days=1)
    with time_machine.travel(local_yesterday.replace(hour=22, minute=0), tick=False):
        make_schedule(organisation, team=team_a, at=time(0, 0))

    tasks.dispatch_due.delay()

    def reminder_sent():
        return Delivery.objects.filter(user=alice, status=Delivery.Status.SENT).first()

    delivery = wait_for(reminder_sent, timeout=60)
    assert delivery.local_date == alice.local_today()
    message = read_mail_file(Path(celery_worker_env["REMINDER_TEST_MAIL_DIR"]))
    assert message["To"] == alice.email
    assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/reminders/stop/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "Hello Alice," in parts["text/plain"] and "Hello Alice," in parts["text/html"]
    checkin_path = re.search(r"http://127\.0\.0\.1:8000(/\S*)", parts["text/plain"]).group(1)
    assert resolve(checkin_path).view_name == "checkins:today"
    client.force_login(alice)
    IntroSeen.objects.create(user=alice)  # a first-timer sees the short intro screen first
    response = client.get(checkin_path, follow=True)
    assert response.status_code == 200
    assert response.resolver_match.view_name == "checkins:today"
