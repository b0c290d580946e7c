"""Every kind of email the product sends, produced in one populated world: none carries
free text, and none carries anyone's individual ratings."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.invitations import send_invitation
from accounts.memberships import tell_person_about_team
from accounts.thresholds import do_change_k
from reminders.models import ReminderSchedule
from reminders.tasks import dispatch_due
from supervision.digest import send_due_digests
from supervision.publishing import publish_due
from supervision.talk import send_talk_request

from .world import build_world

pytestmark = pytest.mark.django_db


def _all_parts(message) -> str:
    return "\n".join([message.subject, message.body, *[content for content, _type in message.alternatives]])


def test_no_email_carries_free_text_or_anyone_s_ratings(
    alice, bob, carol, dave, eve, olivia, oscar, root, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    world = build_world(
        {
            "alice": alice,
            "bob": bob,
            "carol": carol,
            "dave": dave,
            "eve": eve,
            "olivia": olivia,
            "oscar": oscar,
            "root": root,
        }
    )
    send_invitation(alice, invited_by=olivia)
    Client().post(reverse("password_reset"), {"email": carol.email})
    send_talk_request(world.alice_talk_request)
    publish_due()
    send_due_digests(any_hour=True)
    ReminderSchedule.objects.create(organisation=alice.organisation, weekdays="0123456", local_time="00:00")
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
        tell_person_about_team(alice.memberships.get().pk)
        do_change_k(alice.organisation, 3, actor=olivia)

    kinds = {message.subject for message in mail.outbox}
    words = ("invited", "password", "talk", "team trends", "check-in", "added to the team", "when team figures")
    assert set(words) <= {word for word in words if any(word in subject.lower() for subject in kinds)}, kinds
    markers = world.markers_not_of("nobody")
    for message in mail.outbox:
        text = _all_parts(message)
        assert not [marker for marker in markers if marker in text], message.subject
        # The rating pattern 4,0,3,1,4,2,3,1,4 of the world's check-ins never appears as values.
        assert "4, 0, 3, 1, 4" not in text and "40314" not in text
        assert "sts_index" not in text.lower()
        # Nobody's name in any subject, and a talk request names no one at all.
        assert not any(name in message.subject for name in ("Alice", "Bob", "Carol", "Dave", "Eve"))
        if "talk request" in message.subject.lower():
            assert "Alice" not in text and "Team A" not in text
