import csv
import io
import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Team

from .conftest import add_members, assert_no_individual_data, publish, weekly_history


def test_an_organisation_admin_sees_every_team_and_the_total(client, olivia, team_a_history, team_b_history):
    publish()
    client.force_login(olivia)
    response = client.get(reverse("supervision:organisation"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Team A" in body and "Team B" in body and "Whole organisation" in body
    assert "Our own reflection scale, not a validated measure, not a diagnosis." in body
    assert_no_individual_data(body)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ORGANISATION_VIEW)
    assert event.actor == olivia and event.period == "2025-W52/2026-W11"


def test_a_hidden_team_hides_the_organisation_total_too(client, olivia, organisation, team_a_history):
    small = Team.objects.create(organisation=organisation, name="Small")
    weekly_history(add_members(small, 2, "tiny"), 8, level=4)
    publish()
    client.force_login(olivia)
    rows = list(csv.reader(io.StringIO(client.get(reverse("supervision:organisation_export")).content.decode())))
    total_last_week = [r for r in rows if r[0] == "Whole organisation" and r[1] == "2026-W11" and r[4] == "people"]
    assert total_last_week[0][6] == "suppressed: complementary"


@pytest.mark.parametrize("persona", ["alice", "bob", "dave", "eve", "root"])
def test_nobody_but_an_organisation_admin_sees_the_overview(client, request, team_a_history, persona):
    publish()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("supervision:organisation")).status_code == 404
    assert client.get(reverse("supervision:organisation_export")).status_code == 404


def test_another_organisations_admin_sees_only_their_own(client, oscar, outside_team, team_a_history):
    publish()
    client.force_login(oscar)
    body = client.get(reverse("supervision:organisation")).content.decode()
    assert "Team A" not in body
    assert "Outside team" in body
    export = client.get(reverse("supervision:organisation_export")).content.decode()
    assert "Team A" not in export


def test_the_team_export_holds_what_the_dashboard_shows_and_nobody(client, bob, team_a, team_a_history):
    publish()
    client.force_login(bob)
    response = client.get(reverse("supervision:team_export", args=[team_a.pk]) + "?weeks=12")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert_no_individual_data(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["group", "period", "period_start", "period_end", "measure", "value", "status"]
    assert {row[0] for row in rows[1:]} == {"Team A"}
    assert len({row[1] for row in rows[1:]}) == 12
    people = {row[1]: row for row in rows[1:] if row[4] == "people"}
    assert people["2026-W11"][5:] == ["6/6", "published"]
    assert people["2025-W52"][5:] == ["", "suppressed: too_few"]
    dashboard = client.get(reverse("supervision:team_dashboard", args=[team_a.pk])).content.decode()
    for row in rows[1:]:
        if row[6] == "published" and row[5] and row[4] not in ("people",):
            assert row[5] in dashboard, row
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.team == team_a and event.actor == bob


def test_a_large_organisation_shows_its_teams_a_page_at_a_time(client, olivia, organisation, team_a_history):
    Team.objects.bulk_create(Team(organisation=organisation, name=f"Unit {i:02d}") for i in range(30))
    publish()
    client.force_login(olivia)
    url = reverse("supervision:organisation")

    def team_names(page: str | None) -> list[str]:
        body = client.get(url, {"weeks": 52, **({"page": page} if page else {})}).content.decode()
        return re.findall(r'<summary class="h5">(.+?) <span', body)

    first, second = team_names(None), team_names("2")
    assert first == ["Team A", *[f"Unit {i:02d}" for i in range(24)]]
    assert second == [f"Unit {i:02d}" for i in range(24, 30)]
    body = client.get(url, {"weeks": 52}).content.decode()
    assert "Teams 1 to 25 of 31, in alphabetical order." in body
    assert '?weeks=52&amp;page=2#teams">Next teams</a>' in body
    # Whatever is typed as a page number gives a page, never an error.
    assert team_names("abc") == first and team_names("999") == second and team_names("-1") == second
    # The export still covers every team.
    export = client.get(reverse("supervision:organisation_export")).content.decode()
    assert all(f"Unit {i:02d}" in export for i in range(30))
