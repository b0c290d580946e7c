"""Journey: a supervisor reads a dashboard of titled, dated charts, records a team action and sees
it as a marker; a member asks to talk, the supervisor acknowledges it, and the member sees both
the acknowledgement and the team's action. Desktop and phone, English and Spanish."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from supervision import dashboard
from supervision.models import TalkRequest, TeamAction

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

ACTION = "Protected Friday afternoons for admin"
# The smallest axis text, in CSS pixels, as drawn: its font size times the chart's scale.
SMALLEST_AXIS_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.trend-svg')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('.axis-label')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}))"""
# Dates along the bottom, in order, not overlapping, inside the chart (in any language's number format).
DATES_IN_ORDER = """() => [...document.querySelectorAll('svg.trend-svg')].every(svg => {
    const boxes = [...svg.querySelectorAll('.x-label')].map(t => t.getBBox());
    return boxes.length >= 2 && boxes.every((box, i) => box.x >= 0 && box.x + box.width <= svg.viewBox.baseVal.width
        && (i === 0 || boxes[i - 1].x + boxes[i - 1].width < box.x));
})"""
HEADING_LEVELS = "() => [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1])"


@pytest.fixture
def team_with_history(organisation, team_a, alice, bob):
    colleagues = add_team_members(team_a, 5, "colleague")
    seed_weekly_history(organisation, [alice, *colleagues])
    publish(organisation)
    return team_a


def step(page, name: str, viewport: str, language: str) -> None:
    assert_accessible(page, name)
    shot(page, f"{language}-actions-{name}", viewport)


# Team trends on the desktop, in English, are walked by test_supervisor_journey.py.
@pytest.mark.variant("phone", "es")
def test_a_supervisor_acts_on_the_trends_and_answers_a_talk_request(
    page, new_context, viewport, language, alice, bob, team_with_history
):
    team = team_with_history
    dashboard_url = reverse("supervision:team_dashboard", args=[team.pk])
    actions_url = reverse("supervision:team_actions", args=[team.pk])
    talk_url, our_team_url = reverse("supervision:talk"), reverse("supervision:our_team")

    # Alice asks Bob for a conversation, with one line, from her own device.
    alice_page = new_context(viewport, language).new_page()
    sign_in(alice_page, alice.email, PASSWORD)
    alice_page.wait_for_url(lambda url: "/accounts/login/" not in url)
    open_menu_link(alice_page, talk_url)
    alice_page.locator(f"main input[name=recipient][value='{bob.pk}']").check()
    alice_page.locator("main input[name=note]").fill("Any time after 3")
    alice_page.locator("main form button[type=submit]").click()
    alice_page.wait_for_url(lambda url: url_path(alice_page) == talk_url)
    request = TalkRequest.objects.get()
    assert (request.requester, request.recipient, request.note) == (alice, bob, "Any time after 3")
    step(alice_page, "01-member-asked", viewport, language)

    # Bob reads the dashboard: one titled chart per family, dates not ISO weeks, readable axes.
    sign_in_two_step(page, bob, PASSWORD, next_url=dashboard_url)
    page.wait_for_url(lambda url: url_path(page) == dashboard_url)
    charts = page.locator("main figure.trend-chart")
    charted = [family for family in dashboard.FAMILIES if family.chart_keys]
    assert charts.count() == len(charted)
    for index in range(charts.count()):
        assert charts.nth(index).locator("h3").text_content().strip()
        assert charts.nth(index).locator(".chart-reading").text_content().strip()
    assert "-W" not in page.locator("main svg.trend-svg").first.text_content()
    assert page.evaluate(SMALLEST_AXIS_TEXT) >= 12
    assert page.evaluate(DATES_IN_ORDER)
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1 and all(after - before <= 1 for before, after in itertools.pairwise(levels))
    step(page, "02-dashboard", viewport, language)

    # He records a team action; the form says no action may name a person.
    page.locator(f"main a[href='{actions_url}']").click()
    page.wait_for_url(lambda url: url_path(page) == actions_url)
    assert page.locator("main #no-names").is_visible()
    page.locator("main input[name=description]").fill(ACTION)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url_path(page) == actions_url)
    assert TeamAction.objects.get().description == ACTION
    assert page.locator("main .list-group", has_text=ACTION).count() == 1
    step(page, "03-action-recorded", viewport, language)

    # It is a marker on every chart (at the right-hand edge: its week is not published yet).
    page.goto(dashboard_url)
    assert page.locator("main svg.trend-svg .action-line").count() == len(charted)
    assert page.locator("main ol.action-list li", has_text=ACTION).count() == len(charted)
    step(page, "04-marker", viewport, language)

    # He opens the talk request in the app and says he will be in touch.
    open_menu_link(page, reverse("supervision:talk_requests"))
    page.locator(f"main a[href='{reverse('supervision:talk_request', args=[request.pk])}']").click()
    assert "Any time after 3" in page.locator("main blockquote").text_content()
    step(page, "05-talk-request", viewport, language)
    page.locator("main form button[type=submit]").click()
    assert page.locator("main .talk-acknowledged").is_visible()

    # Alice sees the acknowledgement with its time, and the team's action.
    alice_page.goto(talk_url)
    assert alice_page.locator("main .talk-acknowledged").is_visible()
    step(alice_page, "06-member-sees-acknowledgement", viewport, language)
    open_menu_link(alice_page, our_team_url)
    assert alice_page.locator("main .team-actions li", has_text=ACTION).count() == 1
    step(alice_page, "07-what-our-team-is-doing", viewport, language)
