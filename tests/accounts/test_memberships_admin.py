"""Dated memberships in the admin: history is kept, moving is one step, and people are told.

Everything goes through the real admin site with the test client, as an organisation admin
(olivia) or a superuser (root) would use it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Team, TeamGroup

from ..conftest import PERSONAS_JOINED, make_user

# Wednesday 17 June 2026, 23:30 in UTC is already Thursday 18 June in London (BST): the
# organisation's date is what counts.
NOW = "2026-06-17 23:30Z"
TODAY = dt.date(2026, 6, 18)
TEAM_CHANGE = "admin:accounts_team_change"
MEMBERSHIPS = reverse("admin:accounts_membership_changelist")


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_olivia(client, olivia, now):
    client.force_login(olivia)
    return client


@pytest.fixture
def as_root(client, root, now):
    client.force_login(root)
    return client


def inline_data(team: Team, rows: list[dict], new: list[dict] = ()) -> dict:
    """The Team page's POST: the team's name, its saved membership rows (in the page's order) and new rows."""
    data = {
        "name": team.name,
        "memberships-TOTAL_FORMS": str(len(rows) + len(new)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate([*rows, *new]):
        membership = row.get("membership")
        if membership is not None:
            data[f"memberships-{i}-id"] = str(membership.pk)
            data[f"memberships-{i}-team"] = str(team.pk)
            data[f"memberships-{i}-user"] = str(membership.user_id)
            data[f"memberships-{i}-role"] = row.get("role", membership.role)
            data[f"memberships-{i}-started_on"] = row.get("started_on", membership.started_on.isoformat())
            data[f"memberships-{i}-ended_on"] = row.get("ended_on", "")
        else:
            data[f"memberships-{i}-user"] = str(row["user"].pk)
            data[f"memberships-{i}-role"] = row.get("role", Membership.Role.MEMBER)
            data[f"memberships-{i}-started_on"] = row.get("started_on", "")
            data[f"memberships-{i}-ended_on"] = row.get("ended_on", "")
    return data


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def html_part(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


# --- The Team page --------------------------------------------------------------------------


def test_the_team_page_shows_dates_and_history_and_offers_no_delete_to_an_organisation_admin(
    as_olivia, team_a, alice, bob, organisation
):
    old = make_user("former@example.org", organisation, display_name="Former Member")
    Membership.objects.create(user=old, team=team_a, started_on=dt.date(2025, 1, 6), ended_on=dt.date(2026, 3, 1))
    body = page(as_olivia, reverse(TEAM_CHANGE, args=[team_a.pk]))
    assert "memberships-0-started_on" in body and "memberships-0-ended_on" in body
    assert "From" in body and "Until" in body
    assert "Former Member" in body or "former@example.org" in body  # the ended membership is kept as history
    assert "-DELETE" not in body
    # Who and which team of a saved row cannot be changed.
    alice_row = Membership.objects.get(user=alice)
    form_index = body.index(f'value="{alice_row.pk}"')
    assert "disabled" in body[form_index - 3000 : form_index + 3000]


def test_a_superuser_may_still_delete_a_membership(as_root, team_a, alice):
    body = page(as_root, reverse(TEAM_CHANGE, args=[team_a.pk]))
    assert "memberships-0-DELETE" in body
    membership = Membership.objects.get(user=alice)
    response = as_root.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_DELETED)
    assert event.detail["person"] == {"id": alice.pk, "email": alice.email, "name": "Alice Member"}
    assert event.detail["team"]["name"] == "Team A"


def test_an_organisation_admin_cannot_delete_memberships(as_olivia, alice):
    membership = Membership.objects.get(user=alice)
    assert as_olivia.get(reverse("admin:accounts_membership_delete", args=[membership.pk])).status_code == 403
    assert (
        as_olivia.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}).status_code
        == 403
    )
    changelist = page(as_olivia, MEMBERSHIPS)
    assert "delete_selected" not in changelist
    response = as_olivia.post(
        MEMBERSHIPS, {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [membership.pk], "post": "yes"}
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert response.status_code in (200, 302)


def test_adding_a_person_on_the_team_page_starts_today_and_tells_them(
    as_olivia, team_a, alice, bob, organisation, django_capture_on_commit_callbacks
):
    newcomer = make_user("newcomer@example.org", organisation, display_name="Nina Newcomer")
    rows = [{"membership": m} for m in team_a.memberships.order_by("user__email")]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(
            reverse(TEAM_CHANGE, args=[team_a.pk]), inline_data(team_a, rows, [{"user": newcomer}])
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=newcomer)
    assert (membership.team, membership.started_on, membership.ended_on) == (team_a, TODAY, None)

    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_STARTED)
    assert event.actor == olivia_of(as_olivia)
    assert event.organisation_id == organisation.pk and event.team == team_a
    assert event.detail["person"] == {"id": newcomer.pk, "email": "newcomer@example.org", "name": "Nina Newcomer"}
    assert (event.detail["role"], event.detail["from"], event.detail["until"]) == ("member", "2026-06-18", None)

    (message,) = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "Team A" in message.subject
    html = html_part(message)
    for part in (message.body, html):
        assert "Team A" in part
        assert "The team has 2 members" in part  # alice and the newcomer; bob supervises
        assert "Bob Supervisor" in part
        assert "/checkin/who-sees-what/" in part
        assert "22 June 2026" in part  # the first whole week she counts in
    assert 'href="http://' in html and "/checkin/who-sees-what/" in html
    assert "Alice" not in message.body  # members are counted, never named


def olivia_of(client):
    from accounts.models import User

    return User.objects.get(email="olivia@example.org")


def test_setting_until_on_the_team_page_ends_the_membership_and_keeps_it(as_olivia, team_a, alice):
    membership = Membership.objects.get(user=alice)
    response = as_olivia.post(
        reverse(TEAM_CHANGE, args=[team_a.pk]),
        inline_data(team_a, [{"membership": membership, "ended_on": "2026-06-16"}]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership.refresh_from_db()
    assert (membership.started_on, membership.ended_on) == (PERSONAS_JOINED, dt.date(2026, 6, 16))
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_ENDED)
    assert event.detail["before"] == {"from": "2020-01-06", "until": None}
    assert event.detail["after"] == {"from": "2020-01-06", "until": "2026-06-16"}
    assert not mail.outbox


def test_an_ended_membership_cannot_be_changed_by_an_organisation_admin(as_olivia, team_a, alice):
    membership = Membership.objects.get(user=alice)
    membership.ended_on = dt.date(2026, 6, 1)
    membership.save()
    response = as_olivia.post(
        reverse(TEAM_CHANGE, args=[team_a.pk]),
        inline_data(team_a, [{"membership": membership, "ended_on": "", "started_on": "2019-01-01"}]),
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.started_on, membership.ended_on) == (PERSONAS_JOINED, dt.date(2026, 6, 1))


def test_dates_in_the_future_and_a_second_open_membership_are_refused_with_a_message(
    as_olivia, team_a, alice, organisation
):
    newcomer = make_user("newcomer@example.org", organisation)
    response = as_olivia.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "team": team_a.pk, "role": "member", "started_on": "2026-07-01"},
    )
    assert response.status_code == 200
    assert "cannot start in the future" in response.content.decode()
    response = as_olivia.post(
        reverse("admin:accounts_membership_add"),
        {"user": alice.pk, "team": team_a.pk, "role": "member", "started_on": ""},
    )
    assert response.status_code == 200
    assert "is already in this team" in response.content.decode()
    membership = Membership.objects.get(user=alice)
    response = as_olivia.post(
        reverse(TEAM_CHANGE, args=[team_a.pk]),
        inline_data(team_a, [{"membership": membership, "ended_on": "2026-06-30"}]),
    )
    assert response.status_code == 200
    assert "cannot end in the future" in response.content.decode()
    assert Membership.objects.filter(user=newcomer).count() == 0
    assert Membership.objects.get(user=alice).ended_on is None


def test_the_same_person_twice_on_the_team_page_is_refused(as_olivia, team_a, organisation):
    newcomer = make_user("newcomer@example.org", organisation)
    response = as_olivia.post(
        reverse(TEAM_CHANGE, args=[team_a.pk]), inline_data(team_a, [], [{"user": newcomer}, {"user": newcomer}])
    )
    assert response.status_code == 200
    assert "in the list twice" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_changing_a_role_ends_the_old_membership_and_starts_a_new_one(as_olivia, team_a, alice):
    membership = Membership.objects.get(user=alice)
    response = as_olivia.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"role": "supervisor", "started_on": membership.started_on.isoformat(), "ended_on": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    old, new = Membership.objects.filter(user=alice).order_by("pk")
    assert (old.role, old.ended_on) == ("member", TODAY)
    assert (new.role, new.started_on, new.ended_on) == ("supervisor", TODAY, None)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED)
    assert event.detail["before"]["role"] == "member" and event.detail["role"] == "supervisor"


# --- Moving and ending from the membership list ----------------------------------------------


def test_move_to_another_team_is_one_step_with_a_page_to_choose_the_team(
    as_olivia, team_a, team_b, alice, bob, carol, dave, outside_team, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=alice)
    choose = as_olivia.post(
        MEMBERSHIPS, {"action": "move_to_another_team", helpers.ACTION_CHECKBOX_NAME: [membership.pk]}
    )
    assert choose.status_code == 200
    body = choose.content.decode()
    assert "Team B" in body and "Outside team" not in body
    assert "Alice Member" in body

    with django_capture_on_commit_callbacks(execute=True):
        done = as_olivia.post(
            MEMBERSHIPS,
            {
                "action": "move_to_another_team",
                helpers.ACTION_CHECKBOX_NAME: [membership.pk],
                "apply": "yes",
                "team": team_b.pk,
            },
        )
    assert done.status_code == 302
    old, new = Membership.objects.filter(user=alice).order_by("pk")
    assert (old.team, old.started_on, old.ended_on) == (team_a, PERSONAS_JOINED, TODAY)
    assert (new.team, new.role, new.started_on, new.ended_on) == (team_b, "member", TODAY, None)

    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_MOVED)
    assert event.detail["from_team"] == {"id": team_a.pk, "name": "Team A"}
    assert event.detail["to_team"] == {"id": team_b.pk, "name": "Team B"}
    assert event.detail["person"]["email"] == alice.email
    assert event.detail["after"][0]["until"] == "2026-06-18"

    (message,) = mail.outbox
    assert message.to == [alice.email]
    for part in (message.body, html_part(message)):
        assert "from the team Team A to the team Team B" in part
        assert "The team has 2 members" in part  # carol and alice
        assert "Dave Othersupervisor" in part
        assert "do not change" in part


def test_moving_someone_into_a_team_they_are_already_in_is_refused(as_olivia, team_a, team_b, alice, organisation):
    Membership.objects.create(user=alice, team=team_b, started_on=PERSONAS_JOINED)
    membership = Membership.objects.get(user=alice, team=team_a)
    response = as_olivia.post(
        MEMBERSHIPS,
        {
            "action": "move_to_another_team",
            helpers.ACTION_CHECKBOX_NAME: [membership.pk],
            "apply": "yes",
            "team": team_b.pk,
        },
        follow=True,
    )
    assert "Not moved" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).ended_on is None


def test_an_organisation_admin_cannot_move_anyone_into_another_organisations_team(
    as_olivia, team_a, alice, outside_team
):
    membership = Membership.objects.get(user=alice)
    response = as_olivia.post(
        MEMBERSHIPS,
        {
            "action": "move_to_another_team",
            helpers.ACTION_CHECKBOX_NAME: [membership.pk],
            "apply": "yes",
            "team": outside_team.pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).ended_on is None
    assert not Membership.objects.filter(team=outside_team, user=alice).exists()


def test_end_membership_ends_it_today_and_keeps_it(as_olivia, team_a, alice, bob):
    membership = Membership.objects.get(user=alice)
    response = as_olivia.post(MEMBERSHIPS, {"action": "end_memberships", helpers.ACTION_CHECKBOX_NAME: [membership.pk]})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == TODAY
    assert Membership.objects.get(user=bob).ended_on is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_ENDED)
    assert event.detail["until"] == "2026-06-18" and event.detail["team"]["name"] == "Team A"
    # The history stays on the Team page and on the person's page.
    assert "Alice Member" in page(as_olivia, reverse(TEAM_CHANGE, args=[team_a.pk]))
    person_page = page(as_olivia, reverse("admin:accounts_user_change", args=[alice.pk]))
    history = person_page[person_page.index("Teams (current and past)") :]
    assert "Team A" in history and "June 18, 2026" in history


def test_the_membership_list_filters_current_and_ended(as_olivia, team_a, alice, bob):
    Membership.objects.filter(user=alice).update(ended_on=dt.date(2026, 6, 1))
    current = page(as_olivia, MEMBERSHIPS + "?status=current")
    ended = page(as_olivia, MEMBERSHIPS + "?status=ended")
    assert "Bob Supervisor" in current and "Alice Member" not in current
    assert "Alice Member" in ended and "Bob Supervisor" not in ended


def test_a_person_added_in_their_own_language_is_told_in_it(
    as_olivia, team_a, organisation, django_capture_on_commit_callbacks
):
    spanish = make_user("lucia@example.org", organisation, display_name="Lucía", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        as_olivia.post(
            reverse("admin:accounts_membership_add"),
            {"user": spanish.pk, "team": team_a.pk, "role": "member", "started_on": ""},
        )
    (message,) = mail.outbox
    assert message.to == ["lucia@example.org"]
    assert "junio" in message.body  # dates are written in the person's language


def test_the_email_says_when_the_team_is_too_small_and_names_its_groups(
    as_olivia, organisation, django_capture_on_commit_callbacks
):
    tiny = Team.objects.create(organisation=organisation, name="Night Shelter")
    group = TeamGroup.objects.create(organisation=organisation, name="Family services")
    group.teams.add(tiny)
    person = make_user("uma@example.org", organisation, display_name="Uma")
    with django_capture_on_commit_callbacks(execute=True):
        as_olivia.post(
            reverse("admin:accounts_membership_add"),
            {"user": person.pk, "team": tiny.pk, "role": "member", "started_on": ""},
        )
    (message,) = mail.outbox
    assert "The team has 1 member " in message.body
    assert "fewer than 5 members, so its own figures can never be shown" in message.body
    assert "Family services" in message.body
    assert "Nobody supervises this team yet." in message.body


def test_a_new_team_with_its_people_is_recorded_and_each_person_is_told(
    as_olivia, organisation, alice, bob, django_capture_on_commit_callbacks
):
    data = {
        "name": "Outreach",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": alice.pk,
        "memberships-0-role": "member",
        "memberships-1-user": bob.pk,
        "memberships-1-role": "supervisor",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(reverse("admin:accounts_team_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    team = Team.objects.get(name="Outreach")
    assert {(m.user, m.role, m.started_on) for m in team.memberships.all()} == {
        (alice, "member", TODAY),
        (bob, "supervisor", TODAY),
    }
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_CREATED, team=team).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBERSHIP_STARTED, team=team).count() == 2
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {alice.email, bob.email}
    assert "Supervised by: Bob Supervisor." in by_person[alice.email].body
    assert "as its supervisor" in by_person[bob.email].body


def test_an_ended_membership_is_read_only_history_for_an_organisation_admin(as_olivia, alice):
    membership = Membership.objects.get(user=alice)
    membership.ended_on = dt.date(2026, 6, 1)
    membership.save()
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    body = page(as_olivia, url)
    assert "2020-01-06" in body or "Jan. 6, 2020" in body
    assert 'name="ended_on"' not in body  # shown, not editable
    assert as_olivia.post(url, {"role": "member", "started_on": "2020-01-06", "ended_on": ""}).status_code == 403
    membership.refresh_from_db()
    assert membership.ended_on == dt.date(2026, 6, 1)


def test_a_superuser_cannot_reopen_a_membership_beside_an_open_one(as_root, team_a, alice):
    old = Membership.objects.get(user=alice)
    old.ended_on = dt.date(2026, 6, 1)
    old.save()
    Membership.objects.create(user=alice, team=team_a, started_on=dt.date(2026, 6, 2))
    response = as_root.post(
        reverse("admin:accounts_membership_change", args=[old.pk]),
        {"role": "member", "started_on": "2020-01-06", "ended_on": ""},
    )
    assert response.status_code == 200
    assert "is already in this team" in response.content.decode()
    old.refresh_from_db()
    assert old.ended_on == dt.date(2026, 6, 1)


def test_an_organisation_admin_may_still_delete_a_person_with_memberships(as_olivia, alice):
    url = reverse("admin:accounts_user_delete", args=[alice.pk])
    assert "permission to delete" not in page(as_olivia, url)
    assert as_olivia.post(url, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(user_id=alice.pk).exists()
