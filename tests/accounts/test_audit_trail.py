"""Every admin change that can affect what is published is in the audit log, with before and after.

Superusers read every organisation's log; an organisation admin reads only their own; nobody
can add, change or delete an entry from the admin.
"""

from __future__ import annotations

import html

import pytest
import time_machine
from django.contrib.admin import helpers
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Team, TeamGroup

AUDIT = reverse("admin:accounts_auditevent_changelist")
GROUPS = reverse("admin:accounts_teamgroup_changelist")
NOW = "2026-06-17 10:00Z"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_olivia(client, olivia):
    client.force_login(olivia)
    return client


@pytest.fixture
def root_client(root):
    from ..conftest import TwoStepClient

    client = TwoStepClient()
    client.force_login(root)
    return client


def audit_list(client, query: str = "") -> str:
    response = client.get(AUDIT + query)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def team_form(name: str) -> dict:
    return {"name": name, "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


def test_teams_created_renamed_and_deleted_are_recorded_and_read_by_a_superuser(as_olivia, root_client, organisation):
    assert as_olivia.post(reverse("admin:accounts_team_add"), team_form("Outreach")).status_code == 302
    team = Team.objects.get(name="Outreach")
    renamed = as_olivia.post(reverse("admin:accounts_team_change", args=[team.pk]), team_form("Street outreach"))
    assert renamed.status_code == 302
    assert as_olivia.post(reverse("admin:accounts_team_delete", args=[team.pk]), {"post": "yes"}).status_code == 302

    created, renamed, deleted = AuditEvent.objects.filter(action__startswith="team_").order_by("created_at", "pk")
    assert created.action == AuditEvent.Action.TEAM_CREATED and created.detail["team"]["name"] == "Outreach"
    assert renamed.detail["before"] == {"name": "Outreach"} and renamed.detail["after"] == {"name": "Street outreach"}
    assert deleted.action == AuditEvent.Action.TEAM_DELETED and deleted.detail["team"]["name"] == "Street outreach"
    assert {e.organisation_id for e in (created, renamed, deleted)} == {organisation.pk}

    body = audit_list(root_client)
    assert "Created a team" in body and "Renamed a team" in body and "Deleted a team" in body
    assert "Renamed the team “Outreach” to “Street outreach”" in body
    assert "Olivia Admin" in body


def test_an_organisation_admin_may_delete_a_team_and_the_log_keeps_its_memberships(
    as_olivia, root_client, team_a, alice, bob
):
    confirm = as_olivia.get(reverse("admin:accounts_team_delete", args=[team_a.pk]))
    assert confirm.status_code == 200 and "permission to delete" not in confirm.content.decode()
    assert as_olivia.post(reverse("admin:accounts_team_delete", args=[team_a.pk]), {"post": "yes"}).status_code == 302
    assert not Team.objects.filter(pk=team_a.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_DELETED)
    assert deleted.detail["members"] == 2
    assert {(m["person"]["email"], m["role"], m["from"], m["until"]) for m in deleted.detail["memberships"]} == {
        ("alice@example.org", "member", "2020-01-06", None),
        ("bob@example.org", "supervisor", "2020-01-06", None),
    }
    assert "Deleted the team Team A, with its 2 current memberships" in audit_list(root_client)


def test_groups_are_recorded_with_their_teams_before_and_after(as_olivia, root_client, team_a, team_b, organisation):
    response = as_olivia.post(
        reverse("admin:accounts_teamgroup_add"), {"name": "Family services", "teams": [team_a.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    group = TeamGroup.objects.get()
    assert group.organisation == organisation
    response = as_olivia.post(
        reverse("admin:accounts_teamgroup_change", args=[group.pk]), {"name": "Family work", "teams": [team_b.pk]}
    )
    assert response.status_code == 302
    as_olivia.post(reverse("admin:accounts_teamgroup_delete", args=[group.pk]), {"post": "yes"})

    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="group_")}
    assert set(events) == {"group_created", "group_renamed", "group_teams_changed", "group_deleted"}
    assert events["group_created"].detail["teams"] == [{"id": team_a.pk, "name": "Team A"}]
    assert events["group_renamed"].detail["before"] == {"name": "Family services"}
    changed = events["group_teams_changed"].detail
    assert changed["added"] == [{"id": team_b.pk, "name": "Team B"}]
    assert changed["removed"] == [{"id": team_a.pk, "name": "Team A"}]
    assert events["group_deleted"].detail["teams"] == [{"id": team_b.pk, "name": "Team B"}]

    body = audit_list(root_client, "?action__exact=group_teams_changed")
    assert "Added Team B to the group Family work; took Team A out of the group Family work" in body


def test_a_move_reads_old_team_to_new_team_in_the_log(as_olivia, root_client, team_a, team_b, alice):
    membership = Membership.objects.get(user=alice)
    as_olivia.post(
        reverse("admin:accounts_membership_changelist"),
        {
            "action": "move_to_another_team",
            helpers.ACTION_CHECKBOX_NAME: [membership.pk],
            "apply": "yes",
            "team": team_b.pk,
        },
    )
    body = audit_list(root_client)
    assert "Moved a person to another team" in body
    assert "Moved Alice Member from Team A to Team B, from 17 Jun" in body
    assert "Changed something in the admin" not in body


def test_an_organisation_admin_reads_only_their_own_log_and_a_superuser_reads_all(
    as_olivia, root_client, organisation, other_organisation
):
    AuditEvent.objects.create(
        action=AuditEvent.Action.TEAM_CREATED,
        organisation=organisation,
        detail={"team": {"id": 1, "name": "Riverside team"}},
    )
    AuditEvent.objects.create(
        action=AuditEvent.Action.TEAM_CREATED,
        organisation=other_organisation,
        detail={"team": {"id": 2, "name": "Elsewhere team"}},
    )
    own = audit_list(as_olivia)
    assert "Riverside team" in own and "Elsewhere team" not in own
    everything = audit_list(root_client)
    assert "Riverside team" in everything and "Elsewhere team" in everything
    only_elsewhere = audit_list(root_client, f"?organisation__id__exact={other_organisation.pk}")
    assert "Elsewhere team" in only_elsewhere and "Riverside team" not in only_elsewhere
    theirs = AuditEvent.objects.get(organisation=other_organisation)
    assert as_olivia.get(reverse("admin:accounts_auditevent_change", args=[theirs.pk])).status_code == 404


def test_the_list_is_called_audit_events(as_olivia, organisation):
    AuditEvent.objects.create(action=AuditEvent.Action.TEAM_CREATED, organisation=organisation)
    body = audit_list(as_olivia)
    count = AuditEvent.objects.filter(organisation=organisation).count()  # with olivia's own sign-in
    assert f"{count} audit events" in body
    assert "audit log" not in body.lower()


@pytest.mark.parametrize("who", ["olivia", "root"])
def test_nobody_can_add_change_or_delete_an_entry(request, who, organisation):
    from ..conftest import TwoStepClient

    client = TwoStepClient()
    client.force_login(request.getfixturevalue(who))
    event = AuditEvent.objects.create(action=AuditEvent.Action.TEAM_CREATED, organisation=organisation)
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_add"), {"action": "export"}).status_code == 403
    assert (
        client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]), {"action": "export"}).status_code
        == 403
    )
    assert client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    client.post(AUDIT, {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert event.action == AuditEvent.Action.TEAM_CREATED
    # The entry itself is readable, with its summary.
    assert client.get(reverse("admin:accounts_auditevent_change", args=[event.pk])).status_code == 200


# --- Groups of teams: scoped like every other admin screen ------------------------------------


def test_the_group_admin_is_scoped_and_explains_what_groups_are_for(
    as_olivia, team_a, outside_team, other_organisation
):
    TeamGroup.objects.create(organisation=other_organisation, name="Their group").teams.add(outside_team)
    add_page = html.unescape(as_olivia.get(reverse("admin:accounts_teamgroup_add")).content.decode())
    assert "Team A" in add_page and "Outside team" not in add_page
    assert "can never show its own figures" in add_page
    assert "a group whose only hidden team is one small team is itself hidden" in add_page
    assert "Their group" not in as_olivia.get(GROUPS).content.decode()
    response = as_olivia.post(reverse("admin:accounts_teamgroup_add"), {"name": "Sneaky", "teams": [outside_team.pk]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not TeamGroup.objects.filter(name="Sneaky").exists()


def test_a_superuser_cannot_group_teams_of_two_organisations(root_client, organisation, team_a, outside_team):
    response = root_client.post(
        reverse("admin:accounts_teamgroup_add"),
        {"organisation": organisation.pk, "name": "Mixed", "teams": [team_a.pk, outside_team.pk]},
    )
    assert response.status_code == 200
    assert "only join teams of its own organisation" in response.content.decode()


def test_group_and_team_names_are_unique_in_an_organisation_with_a_message(as_olivia, team_a, organisation):
    TeamGroup.objects.create(organisation=organisation, name="Family services")
    response = as_olivia.post(reverse("admin:accounts_teamgroup_add"), {"name": "family services", "teams": []})
    assert response.status_code == 200 and "already has one with this name" in response.content.decode()
    response = as_olivia.post(reverse("admin:accounts_team_add"), team_form("Team A"))
    assert response.status_code == 200 and "already has one with this name" in response.content.decode()
