"""Changing k in the admin: a lower k waits at least two weeks and everyone is told; a higher k is at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts import thresholds
from accounts.models import AuditEvent, Organisation
from accounts.weeks import first_closed_day

from ..conftest import make_user

# Friday 27 November 2026 in London.
NOW = "2026-11-27 10:00Z"
FIRST_LOWER_WEEK = dt.date(2026, 12, 7)  # its Sunday, 13 December, is the first at least 14 days away


@pytest.fixture
def as_olivia(client, olivia):
    with time_machine.travel(NOW, tick=False):
        client.force_login(olivia)
        yield client


@pytest.fixture
def everyone(alice, bob, carol, dave, olivia, eve, organisation):
    gone = make_user("gone@example.org", organisation, is_active=False)
    return {
        "told": {alice.email, bob.email, carol.email, dave.email, olivia.email},
        "not_told": {eve.email, gone.email},
    }


def change_page(organisation: Organisation) -> str:
    return reverse("admin:accounts_organisation_change", args=[organisation.pk])


def post_k(client, organisation: Organisation, k, capture, **extra):
    organisation.refresh_from_db()
    data = {
        "name": organisation.name,
        "time_zone": organisation.time_zone,
        "anonymity_k": str(k),
        "support_contact": organisation.support_contact,
        "crisis_contact": organisation.crisis_contact,
        "retention_days": organisation.retention_days or "",
        "language": organisation.language,
        "leaver_access_days": organisation.leaver_access_days,
        **extra,
    }
    with time_machine.travel(NOW, tick=False), capture(execute=True):
        response = client.post(change_page(organisation), data)
    organisation.refresh_from_db()
    return response


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_a_lower_k_starts_on_the_first_monday_whose_week_ends_two_weeks_away(today):
    monday = thresholds.first_week_for_lower_k(today)
    assert monday.weekday() == 0
    sunday = monday + dt.timedelta(days=6)
    assert sunday >= today + dt.timedelta(days=14)
    assert sunday - dt.timedelta(days=7) < today + dt.timedelta(days=14)  # and not a week later than needed
    assert dt.datetime.combine(first_closed_day(monday), dt.time()) - dt.datetime.combine(
        today, dt.time()
    ) >= dt.timedelta(days=14)


def test_lowering_k_waits_for_its_week_and_tells_everyone_once(
    as_olivia, organisation, everyone, django_capture_on_commit_callbacks
):
    response = post_k(as_olivia, organisation, 3, django_capture_on_commit_callbacks)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert organisation.anonymity_k == 5  # nothing shown differently today
    assert (organisation.lowered_k, organisation.lowered_k_from) == (3, FIRST_LOWER_WEEK)
    assert organisation.k_for_week(FIRST_LOWER_WEEK - dt.timedelta(days=7)) == 5
    assert organisation.k_for_week(FIRST_LOWER_WEEK) == 3

    assert {m.to[0] for m in mail.outbox} == everyone["told"]
    assert len(mail.outbox) == len(everyone["told"])
    message = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    ((html, _mimetype),) = message.alternatives
    for part in (message.body, html):
        assert "at least 5 different people" in part
        assert "From the week of Monday 7 December 2026 to Sunday 13 December 2026" in part
        assert "at least 3 did" in part
        assert "16 December 2026" in part  # when that week is first published
        assert "/checkin/who-sees-what/" in part

    event = AuditEvent.objects.get(action=AuditEvent.Action.K_LOWERING_SCHEDULED)
    assert (event.detail["old"], event.detail["new"], event.detail["applies_from"]) == (5, 3, "2026-12-07")
    assert event.detail["k_in_force"] == {"before": 5, "after": 5}
    assert event.detail["scheduled_lower_k"] == {"before": None, "after": {"k": 3, "from_week": "2026-12-07"}}
    assert event.organisation_id == organisation.pk

    # The page shows the scheduled change, read-only, with the rule explained; the field shows what was asked.
    body = as_olivia.get(change_page(organisation)).content.decode()
    assert "From the week of Monday 7 December 2026, the smallest group shown will be 3 instead of 5." in body
    assert "Lowering it never applies at once" in body
    assert 'name="anonymity_k" value="3"' in body
    assert 'name="lowered_k' not in body

    # Saving the page again, or changing something else, sends nothing and changes nothing.
    mail.outbox.clear()
    post_k(as_olivia, organisation, 3, django_capture_on_commit_callbacks, support_contact="Call 0800 000 000")
    assert (organisation.anonymity_k, organisation.lowered_k, organisation.lowered_k_from) == (5, 3, FIRST_LOWER_WEEK)
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.K_LOWERING_SCHEDULED).count() == 1
    changed = AuditEvent.objects.get(action=AuditEvent.Action.ORGANISATION_CHANGED)
    assert changed.detail["changes"]["support_contact"] == {"before": "", "after": "Call 0800 000 000"}


def test_raising_k_applies_at_the_next_publication_and_cancels_a_scheduled_lowering(
    as_olivia, organisation, everyone, django_capture_on_commit_callbacks
):
    post_k(as_olivia, organisation, 4, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    post_k(as_olivia, organisation, 7, django_capture_on_commit_callbacks)
    assert (organisation.anonymity_k, organisation.lowered_k, organisation.lowered_k_from) == (7, None, None)
    assert organisation.k_for_week(FIRST_LOWER_WEEK) == 7
    event = AuditEvent.objects.get(action=AuditEvent.Action.K_RAISED)
    assert (event.detail["old"], event.detail["new"], event.detail["applies_from"]) == (5, 7, "next publication")
    # They were told of a lowering, so they are told it will not happen.
    assert {m.to[0] for m in mail.outbox} == everyone["told"]
    assert "will not lower" in mail.outbox[0].body and "to 4" in mail.outbox[0].body
    assert "at least 7 different people" in mail.outbox[0].body


def test_raising_k_with_nothing_scheduled_needs_no_email(
    as_olivia, organisation, alice, django_capture_on_commit_callbacks
):
    response = post_k(as_olivia, organisation, 6, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert organisation.anonymity_k == 6
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.K_RAISED).count() == 1


def test_entering_the_current_k_again_cancels_a_scheduled_lowering(
    as_olivia, organisation, alice, django_capture_on_commit_callbacks
):
    post_k(as_olivia, organisation, 3, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    post_k(as_olivia, organisation, 5, django_capture_on_commit_callbacks)
    assert (organisation.anonymity_k, organisation.lowered_k, organisation.lowered_k_from) == (5, None, None)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.K_LOWERING_CANCELLED).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, "olivia@example.org"]


def test_a_smaller_step_up_within_a_scheduled_lowering_keeps_its_week(
    as_olivia, organisation, alice, django_capture_on_commit_callbacks
):
    post_k(as_olivia, organisation, 3, django_capture_on_commit_callbacks)
    with time_machine.travel("2026-12-03 10:00Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        change = thresholds.do_change_k(organisation, 4)
    assert change.action == AuditEvent.Action.K_LOWERING_SCHEDULED
    assert (organisation.anonymity_k, organisation.lowered_k, organisation.lowered_k_from) == (5, 4, FIRST_LOWER_WEEK)
    # Going lower again later starts the notice again.
    with time_machine.travel("2026-12-03 10:00Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        thresholds.do_change_k(organisation, 3)
    assert organisation.lowered_k_from == dt.date(2026, 12, 14)


def test_k_below_three_is_refused(as_olivia, organisation, django_capture_on_commit_callbacks):
    response = post_k(as_olivia, organisation, 2, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "greater than or equal to 3" in response.content.decode()
    assert (organisation.anonymity_k, organisation.lowered_k) == (5, None)
