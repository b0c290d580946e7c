"""The weekly digest goes out exactly once per supervisor and published week.

Two beats ticking at the same moment, a worker killed mid-send and a worker killed between
creating the rows and sending them each leave every supervisor with exactly one digest, or,
for a send that was interrupted after it was claimed, none rather than two.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import Counter

import pytest
from django.core import mail

from accounts.models import AuditEvent, Membership, User
from supervision import digest
from supervision.digest import create_deliveries, deliver, send_due_digests
from supervision.models import DigestDelivery, Publication
from supervision.tasks import publish_due_weeks
from tests.conftest import PERSONAS_JOINED
from tests.races import race

from .conftest import LAST_CLOSED_MONDAY, NOW, publish

Status = DigestDelivery.Status


def recipients() -> Counter:
    return Counter(message.to[0] for message in mail.outbox)


def newest_publication() -> Publication:
    return Publication.objects.get(week=LAST_CLOSED_MONDAY)


@pytest.mark.django_db(transaction=True)
def test_two_beats_ticking_at_the_same_moment_send_one_digest_per_supervisor(
    require_postgres, team_a, bob, dave, team_a_history, team_b_history
):
    extra = User.objects.bulk_create(
        User(email=f"lead{i}@example.org", organisation=team_a.organisation, time_zone="Europe/London")
        for i in range(20)
    )
    Membership.objects.bulk_create(
        Membership(user=u, team=team_a, role=Membership.Role.SUPERVISOR, started_on=PERSONAS_JOINED) for u in extra
    )
    supervisors = {bob.email, dave.email, *(u.email for u in extra)}
    race(*[lambda: publish_due_weeks.apply().get()] * 2, timeout=120)
    newest = [m for m in mail.outbox if "week of 9 Mar 2026" in m.subject]
    assert Counter(m.to[0] for m in newest) == Counter(dict.fromkeys(supervisors, 1))
    assert DigestDelivery.objects.filter(publication=newest_publication(), status=Status.SENT).count() == 22
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DIGEST_SENT).count() == 22
    publish_due_weeks.apply()
    assert len([m for m in mail.outbox if "week of 9 Mar 2026" in m.subject]) == 22


def test_a_send_interrupted_after_its_claim_is_never_resent_and_is_marked_failed(
    bob, dave, team_a_history, team_b_history
):
    publish()
    create_deliveries(newest_publication(), NOW)
    # A worker claimed bob's digest, then was killed before it could say whether it went out.
    DigestDelivery.objects.filter(supervisor=bob).update(status=Status.SENDING, attempted_at=NOW, attempts=1)
    assert send_due_digests(now=NOW) == 1
    assert recipients() == {"dave@example.org": 1}
    assert DigestDelivery.objects.get(supervisor=bob).status == Status.SENDING
    later = NOW + digest.INTERRUPTED_AFTER + dt.timedelta(minutes=1)
    send_due_digests(now=later)
    interrupted = DigestDelivery.objects.get(supervisor=bob)
    assert (interrupted.status, interrupted.sent_at) == (Status.FAILED, None)
    assert "never sent twice" in interrupted.error
    send_due_digests(now=later + dt.timedelta(hours=1))
    publish_due_weeks.apply()
    assert recipients() == {"dave@example.org": 1}


def test_pending_digests_left_by_a_killed_worker_are_sent_by_the_next_tick(bob, dave, team_a_history, team_b_history):
    publish()
    # The worker created the rows and sent dave's digest, then was killed.
    create_deliveries(newest_publication(), NOW)
    assert deliver(DigestDelivery.objects.get(supervisor=dave).pk, NOW) == "sent"
    assert DigestDelivery.objects.get(supervisor=bob).status == Status.PENDING
    publish_due_weeks.apply()
    assert recipients() == {"dave@example.org": 1, "bob@example.org": 1}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {Status.SENT}
    publish_due_weeks.apply()
    assert len(mail.outbox) == 2


def test_a_supervisor_of_two_teams_gets_one_email_covering_both(team_b, bob, team_a_history, team_b_history):
    Membership.objects.create(user=bob, team=team_b, role=Membership.Role.SUPERVISOR, started_on=PERSONAS_JOINED)
    publish_due_weeks.apply()
    assert recipients() == {"bob@example.org": 1, "dave@example.org": 1}
    (message,) = [m for m in mail.outbox if m.to == ["bob@example.org"]]
    assert "Team A" in message.body and "Team B" in message.body
    assert DigestDelivery.objects.filter(supervisor=bob).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DIGEST_SENT, detail__recipient=bob.pk).count() == 2


def test_former_and_inactive_supervisors_get_no_digest(team_a, bob, dave, team_a_history, team_b_history):
    Membership.objects.filter(user=dave).update(ended_on=dt.date(2026, 3, 17))
    publish()
    create_deliveries(newest_publication(), NOW)
    assert list(DigestDelivery.objects.values_list("supervisor", flat=True)) == [bob.pk]
    # Deactivated after the rows were created, before the send.
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert send_due_digests(now=NOW) == 0
    assert mail.outbox == []
    assert DigestDelivery.objects.get().status == Status.SKIPPED


def test_a_mail_server_failure_is_tried_again_by_a_later_tick(monkeypatch, bob, team_a_history):
    real = digest.send_templated
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("gone")
        return real(*args, **kwargs)

    monkeypatch.setattr(digest, "send_templated", flaky)
    publish_due_weeks.apply()
    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts, mail.outbox) == (Status.PENDING, 1, [])
    publish_due_weeks.apply()
    assert recipients() == {"bob@example.org": 1}
    assert DigestDelivery.objects.get().status == Status.SENT
