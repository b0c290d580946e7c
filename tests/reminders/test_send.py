"""send_reminder: claims its row, retries what is worth retrying, and never sends twice."""

from datetime import time

import pytest
import time_machine
from django.core import mail

from accounts.models import Membership, User
from reminders import dispatch, tasks
from reminders.models import Delivery
from sts_checkin.celery import app as celery_app
from tests.conftest import PERSONAS_JOINED

from .conftest import make_schedule, utc
from .fake_smtp import FakeSMTPServer


@pytest.fixture
def pending_delivery(organisation, team_a, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), django_capture_on_commit_callbacks(execute=False):
        tasks.dispatch_due()
    return Delivery.objects.get(user=alice)


@pytest.fixture
def smtp(settings):
    def use(server: FakeSMTPServer | None = None, port: int | None = None) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port if server else port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    return use


def test_a_mail_server_that_drops_the_first_connection_gets_the_reminder_on_the_retry(pending_delivery, smtp, alice):
    with FakeSMTPServer(drop_first=1) as server:
        smtp(server)
        with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
            tasks.send_reminder.delay(pending_delivery.pk)
    assert server.connections == 2
    assert [m["To"] for m in server.messages] == [alice.email]
    pending_delivery.refresh_from_db()
    assert (pending_delivery.status, pending_delivery.attempts) == (Delivery.Status.SENT, 2)


def test_a_mail_server_that_stays_down_ends_in_failed_with_the_error(pending_delivery, smtp):
    with FakeSMTPServer(drop_first=100) as server:
        smtp(server)
        with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
            tasks.send_reminder.delay(pending_delivery.pk)
    pending_delivery.refresh_from_db()
    assert pending_delivery.status == Delivery.Status.FAILED
    assert pending_delivery.attempts == tasks.MAX_RETRIES + 1
    assert "SMTPServerDisconnected" in pending_delivery.error
    assert server.messages == []


def test_a_transient_failure_puts_the_row_back_to_pending_with_a_backoff(pending_delivery, smtp, settings):
    smtp(port=1)  # nothing listens there: connection refused
    # As a worker's first attempt would: fail, record, ask for a retry.
    with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False), pytest.raises(ConnectionRefusedError):
        tasks.send_reminder(pending_delivery.pk)
    pending_delivery.refresh_from_db()
    assert pending_delivery.status == Delivery.Status.PENDING
    assert "ConnectionRefusedError" in pending_delivery.error
    assert pending_delivery.enqueued_at == utc(2026, 6, 15, 15, 32, 30)


def test_a_redelivered_message_after_a_successful_send_does_not_send_again(pending_delivery):
    with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
        assert tasks.send_reminder.delay(pending_delivery.pk).get() == "sent"
        assert tasks.send_reminder.delay(pending_delivery.pk).get() == "not pending"
    assert len(mail.outbox) == 1


def test_a_send_interrupted_midway_is_marked_failed_and_never_repeated(
    pending_delivery, django_capture_on_commit_callbacks
):
    Delivery.objects.filter(pk=pending_delivery.pk).update(
        status=Delivery.Status.SENDING, attempted_at=utc(2026, 6, 15, 15, 32)
    )
    with time_machine.travel(utc(2026, 6, 15, 15, 50), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch_due()
    pending_delivery.refresh_from_db()
    assert pending_delivery.status == Delivery.Status.FAILED
    assert mail.outbox == []


@pytest.fixture
def three_pending(organisation, team_a, alice, carol, django_capture_on_commit_callbacks) -> list[Delivery]:
    erin = User.objects.create(email="erin@example.org", organisation=organisation, time_zone="Europe/London")
    Membership.objects.create(user=erin, team=team_a)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), django_capture_on_commit_callbacks(execute=False):
        tasks.dispatch_due()
    return list(Delivery.objects.select_related("user").order_by("pk"))


@pytest.fixture
def redis_queue(require_redis):
    """The broker for real (not run eagerly), our own Redis db emptied first; reads what was queued."""
    celery_app.conf.task_always_eager = False  # eager_sends puts it back
    queue = celery_app.conf.task_default_queue
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)

    def read() -> list:
        messages = []
        with celery_app.connection_for_write() as conn:
            while (message := conn.default_channel.basic_get(queue, no_ack=True)) is not None:
                messages.append(message)
        return messages

    return read


def test_in_a_batch_a_transient_failure_is_retried_for_that_delivery_alone(three_pending, smtp):
    first, *others = three_pending
    with FakeSMTPServer(drop_first=1) as server:
        smtp(server)
        with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
            outcomes = tasks.send_reminders([d.pk for d in three_pending])
    assert outcomes == {"retrying": 1, "sent": 2}
    assert sorted(m["To"] for m in server.messages) == sorted(d.user.email for d in three_pending)
    attempts = dict(Delivery.objects.values_list("pk", "attempts"))
    assert attempts == {first.pk: 2, **{d.pk: 1 for d in others}}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_the_retry_queued_by_a_batch_is_that_one_delivery_with_its_backoff(three_pending, smtp, redis_queue):
    first = three_pending[0]
    with FakeSMTPServer(drop_first=1) as server:
        smtp(server)
        with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
            tasks.send_reminders([d.pk for d in three_pending])
    assert len(server.messages) == 2
    (message,) = redis_queue()
    assert message.headers["task"] == "reminders.send_reminder"
    assert message.decode()[0] == [first.pk]
    assert message.headers["retries"] == 1
    assert message.headers["eta"].startswith("2026-06-15T15:32:30")
    first.refresh_from_db()
    assert (first.status, first.enqueued_at) == (Delivery.Status.PENDING, utc(2026, 6, 15, 15, 32, 30))


def test_a_batch_that_runs_long_passes_the_rest_on_and_each_is_sent_once(three_pending, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SECONDS", -1)  # every message sends one, then passes the rest on
    with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
        assert tasks.send_reminders([d.pk for d in three_pending]) == {"sent": 1, "passed on": 2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.user.email for d in three_pending)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_tick_queues_one_message_per_few_hundred_deliveries(
    organisation, team_a, monkeypatch, redis_queue, django_capture_on_commit_callbacks
):
    users = User.objects.bulk_create(
        User(email=f"person{i}@example.org", organisation=organisation, time_zone="Europe/London") for i in range(25)
    )
    Membership.objects.bulk_create(Membership(user=u, team=team_a, started_on=PERSONAS_JOINED) for u in users)
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, at=time(16, 30))
    monkeypatch.setattr(dispatch, "SEND_CHUNK", 10)
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), django_capture_on_commit_callbacks(execute=True):
        report = dispatch.dispatch_due()
    messages = redis_queue()
    assert [m.headers["task"] for m in messages] == ["reminders.send_reminders"] * 3
    assert [len(m.decode()[0][0]) for m in messages] == [10, 10, 5]
    assert sorted(i for m in messages for i in m.decode()[0][0]) == sorted(report.created)
    assert mail.outbox == []


def test_someone_no_longer_in_any_team_is_not_sent_a_reminder_queued_before(pending_delivery, alice):
    Membership.objects.filter(user=alice).delete()
    with time_machine.travel(utc(2026, 6, 15, 15, 32), tick=False):
        tasks.send_reminder.delay(pending_delivery.pk)
    pending_delivery.refresh_from_db()
    assert pending_delivery.status == Delivery.Status.SKIPPED
    assert pending_delivery.error == "No active schedule covers this person any more."
    assert mail.outbox == []
