"""Redis down: the web app carries on without it, and reminders wait for it, then go out once each."""

from __future__ import annotations

import io
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, User
from checkins.models import CheckIn, IntroSeen
from reminders import dispatch
from reminders.models import Delivery

from ..checkins.conftest import form_data
from ..conftest import PASSWORD, PERSONAS_JOINED, wait_for
from ..reminders.conftest import make_schedule
from .conftest import Browser, broker_at, closed_port_url, web_server
from .mail_files import recipients

pytestmark = pytest.mark.redis


# Signs in through a gunicorn process, which checks passwords with the production hashers.
@pytest.mark.argon2
def test_signing_in_and_checking_in_work_while_redis_is_down(require_postgres, require_redis, transactional_db, alice):
    IntroSeen.objects.create(user=alice)
    down = {
        "REDIS_URL": closed_port_url(django_settings.REDIS_URL),
        "CELERY_BROKER_URL": closed_port_url(django_settings.CELERY_BROKER_URL),
    }
    with web_server(**down) as base:
        browser = Browser(base)
        assert browser.sign_in(alice.email, PASSWORD) == 302
        assert browser.get("/checkin/")[0] == 200
        started = time.monotonic()
        status, location, _body = browser.post("/checkin/", form_data(level=2, nourish="while Redis was away"))
        assert status == 302 and "/checkin/saved/" in location
        assert time.monotonic() - started < 10
        for page in ("/checkin/saved/", "/checkin/history/", "/reminders/", "/checkin/my-data/"):
            assert browser.get(page)[0] == 200, page
        assert browser.post("/reminders/", {"local_time": "08:30", "weekdays": ["0", "2"]})[0] == 302
    assert CheckIn.objects.get(user=alice).nourish == "while Redis was away"


def test_the_cache_reads_as_a_miss_and_drops_writes_while_redis_is_down(require_redis, settings):
    settings.CACHES = {
        "default": {**django_settings.CACHES["default"], "LOCATION": closed_port_url(django_settings.REDIS_URL)}
    }
    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("anything", "value")
    assert cache.add("other", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    cache.delete("anything")
    assert cache.get_or_set("computed", lambda: "fresh") == "fresh"
    assert time.monotonic() - started < 10


@pytest.fixture
def celery_worker_env(tmp_path) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings", "REMINDER_TEST_MAIL_DIR": str(tmp_path)}


@pytest.fixture
def staff(organisation, team_a) -> list[User]:
    people = User.objects.bulk_create(
        User(email=f"person{i}@example.org", organisation=organisation, time_zone="Europe/London") for i in range(6)
    )
    Membership.objects.bulk_create(
        Membership(user=person, team=team_a, started_on=PERSONAS_JOINED) for person in people
    )
    # Set up yesterday evening, so today's reminder (at midnight) is due now, in real time.
    yesterday = timezone.now().astimezone(organisation.tz) - timedelta(days=1)
    with time_machine.travel(yesterday.replace(hour=22, minute=0), tick=False):
        make_schedule(organisation, team=team_a, at=clock(0, 0))
    return people


def test_a_tick_while_the_broker_is_down_leaves_reminders_pending_and_they_go_out_once_it_is_back(
    require_postgres, empty_queue, celery_worker_process, celery_worker_env, staff
):
    with broker_at(closed_port_url(django_settings.CELERY_BROKER_URL)):
        started = time.monotonic()
        report = dispatch.dispatch_due()
        assert time.monotonic() - started < 15  # publishing gave up quickly instead of hanging the tick
    assert len(report.created) == len(staff)
    assert sorted(report.waiting) == sorted(report.created)  # none reached the broker
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}

    # Redis is back. The next tick leaves the rows alone until their messages count as lost...
    assert dispatch.dispatch_due().requeued == []
    # ...and once they do, queues each again, and the worker sends each one.
    with time_machine.travel(timezone.now() + dispatch.LOST_AFTER + timedelta(minutes=1), tick=False):
        assert len(dispatch.dispatch_due().requeued) == len(staff)

    def all_sent():
        return Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(staff)

    wait_for(all_sent, timeout=60)
    with time_machine.travel(timezone.now() + 3 * dispatch.LOST_AFTER, tick=False):
        assert dispatch.dispatch_due().requeued == []
    time.sleep(1)
    assert recipients(Path(celery_worker_env["REMINDER_TEST_MAIL_DIR"])) == {person.email: 1 for person in staff}


def test_send_due_reminders_says_the_reminders_wait_while_the_broker_is_down(require_redis, transactional_db, staff):
    out = io.StringIO()
    with broker_at(closed_port_url(django_settings.CELERY_BROKER_URL)):
        call_command("send_due_reminders", stdout=out)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    assert Delivery.objects.count() == len(staff)
    assert (
        f"0 reminders queued for the worker (0 lost ones queued again). {len(staff)} waiting: the broker could not"
        " be reached" in out.getvalue()
    )
