"""send_reminder: claims its row, retries what is worth retrying, and never sends twice."""

from datetime import time

import pytest
import time_machine
from django.core import mail

from reminders import tasks
from reminders.models import Delivery

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
