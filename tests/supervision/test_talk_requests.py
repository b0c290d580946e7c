"""“I'd like to talk”: its own request, to one chosen person, seen and acknowledged in the app."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership
from supervision.models import TalkRequest

from .conftest import NOW


def ask(client, recipient, note=""):
    return client.post(reverse("supervision:talk"), {"recipient": recipient.pk, "note": note})


@pytest.fixture
def asked(client, alice, bob, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, bob, "After 3 on Thursday would be good").status_code == 302
    return TalkRequest.objects.get()


def test_a_member_chooses_among_the_supervisors_of_their_teams(client, alice, bob, dave, team_b):
    Membership.objects.create(user=alice, team=team_b, role=Membership.Role.MEMBER)
    client.force_login(alice)
    body = client.get(reverse("supervision:talk")).content.decode()
    assert "Bob Supervisor" in body and "Dave Othersupervisor" in body


def test_the_organisation_support_person_can_be_chosen_when_set(client, alice, bob, olivia, organisation):
    client.force_login(alice)
    assert "Olivia Admin" not in client.get(reverse("supervision:talk")).content.decode()
    organisation.support_person = olivia
    organisation.save()
    assert "Olivia Admin" in client.get(reverse("supervision:talk")).content.decode()
    assert ask(client, olivia).status_code == 302
    assert TalkRequest.objects.get().recipient == olivia


def test_nobody_outside_those_can_be_asked(client, alice, bob, dave, olivia):
    client.force_login(alice)
    for stranger in (dave, olivia):
        response = ask(client, stranger)
        assert response.status_code == 400
    assert not TalkRequest.objects.exists()


def test_the_email_names_nobody_and_carries_nothing_they_wrote(asked, bob):
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "A talk request is waiting for you"
    for part in (message.body, message.alternatives[0][0]):
        assert reverse("supervision:talk_request", args=[asked.pk]) in part
        for text in ("Alice", "alice@", "Thursday", "Team A"):
            assert text not in part


def test_asking_the_same_person_again_while_open_sends_nothing_new(
    client, asked, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, bob).status_code == 302
    assert TalkRequest.objects.count() == 1 and len(mail.outbox) == 1


def test_the_supervisor_opens_it_and_says_they_will_be_in_touch_which_the_person_sees(client, asked, alice, bob):
    client.force_login(bob)
    assert "Alice Member" in client.get(reverse("supervision:talk_requests")).content.decode()
    url = reverse("supervision:talk_request", args=[asked.pk])
    body = client.get(url).content.decode()
    assert "Alice Member would like to talk" in body and "After 3 on Thursday would be good" in body
    assert client.post(url).status_code == 302
    asked.refresh_from_db()
    assert asked.acknowledged_at == NOW
    client.force_login(alice)
    body = client.get(reverse("supervision:talk")).content.decode()
    assert "I&#x27;ll be in touch”, 18 Mar, 12:00" in body or "I'll be in touch”, 18 Mar, 12:00" in body


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "olivia", "oscar", "eve", "root"])
def test_nobody_but_the_chosen_person_opens_it(client, request, asked, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("supervision:talk_request", args=[asked.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    asked.refresh_from_db()
    assert asked.acknowledged_at is None


def test_it_closes_after_fourteen_days(client, asked, alice, bob):
    url = reverse("supervision:talk_request", args=[asked.pk])
    with time_machine.travel(NOW + dt.timedelta(days=14, seconds=1), tick=False):
        client.force_login(bob)
        assert client.get(url).status_code == 404
        assert "Alice Member" not in client.get(reverse("supervision:talk_requests")).content.decode()
        client.force_login(alice)
        assert "Closed without an answer" in client.get(reverse("supervision:talk")).content.decode()


def test_the_person_can_withdraw_it(client, asked, alice, bob):
    assert client.post(reverse("supervision:talk_withdraw", args=[asked.pk])).status_code == 302
    client.force_login(bob)
    assert client.get(reverse("supervision:talk_request", args=[asked.pk])).status_code == 404


def test_talk_requests_leave_no_trace_in_the_audit_log(asked, bob, client):
    client.force_login(bob)
    client.post(reverse("supervision:talk_request", args=[asked.pk]))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions <= {AuditEvent.Action.SIGN_IN}


def test_a_line_too_long_is_refused_and_kept(client, alice, bob):
    client.force_login(alice)
    response = ask(client, bob, "a" * 201)
    assert response.status_code == 400
    assert "a" * 201 in response.content.decode()
    assert not TalkRequest.objects.exists()


def test_the_support_person_is_chosen_among_the_organisations_own_people(organisation, olivia, alice, eve, oscar):
    from accounts.admin import OrganisationForm

    choices = set(OrganisationForm(instance=organisation).fields["support_person"].queryset)
    assert {olivia, alice} <= choices and not {eve, oscar} & choices
