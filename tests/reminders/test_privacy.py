"""Supervisors are never told who did or did not check in: reminders report to nobody but the person."""

from datetime import time

import time_machine
from django.core import mail

from accounts.navigation import nav_items_for
from reminders import tasks

from .conftest import make_schedule, utc


def test_a_supervisor_learns_nothing_about_who_was_reminded(
    organisation, team_a, alice, bob, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(utc(2026, 6, 15, 9, 0), tick=False):
        make_schedule(organisation, team=team_a, at=time(16, 30))
    with time_machine.travel(utc(2026, 6, 15, 15, 31), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch_due()
    # One email, to alice only; nothing to, or copied to, her supervisor.
    assert [(m.to, m.cc, m.bcc) for m in mail.outbox] == [([alice.email], [], [])]
    assert "Bob" not in mail.outbox[0].body
    # Nothing reminder-related for bob to open: no log, no preferences of others.
    client.force_login(bob)
    assert client.get("/reminders/log/").status_code == 404
    own_page = client.get("/reminders/").content.decode()
    assert alice.email not in own_page and "Alice" not in own_page
    assert [i for i in nav_items_for(bob) if "/reminders/" in i.url] == []
