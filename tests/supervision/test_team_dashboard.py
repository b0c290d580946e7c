import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Team
from supervision import dashboard
from supervision.models import Publication

from .conftest import add_members, assert_no_individual_data, publish, weekly_history


def dashboard_url(team, weeks=None):
    url = reverse("supervision:team_dashboard", args=[team.pk])
    return f"{url}?weeks={weeks}" if weeks else url


def test_a_supervisor_sees_their_teams_weekly_trends(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    response = client.get(dashboard_url(team_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "week of 9 Mar 2026" in body and "2026-W11" not in body.replace('data-week="2026-W11"', "")
    assert "6 of 6" in body
    assert "Our own reflection scale, not a validated measure, not a diagnosis." in body
    assert "<title" in body and "<desc" in body and "<figcaption" in body
    assert "Slow breathing" in body


def test_weeks_before_there_was_enough_data_read_as_too_few(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    body = client.get(dashboard_url(team_a)).content.decode()
    assert "too few check-ins to show without identifying anyone" in body
    assert "week of 12 Jan 2026" in body


def test_the_open_week_and_individual_answers_never_appear(client, bob, team_a, team_a_history, team_b_history):
    publish()
    client.force_login(bob)
    for weeks in (12, 52):
        response = client.get(dashboard_url(team_a, weeks))
        assert_no_individual_data(response.content.decode())


def test_fifty_two_weeks_can_be_chosen(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    body = client.get(dashboard_url(team_a, 52)).content.decode()
    assert "week of 17 Mar 2025" in body


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "olivia", "oscar", "eve", "root"])
def test_nobody_but_the_teams_supervisor_can_open_it(client, request, team_a, bob, team_a_history, persona):
    publish()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(dashboard_url(team_a)).status_code == 404
    assert client.get(reverse("supervision:team_export", args=[team_a.pk])).status_code == 404


def test_a_supervisor_of_team_a_sees_nothing_of_team_b(client, bob, team_b, team_b_history):
    publish()
    client.force_login(bob)
    assert client.get(dashboard_url(team_b)).status_code == 404
    assert client.get(reverse("supervision:team_export", args=[team_b.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, team_a):
    response = client.get(dashboard_url(team_a))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_each_view_is_recorded_in_the_audit_log(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    client.get(dashboard_url(team_a, 52))
    event = AuditEvent.objects.get(action=AuditEvent.Action.DASHBOARD_VIEW)
    assert event.actor == bob
    assert event.team == team_a
    assert event.period == "2025-W12/2026-W11"
    assert event.organisation_id == team_a.organisation_id


def test_a_new_team_explains_when_figures_will_appear(client, bob, team_a, alice):
    # Big enough for figures, but nobody has checked in yet.
    add_members(team_a, 5, "newcomer")
    publish()
    client.force_login(bob)
    body = client.get(dashboard_url(team_a)).content.decode()
    assert "No figures to show yet" in body
    assert "at least 5 different people" in body
    assert "too small for its own figures" not in body
    assert "<svg viewBox" not in body


def test_a_small_team_only_ever_sees_suppressed_cells(client, organisation):
    small = Team.objects.create(organisation=organisation, name="Small")
    people = add_members(small, 3, "small")
    weekly_history(people, 8, level=3)
    supervisor = add_members(small, 1, "smallsup")[0]
    Membership.objects.filter(user=supervisor).update(role=Membership.Role.SUPERVISOR)
    publish()
    client.force_login(supervisor)
    body = client.get(dashboard_url(small)).content.decode()
    assert "This team is too small for its own figures" in body
    assert "3 of 3" not in body
    assert "<svg viewBox" not in body
    export = client.get(reverse("supervision:team_export", args=[small.pk])).content.decode()
    statuses = [line.rsplit(",", 1)[1] for line in export.splitlines()[1:]]
    assert len(statuses) >= 12 * 12
    assert set(statuses) == {"suppressed: too_few"}


def test_each_chart_says_in_one_line_how_last_week_compares(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    body = client.get(dashboard_url(team_a)).content.decode()
    readings = re.findall(r'<p class="chart-reading mb-2">([^<]+)</p>', body)
    assert len(readings) == len(dashboard.FAMILIES)
    assert "about the same as the week before" in body


def test_a_supervisor_of_several_teams_gets_a_list(client, bob, team_a, team_b):
    Membership.objects.create(user=bob, team=team_b, role=Membership.Role.SUPERVISOR)
    client.force_login(bob)
    body = client.get(reverse("supervision:teams")).content.decode()
    assert team_a.name in body and team_b.name in body


def test_a_supervisor_of_one_team_goes_straight_to_it(client, bob, team_a):
    client.force_login(bob)
    response = client.get(reverse("supervision:teams"))
    assert response["Location"] == dashboard_url(team_a)


def test_a_member_has_no_team_list(client, alice):
    client.force_login(alice)
    assert client.get(reverse("supervision:teams")).status_code == 404


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_team_size_or_history(
    client, bob, team_a, practice, django_assert_max_num_queries
):
    client.force_login(bob)
    weekly_history(add_members(team_a, 5, "first"), 2, practices=[practice])
    publish()
    small = _queries_for(client, dashboard_url(team_a, 52))
    Publication.objects.all().delete()
    weekly_history(add_members(team_a, 40, "more"), 40, practices=[practice])
    publish()
    with django_assert_max_num_queries(small):
        client.get(dashboard_url(team_a, 52))
