"""'What my supervisor can see' names the teams and groups a person counts in, and the k in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Membership, TeamGroup
from accounts.places import where_i_count
from checkins.models import IntroSeen

pytestmark = pytest.mark.django_db


def test_it_lists_my_teams_with_member_counts_supervisors_and_groups(client, alice, bob, carol, team_a, team_b):
    group = TeamGroup.objects.create(organisation=team_a.organisation, name="Family services")
    group.teams.add(team_a, team_b)
    client.force_login(alice)
    page = client.get(reverse("checkins:privacy")).content.decode()
    assert "the team Team A (1 member)" in page
    assert "supervised by Bob Supervisor" in page
    assert "the group of teams Family services (Team A, Team B; 2 members)" in page
    assert "The smallest group shown is 5 people." in page


def test_a_membership_that_has_ended_is_not_a_place_i_count(alice, team_a, team_b):
    Membership.objects.filter(user=alice).update(ended_on=dt.date(2026, 1, 1), started_on=dt.date(2025, 1, 1))
    Membership.objects.create(user=alice, team=team_b, role=Membership.Role.MEMBER)
    assert [place.name for place in where_i_count(alice)] == ["Team B"]


def test_a_scheduled_lower_k_is_announced_where_staff_look(client, alice, organisation):
    organisation.lowered_k, organisation.lowered_k_from = 3, dt.date(2026, 12, 14)
    organisation.save()
    IntroSeen.objects.create(user=alice)
    client.force_login(alice)
    privacy = client.get(reverse("checkins:privacy")).content.decode()
    assert "lowered it to 3, from the week starting 14 December 2026" in privacy
    today = client.get(reverse("checkins:today")).content.decode()
    assert "they may be shown for groups of 3 people instead of 5" in today


def test_someone_in_no_team_is_told_so(client, olivia):
    client.force_login(olivia)
    page = client.get(reverse("checkins:privacy")).content.decode()
    assert "You are not a member of a team at the moment" in page
