"""People in the admin: adding with a place, the list's filters, bulk resend, leavers, the checklist."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin import helpers
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.leavers import do_mark_left
from accounts.models import AuditEvent, Membership, User
from checkins import insights
from checkins.leavers import do_close_leavers
from checkins.models import CheckIn
from reminders import dispatch
from reminders.models import Delivery, ReminderSchedule
from sts_checkin.celery import app as celery_app

from ..conftest import PASSWORD, make_user

PEOPLE = reverse("admin:accounts_user_changelist")


def sign_in(client, person):
    return client.post(reverse("login"), {"username": person.email, "password": PASSWORD})


@pytest.fixture(autouse=True)
def eager_invitations():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def as_olivia(client, olivia):
    client.force_login(olivia)
    return client


def test_adding_a_person_gives_them_teams_a_role_and_the_organisations_defaults(
    as_olivia, organisation, team_a, team_b
):
    organisation.language = "es"
    organisation.save()
    form = as_olivia.get(reverse("admin:accounts_user_add")).context["adminform"].form
    assert form.initial["time_zone"] == "Europe/London" and form.initial["language"] == "es"
    assert set(form.fields["teams"].queryset) == {team_a, team_b}
    response = as_olivia.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nina@example.org",
            "display_name": "Nina New",
            "time_zone": "Europe/London",
            "language": "",
            "teams": [team_a.pk, team_b.pk],
            "role": "supervisor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nina = User.objects.get(email="nina@example.org")
    assert nina.language == "es"  # left empty: the organisation's
    assert {(m.team, m.role) for m in Membership.objects.current().filter(user=nina)} == {
        (team_a, "supervisor"),
        (team_b, "supervisor"),
    }
    (invitation,) = mail.outbox  # one email: the invitation names the teams
    assert "Team A, Team B" in invitation.body


def test_an_organisation_admin_cannot_add_a_person_to_another_organisations_team(as_olivia, outside_team):
    response = as_olivia.post(
        reverse("admin:accounts_user_add"),
        {"email": "nina@example.org", "time_zone": "Europe/London", "teams": [outside_team.pk], "role": "member"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="nina@example.org").exists()


def test_the_people_list_shows_who_has_not_accepted_and_who_has_no_team(as_olivia, organisation, alice):
    make_user("noteam@example.org", organisation)
    invited = User.objects.create_user("invited@example.org", organisation=organisation)
    pending = as_olivia.get(PEOPLE + "?invitation=pending")
    assert [p.email for p in pending.context["cl"].result_list] == ["invited@example.org"]
    assert "not accepted yet" in pending.content.decode()
    no_team = as_olivia.get(PEOPLE + "?place=none")
    emails = {p.email for p in no_team.context["cl"].result_list}
    assert "noteam@example.org" in emails and invited.email in emails and alice.email not in emails


def test_resend_invitation_in_bulk_queues_only_people_who_have_not_accepted(
    as_olivia, organisation, alice, django_capture_on_commit_callbacks
):
    invited = [User.objects.create_user(f"invited{i}@example.org", organisation=organisation) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(
            PEOPLE,
            {"action": "resend_invitation", helpers.ACTION_CHECKBOX_NAME: [p.pk for p in [*invited, alice]]},
            follow=True,
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in invited)
    body = response.content.decode()
    assert "3 invitations are on their way." in body
    assert "1 person was left out: they have accepted already or have left." in body


# --- Leavers ------------------------------------------------------------------------------------


def test_marking_a_person_as_left_ends_teams_stops_reminders_and_signs_them_out(as_olivia, organisation, team_a, alice):
    ReminderSchedule.objects.create(organisation=organisation, weekdays="0123456", local_time=dt.time(0, 0))
    elsewhere = Client()
    elsewhere.force_login(alice)
    assert Session.objects.count() == 2  # alice's phone and olivia's admin
    confirm = as_olivia.post(PEOPLE, {"action": "mark_as_left", helpers.ACTION_CHECKBOX_NAME: [alice.pk]})
    assert "for 30 more days they can still sign in" in confirm.content.decode()
    assert Membership.objects.get(user=alice).ended_on is None  # nothing until confirmed
    as_olivia.post(
        PEOPLE, {"action": "mark_as_left", helpers.ACTION_CHECKBOX_NAME: [alice.pk], "apply": "yes", "confirm": "on"}
    )
    alice.refresh_from_db()
    assert alice.left_on == organisation.today()
    assert Membership.objects.get(user=alice).ended_on == organisation.today()
    assert elsewhere.get(reverse("checkins:my_data")).status_code == 302  # signed out
    assert Session.objects.count() == 1
    dispatch.dispatch_due()
    assert not Delivery.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_LEFT)
    assert (
        "Marked Alice Member as left on"
        in as_olivia.get(reverse("admin:accounts_auditevent_changelist")).content.decode()
    )
    assert event.detail["person"]["email"] == alice.email


def test_a_leaver_can_still_download_their_data_until_the_window_closes_then_it_is_erased(organisation, team_a, alice):
    organisation.retention_days = 60
    organisation.save()
    today = alice.local_today()
    for days_ago in (1, 90):
        CheckIn.objects.create(
            user=alice, local_date=today - dt.timedelta(days=days_ago), **dict.fromkeys(insights.SIGN_FIELDS, 1)
        )
    do_mark_left(alice)
    # Retention applies at once: the 90-day-old check-in is gone, yesterday's stays hers to download.
    assert list(CheckIn.objects.filter(user=alice).values_list("local_date", flat=True)) == [
        today - dt.timedelta(days=1)
    ]
    client = Client()
    assert sign_in(client, alice).status_code == 302
    assert client.get(reverse("home")).url == reverse("checkins:my_data")
    assert client.get(reverse("checkins:export", kwargs={"fmt": "csv"})).status_code == 200
    assert do_close_leavers(today + dt.timedelta(days=29)) == 0
    assert do_close_leavers(today + dt.timedelta(days=30)) == 1
    alice.refresh_from_db()
    assert not alice.is_active
    assert not CheckIn.objects.filter(user=alice).exists()
    assert sign_in(Client(), alice).status_code == 200  # the form again: no way in


def test_with_no_window_a_leavers_account_closes_at_once(organisation, team_a, alice):
    organisation.leaver_access_days = 0
    organisation.save()
    CheckIn.objects.create(user=alice, local_date=alice.local_today(), **dict.fromkeys(insights.SIGN_FIELDS, 1))
    do_mark_left(alice)
    alice.refresh_from_db()
    assert not alice.is_active and not CheckIn.objects.filter(user=alice).exists()


def test_an_invitation_link_stops_working_when_the_person_leaves(client, organisation, team_a):
    from accounts.invitations import make_invitation_token

    invited = User.objects.create_user("invited@example.org", organisation=organisation)
    token = make_invitation_token(invited)
    do_mark_left(invited)
    assert client.get(reverse("accept_invitation", args=[token])).status_code == 400


# --- The checklist ------------------------------------------------------------------------------


def test_the_admin_index_shows_an_organisation_admin_a_checklist_of_links(as_olivia, organisation, team_a, alice):
    body = as_olivia.get(reverse("admin:index")).content.decode()
    assert "Getting Riverside ready" in body
    assert 'To do:</strong> <a href="/admin/accounts/organisation/' in body
    assert "0 teams have a supervisor." in body
    assert "1 person invited, 1 accepted." in body
    assert "A reminder schedule invites staff to check in." in body
    assert reverse("admin:reminders_reminderschedule_add") in body
    organisation.support_contact, organisation.crisis_contact = "EAP line", "24-hour line"
    organisation.save()
    ReminderSchedule.objects.create(organisation=organisation, weekdays="01234", local_time=dt.time(16, 30))
    body = as_olivia.get(reverse("admin:index")).content.decode()
    assert 'Done:</strong> <a href="/admin/accounts/organisation/' in body
    assert 'Done:</strong> <a href="/admin/reminders/reminderschedule/"' in body


def test_superusers_see_no_organisation_checklist(client, root):
    client.force_login(root)
    assert "organisation-checklist" not in client.get(reverse("admin:index")).content.decode()


def test_admin_times_use_the_24_hour_clock(as_olivia, organisation):
    with time_machine.travel("2026-06-15 16:30Z", tick=False):
        AuditEvent.objects.create(action="export", organisation=organisation)
    body = as_olivia.get(reverse("admin:accounts_auditevent_changelist")).content.decode()
    assert "16:30" in body and "4:30 p.m." not in body


def test_an_organisation_admin_who_leaves_loses_the_admin_at_once(organisation):
    admin_who_leaves = make_user("former.admin@example.org", organisation, is_org_admin=True)
    do_mark_left(admin_who_leaves)
    admin_who_leaves.refresh_from_db()
    assert not admin_who_leaves.is_org_admin and not admin_who_leaves.is_staff
