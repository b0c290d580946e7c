"""Journey 2: a supervisor signs in with two steps, reads team trends, meets a small team whose own
figures stay hidden (and its group's figures instead), downloads the CSV, and opens a check-in a
member chose to share."""

from __future__ import annotations

import csv
import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Team, TeamGroup
from checkins.models import CheckIn

from ..conftest import PASSWORD
from .conftest import (
    add_team_members,
    assert_accessible,
    open_menu_link,
    publish,
    seed_weekly_history,
    shot,
    sign_in,
    sign_in_two_step,
    url_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervised_teams(organisation, team_a, alice, bob):
    """Team A (alice and five colleagues, enough to show figures) and a three-person night
    shelter team (too small: its own figures stay hidden), both supervised by bob. The night
    shelter is grouped with two other three-person teams, so the group of nine has figures.
    Every week is published once the history is in, as the beat task would."""
    colleagues = add_team_members(team_a, 5, "colleague")
    seed_weekly_history(organisation, [alice, *colleagues])
    shelter = Team.objects.create(organisation=organisation, name="Night shelter")
    Membership.objects.create(user=bob, team=shelter, role=Membership.Role.SUPERVISOR)
    day_centre = Team.objects.create(organisation=organisation, name="Day centre")
    outreach = Team.objects.create(organisation=organisation, name="Street outreach")
    for team, prefix in ((shelter, "shelter"), (day_centre, "daycentre"), (outreach, "outreach")):
        seed_weekly_history(organisation, add_team_members(team, 3, prefix))
    group = TeamGroup.objects.create(organisation=organisation, name="Housing and shelter services")
    group.teams.add(shelter, day_centre, outreach)
    publish(organisation)
    return team_a, shelter, group


def step(page, name: str, viewport: str, language: str) -> None:
    assert_accessible(page, name)
    shot(page, f"{language}-supervisor-{name}", viewport)


# Team trends on a phone, in Spanish, are walked by test_team_actions_and_talk_journey.py.
@pytest.mark.variant("desktop", "en")
def test_a_supervisor_reads_team_trends_and_a_check_in_shared_with_them(
    page, new_context, viewport, language, alice, bob, supervised_teams
):
    team_a, shelter, group = supervised_teams

    sign_in_two_step(page, bob, PASSWORD, viewport=f"{viewport}")
    teams_url, shared_url = reverse("supervision:teams"), reverse("supervision:shared")
    share_url = reverse("supervision:share")
    team_a_url = reverse("supervision:team_dashboard", args=[team_a.pk])
    shelter_url = reverse("supervision:team_dashboard", args=[shelter.pk])
    assert url_path(page) == teams_url
    step(page, "01-teams", viewport, language)

    # Team A: trends as charts with text equivalents, a week-on-week change, the table.
    page.locator(f"main a[href='{team_a_url}']").click()
    page.wait_for_url(lambda url: url_path(page) == team_a_url)
    charts = page.locator("main svg.trend-svg[role=img]")
    assert charts.count() >= 3
    for index in range(charts.count()):
        assert charts.nth(index).locator("title").text_content().strip()
        assert charts.nth(index).locator("desc").text_content().strip()
    assert page.locator("main .chart-reading").count() >= charts.count()
    # Each chart's table is behind a toggle that works without JavaScript.
    sts_table = page.locator(f"main details:has(#team-{team_a.pk}-sts-table-caption)")
    assert not sts_table.locator("table").is_visible()
    sts_table.locator("summary").click()
    table = sts_table.locator("table.trend-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 12
    last_week = table.locator("tbody tr").last
    assert last_week.locator("td.suppressed").count() < last_week.locator("td").count()
    step(page, "02-team-dashboard", viewport, language)
    shot(page, f"{language}-readme-team-dashboard", viewport, top=1250)

    export_url = reverse("supervision:team_export", args=[team_a.pk])
    # CSV export of exactly those figures, with nobody's name in it.
    with page.expect_download() as download_info:
        page.locator(f"main a[href^='{export_url}']").click()
    with open(download_info.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["group", "period", "period_start", "period_end", "measure", "value", "status"]
    published = [row for row in rows[1:] if row[6] == "published"]
    assert published and {row[0] for row in rows[1:]} == {team_a.name}
    assert any(row[4] == "people" and row[5] == "6/6" for row in published)
    text = "\n".join(",".join(row) for row in rows)
    assert "alice" not in text.lower() and "colleague" not in text.lower()

    # The small team: no figures of its own, and the page says plainly why and what does work.
    open_menu_link(page, teams_url)
    page.locator(f"main a[href='{shelter_url}']").click()
    page.wait_for_url(lambda url: url_path(page) == shelter_url)
    too_small = page.locator("main #too-small")
    assert too_small.is_visible()
    assert too_small.locator("h2").text_content().strip()
    assert too_small.locator(f"a[href='{shared_url}']").count() == 1
    assert page.locator(f"main svg.trend-svg[aria-labelledby^='team-{shelter.pk}-']").count() == 0
    assert page.locator(f"main [id^='team-{shelter.pk}-'][id$='-table-caption']").count() == 0

    # ... and its group's figures instead: three teams of three, nine people, shown together.
    group_heading = page.locator("main h2", has_text=group.name)
    assert group_heading.count() == 1 and "9" in group_heading.text_content()
    assert page.locator(f"main svg.trend-svg[aria-labelledby^='group-{group.pk}-']").count() >= 3
    group_details = page.locator(f"main details:has(#group-{group.pk}-participation-table-caption)")
    group_details.locator("summary").click()
    group_table = group_details.locator("table.trend-table")
    assert group_table.is_visible()
    assert group_table.locator("tbody tr").count() == 12
    last_week = group_table.locator("tbody tr").last
    assert last_week.locator("td.suppressed").count() < last_week.locator("td").count()
    step(page, "03-small-team-and-its-group", viewport, language)

    # The small team's CSV: its own cells all hidden, with the reason and no figure; the group's shown.
    shelter_export_url = reverse("supervision:team_export", args=[shelter.pk])
    with page.expect_download() as download_info:
        page.locator(f"main a[href^='{shelter_export_url}']").click()
    with open(download_info.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    own = [row for row in rows if row[0] == shelter.name]
    assert own and all(row[5] == "" and row[6].startswith("suppressed: ") for row in own)
    assert any(row[0] == group.name and row[4] == "people" and row[5] == "9/9" for row in rows)
    assert {row[0] for row in rows} == {shelter.name, group.name}
    text = "\n".join(",".join(row) for row in rows).lower()
    assert "shelter0" not in text and "daycentre" not in text and "outreach0" not in text

    # Nothing shared yet.
    open_menu_link(page, shared_url)
    assert page.locator(f"main a[href^='{shared_url}']").count() == 0

    # Alice, on her own device, shares her latest check-in's ratings.
    alice_page = new_context(viewport, language).new_page()
    sign_in(alice_page, alice.email, PASSWORD)
    alice_page.wait_for_url(lambda url: "/accounts/login/" not in url)
    open_menu_link(alice_page, share_url)
    latest = CheckIn.objects.filter(user=alice).latest("local_date")
    share_checkin_url = reverse("supervision:share_checkin", args=[latest.pk])
    form = alice_page.locator(f"main form[action='{share_checkin_url}']")
    form.locator("input[name=share_ratings]").check()
    form.locator("button[value=share]").click()
    alice_page.wait_for_url(lambda url: url_path(alice_page) == share_url)
    assert form.locator("button[value=withdraw]").count() == 1
    assert_accessible(alice_page, "share page")
    shot(alice_page, f"{language}-supervisor-04-member-shares", viewport)

    # Bob sees it, with her name and ratings, and nothing she wrote.
    page.reload()
    link = page.locator(f"main a[href^='{shared_url}']")
    assert link.count() == 1
    assert alice.display_name in link.text_content()
    step(page, "05-shared-list", viewport, language)
    link.click()
    page.wait_for_url(re.compile(re.escape(shared_url) + r"\d+/"))
    values = page.locator("main table tbody td")
    assert values.count() == 10
    assert values.first.text_content().strip() == str(latest.intrusive_thoughts)
    step(page, "06-shared-check-in", viewport, language)
