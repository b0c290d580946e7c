"""Team actions ("you said, we did"): who records them, where they show, and the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from supervision import dashboard
from supervision.digest import send_due_digests
from supervision.models import TeamAction

from .conftest import publish

DAY = dt.date(2026, 3, 11)


def record(client, team, done_on=DAY, description="Rotated the two hardest cases"):
    return client.post(
        reverse("supervision:team_actions", args=[team.pk]),
        {"done_on": done_on.isoformat(), "description": description},
    )


def test_the_form_says_no_action_may_name_a_person(client, bob, team_a):
    client.force_login(bob)
    body = client.get(reverse("supervision:team_actions", args=[team_a.pk])).content.decode()
    assert "never about one person" in body and "do not name anyone" in body


def test_a_supervisor_records_an_action_and_it_is_audited(client, bob, team_a):
    client.force_login(bob)
    assert record(client, team_a, description="  Protected   Friday afternoons for admin ").status_code == 302
    action = TeamAction.objects.get()
    assert (action.team, action.done_on, action.description, action.created_by) == (
        team_a,
        DAY,
        "Protected Friday afternoons for admin",
        bob,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_ACTION_RECORDED)
    assert event.actor == bob and event.team == team_a
    assert event.detail["description"] == "Protected Friday afternoons for admin"


def test_an_organisation_admin_records_one_for_any_team_of_their_organisation(client, olivia, team_b):
    client.force_login(olivia)
    assert record(client, team_b).status_code == 302
    assert TeamAction.objects.get().team == team_b


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "oscar", "eve", "root"])
def test_nobody_else_can_record_read_or_delete_team_a_actions(client, request, team_a, bob, persona):
    action = TeamAction.objects.create(team=team_a, done_on=DAY, description="Cover arranged for leave")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("supervision:team_actions", args=[team_a.pk])).status_code == 404
    assert record(client, team_a).status_code == 404
    delete = reverse("supervision:team_action_delete", args=[team_a.pk, action.pk])
    assert client.post(delete).status_code == 404
    assert TeamAction.objects.count() == 1


def test_an_action_of_another_team_cannot_be_deleted_through_ones_own(client, bob, team_a, team_b):
    other = TeamAction.objects.create(team=team_b, done_on=DAY, description="Cover arranged for leave")
    client.force_login(bob)
    assert client.post(reverse("supervision:team_action_delete", args=[team_a.pk, other.pk])).status_code == 404
    assert TeamAction.objects.filter(pk=other.pk).exists()


def test_deleting_is_audited_with_what_was_deleted(client, bob, team_a):
    action = TeamAction.objects.create(team=team_a, done_on=DAY, description="Cover arranged for leave")
    client.force_login(bob)
    assert client.post(reverse("supervision:team_action_delete", args=[team_a.pk, action.pk])).status_code == 302
    assert not TeamAction.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_ACTION_DELETED)
    assert event.detail["description"] == "Cover arranged for leave"


@pytest.mark.parametrize(
    "done_on, description",
    [
        (DAY, ""),
        (DAY, "   "),
        (DAY + dt.timedelta(days=400), "Later"),
        (dt.date(2020, 1, 1), "Long ago"),
        (DAY, "x" * 161),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(client, bob, team_a, done_on, description):
    client.force_login(bob)
    response = record(client, team_a, done_on, description)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing you typed is lost" in body
    assert description.strip()[:20] in body
    assert not TeamAction.objects.exists()


def test_team_members_see_their_teams_actions_and_no_other_teams(client, alice, carol, team_a, team_b):
    TeamAction.objects.create(team=team_a, done_on=DAY, description="Rotated the two hardest cases")
    TeamAction.objects.create(team=team_b, done_on=DAY, description="Cover arranged for leave")
    client.force_login(alice)
    body = client.get(reverse("supervision:our_team")).content.decode()
    assert "Rotated the two hardest cases" in body and "Cover arranged for leave" not in body
    client.force_login(carol)
    body = client.get(reverse("supervision:our_team")).content.decode()
    assert "Cover arranged for leave" in body and "Rotated" not in body


def test_actions_are_markers_on_the_teams_charts_and_rows_in_its_export(client, bob, team_a, team_a_history):
    TeamAction.objects.create(team=team_a, done_on=DAY, description="Rotated the two hardest cases")
    publish()
    client.force_login(bob)
    body = client.get(reverse("supervision:team_dashboard", args=[team_a.pk])).content.decode()
    charted = [family for family in dashboard.FAMILIES if family.chart_keys]
    assert body.count('class="action-line"') == len(charted)  # one marker on each chart
    assert "11 Mar 2026: Rotated the two hardest cases" in body
    export = client.get(reverse("supervision:team_export", args=[team_a.pk])).content.decode()
    rows = [row for row in csv.reader(io.StringIO(export)) if row[4] == "team_action"]
    assert rows == [
        [
            "Team A",
            "2026-W11",
            "2026-03-11",
            "2026-03-11",
            "team_action",
            "Rotated the two hardest cases",
            "team action",
        ]
    ]


def test_the_weekly_digest_lists_the_teams_recent_actions(bob, dave, team_a, team_b, team_a_history, team_b_history):
    TeamAction.objects.create(team=team_a, done_on=DAY, description="Rotated the two hardest cases")
    TeamAction.objects.create(team=team_a, done_on=DAY - dt.timedelta(weeks=8), description="Long ago")
    TeamAction.objects.create(team=team_b, done_on=DAY, description="Cover arranged for leave")
    publish()
    send_due_digests(any_hour=True)
    to_bob = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    for part in (to_bob.body, to_bob.alternatives[0][0]):
        assert "11 Mar 2026: Rotated the two hardest cases" in part
        assert "Long ago" not in part and "Cover arranged" not in part
