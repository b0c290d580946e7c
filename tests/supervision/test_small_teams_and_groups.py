"""Small teams and groups of teams: a team smaller than k never shows its own figures, and its group can.

Three teams of 3 make a group of 9 in which every team is hidden: the group's figures rest
on nine people and subtracting any shown figure from them isolates nobody. A group of one
small team and one big team never shows beside that big team: the group minus the big team
would be the small team.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Team, TeamGroup

from .conftest import add_members, assert_no_individual_data, publish, weekly_history
from .reading import csv_cells, dashboard_tables, team_dashboard, team_export

TOO_SMALL = "This team is too small for its own figures"


def small_team(organisation, name: str, prefix: str, supervised: bool = False) -> Team:
    team = Team.objects.create(organisation=organisation, name=name)
    weekly_history(add_members(team, 3, prefix), 4, level=2)
    if supervised:
        supervisor = add_members(team, 1, f"{prefix}sup")[0]
        Membership.objects.filter(user=supervisor).update(role=Membership.Role.SUPERVISOR)
    return team


@pytest.fixture
def family_services(organisation, team_a_history):
    """Night Shelter, Outreach and Day Centre, three people each, grouped; Team A (six) beside them."""
    teams = [
        small_team(organisation, "Night Shelter", "night", supervised=True),
        small_team(organisation, "Outreach", "outreach"),
        small_team(organisation, "Day Centre", "day"),
    ]
    group = TeamGroup.objects.create(organisation=organisation, name="Family services")
    group.teams.set(teams)
    publish()
    return group, teams


def people_shown(cells: dict, unit: str, week: str) -> int | None:
    value, status = cells[(unit, week, "people")][2:]
    return int(value.split("/")[0]) if status == "published" else None


def supervisor_of(team: Team):
    return Membership.objects.get(team=team, role=Membership.Role.SUPERVISOR).user


def test_a_team_smaller_than_k_explains_plainly_and_shows_its_groups_figures(client, family_services):
    group, (night_shelter, *_others) = family_services
    client.force_login(supervisor_of(night_shelter))
    body = team_dashboard(client, night_shelter, weeks=12)
    assert TOO_SMALL in body
    assert "With fewer than 5 members, this team's own figures can never be shown" in body
    assert "Its figures count in the groups of teams below, together with other teams." in body
    assert "like to talk" in body and "the organisation's figures" in body
    assert "Group of teams: Family services (9 members)" in body
    assert "9 of 9" in body
    assert "3 of 3" not in body
    assert_no_individual_data(body)
    tables = dashboard_tables(body)
    assert "9 of 9" in tables[(f"group-{group.pk}", "2026-W11")]
    own = [cells for (unit, _week), cells in tables.items() if unit == f"team-{night_shelter.pk}"]
    assert all(cell.startswith("[hidden]") for cells in own for cell in cells)


def test_the_small_teams_export_hides_its_own_cells_and_holds_its_groups(client, family_services):
    _group, (night_shelter, *_others) = family_services
    client.force_login(supervisor_of(night_shelter))
    cells = csv_cells(team_export(client, night_shelter, weeks=12))
    assert {unit for unit, _week, _measure in cells} == {"Night Shelter", "Family services"}
    assert cells[("Night Shelter", "2026-W11", "people")][2:] == ("", "suppressed: too_few")
    assert all(row[3] != "published" for (unit, _w, _m), row in cells.items() if unit == "Night Shelter")
    assert cells[("Family services", "2026-W11", "people")][2:] == ("9/9", "published")
    assert cells[("Family services", "2026-W11", "sts_index")][2:] == ("2.0", "published")


def test_the_organisation_shows_the_group_and_hides_each_small_team(client, olivia, family_services):
    client.force_login(olivia)
    export = client.get(reverse("supervision:organisation_export"), {"weeks": 12}).content.decode()
    cells = csv_cells(export)
    last = "2026-W11"
    assert cells[("Family services", last, "people")][3] == "published"
    assert cells[("Whole organisation", last, "people")][2:] == ("15/15", "published")
    assert cells[("Team A", last, "people")][2:] == ("6/6", "published")
    for name in ("Night Shelter", "Outreach", "Day Centre"):
        assert cells[(name, last, "people")][3] == "suppressed: too_few", name


def test_a_small_team_without_a_group_is_told_what_an_admin_can_do(client, organisation, team_a_history):
    lonely = small_team(organisation, "Lonely", "lonely", supervised=True)
    publish()
    client.force_login(supervisor_of(lonely))
    body = team_dashboard(client, lonely, weeks=12)
    assert TOO_SMALL in body
    assert "An organisation admin can put it in a group of teams" in body
    assert "Group of teams" not in body
    assert "3 of 3" not in body


def test_a_group_of_one_small_team_and_one_big_team_never_shows_both_the_group_and_the_big_team(
    client, olivia, organisation, team_a, team_a_history
):
    night_shelter = small_team(organisation, "Night Shelter", "night", supervised=True)
    group = TeamGroup.objects.create(organisation=organisation, name="Shelter and A")
    group.teams.set([night_shelter, team_a])
    publish()
    client.force_login(olivia)
    cells = csv_cells(client.get(reverse("supervision:organisation_export"), {"weeks": 12}).content.decode())
    weeks = {week for _unit, week, _measure in cells}
    shown_beside_team_a = 0
    for week in weeks:
        assert cells[("Night Shelter", week, "people")][3] != "published"
        team_a_people = people_shown(cells, "Team A", week)
        if team_a_people is None:
            continue
        for wider in ("Shelter and A", "Whole organisation"):
            wider_people = people_shown(cells, wider, week)
            if wider_people is not None:
                # The group (or the organisation) minus Team A is Night Shelter's people who checked in.
                assert wider_people - team_a_people in (0, *range(5, 100)), (week, wider)
                shown_beside_team_a += 1
    assert shown_beside_team_a, "the weeks before Night Shelter checked in show both"


def test_a_big_team_does_not_see_a_too_small_notice(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    assert TOO_SMALL not in team_dashboard(client, team_a, weeks=12)
