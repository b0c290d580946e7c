"""Accessibility beyond axe: arrow keys on the rating controls, visible focus, 200% zoom,
and meaning that never rests on colour alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from checkins import rollup
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen

from .checkin_form import checked_value, open_more_about_today
from .conftest import VIEWPORTS, assert_accessible, shot, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT_HEIGHT = VIEWPORTS["phone"]["height"]
# 200% zoom of a 1280×900 window: half the CSS pixels, each drawn twice as large.
ZOOMED = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}


def seed_personal_history(user, practices, days: int = 27) -> None:
    """Four weeks of a person's check-ins, with some harder days, exposures and a day off."""
    today = user.local_today()
    checkins = []
    for back in range(days, 0, -1):
        if back % 6 == 0:
            continue
        level = (1, 1, 2, 2, 3, 2, 1)[back % 7]
        ratings = {sign: max(0, min(4, level + (index + back) % 3 - 1)) for index, sign in enumerate(SIGN_FIELDS)}
        checkin = CheckIn(
            user=user,
            local_date=today - dt.timedelta(days=back),
            mood=3,
            energy=2 + back % 3,
            workload=back % 5,
            exposure=back % 5 == 0,
            day_off=back == 9,
            **ratings,
        )
        checkin.refresh_scores()
        checkins.append(checkin)
    created = CheckIn.objects.bulk_create(checkins)
    through = CheckIn.practices.through
    through.objects.bulk_create(
        [through(checkin_id=c.pk, practice_id=practices[i % 3].pk) for i, c in enumerate(created) if i % 2]
    )
    rollup.rebuild(type(user).objects.filter(pk=user.pk))


@pytest.fixture
def alice_with_history(alice, builtin_practices):
    IntroSeen.objects.create(user=alice)
    seed_personal_history(alice, builtin_practices)
    return alice


@pytest.fixture
def desktop(new_context, language):
    page = new_context("desktop", language).new_page()
    return page


def tab_until(page, predicate_js: str, max_presses: int = 120) -> None:
    for _press in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def test_a_rating_group_is_one_tab_stop_and_arrow_keys_change_the_choice(desktop, alice_with_history, sign_in_as):
    page = desktop
    sign_in_as(page, alice_with_history, reverse("checkins:today"))
    page.wait_for_url(lambda url: reverse("checkins:today") in url)
    tab_until(page, "e.name === 'avoidance'")
    assert page.evaluate("document.activeElement.value") == "0"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert checked_value(page, "avoidance") == "2"
    page.keyboard.press("ArrowLeft")
    assert checked_value(page, "avoidance") == "1"
    page.keyboard.press("Home")
    assert checked_value(page, "avoidance") in {"0", "1"}
    # The whole group is one stop: the next Tab goes to the next question's explanation button,
    # then to its options.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('details.why')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "sleep_trouble"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.name") == "avoidance"
    assert page.evaluate("document.activeElement.checked")

    # Each option has a name a screen reader reads, inside a group named by its question.
    for name in ["mood", "energy", *SIGN_FIELDS, "workload", "exposure"]:
        group = page.locator(f"fieldset:has(input[name='{name}'])")
        assert group.locator("legend").first.text_content().strip(), name
        for box in page.locator(f"input[name='{name}']").all():
            label = page.locator(f"label[for='{box.get_attribute('id')}']")
            assert label.count() == 1 and label.text_content().strip(), f"{name}: an option without a label"


FOCUS_STYLE = """el => {
  const target = el.classList.contains("btn-check") ? el.nextElementSibling : el;
  const style = getComputedStyle(target);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor};
}"""


def test_every_control_shows_where_the_keyboard_focus_is(desktop, alice_with_history, sign_in_as):
    page = desktop
    sign_in_as(page, alice_with_history, reverse("checkins:today"))
    page.wait_for_url(lambda url: reverse("checkins:today") in url)
    page.locator("body").focus()
    targets = {
        "skip link": "e.classList.contains('skip-link')",
        "menu link": "e.classList.contains('nav-link')",
        "one-tap rough day": "e.id === 'rough-day'",
        "explanation button": "!!e.closest('details.why') && e.tagName === 'SUMMARY'",
        "rating option": "e.name === 'intrusive_thoughts'",
        "more about today": "e.tagName === 'SUMMARY' && !!e.closest('details.more-about-today')",
        "mood option": "e.name === 'mood'",
        "body-area chip": "e.name === 'stress_locations'",
        "day-off switch": "e.name === 'day_off'",
        "practice chip": "e.name === 'practices'",
        "free-text box": "e.name === 'nourish'",
        "save button": "e.type === 'submit' && !!e.closest('form.checkin-form')",
    }
    invisible = []
    for what, predicate in targets.items():
        tab_until(page, predicate)
        focus = page.evaluate_handle("document.activeElement").evaluate(FOCUS_STYLE)
        if focus["style"] in {"none", ""} or focus["width"] < 2:
            invisible.append(f"{what} ({focus})")
        if what == "more about today":
            page.keyboard.press("Enter")  # open the optional parts to reach their controls
    assert not invisible, "no visible focus on: " + "; ".join(invisible)
    shot(page, "focus-visible-save-button", "desktop")


ZOOM_ROUTES = ["checkins:today", "checkins:history", "checkins:privacy", "checkins:my_data"]


def test_at_200_percent_zoom_pages_fit_the_width_and_stay_accessible(
    new_context, language, alice_with_history, sign_in_as
):
    """One zoomed window opens each page in turn; the findings of every page are reported together."""
    page = new_context("desktop", language, **ZOOMED).new_page()
    sign_in_as(page, alice_with_history, reverse(ZOOM_ROUTES[0]))
    problems = []
    for index, route in enumerate(ZOOM_ROUTES):
        if index:
            page.goto(reverse(route))
        if url_path(page) != reverse(route):
            problems.append(f"{route}: landed on {url_path(page)}")
            continue
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{route}: {overflow}px of horizontal scrolling at 200% zoom")
        try:
            assert_accessible(page, f"{route} at 200%")
        except AssertionError as finding:
            problems.append(str(finding))
        shot(page, f"{language}-zoom-200-{route.split(':')[1]}", "desktop")
    assert not problems, "\n".join(problems)


def test_bands_and_choices_are_told_in_words_and_shapes_not_only_colour(
    new_context, language, viewport, alice_with_history, sign_in_as
):
    page = new_context(viewport, language).new_page()
    sign_in_as(page, alice_with_history, reverse("checkins:history"))
    page.wait_for_url(lambda url: reverse("checkins:history") in url)
    bands = page.locator("main .band-word")
    assert bands.count() >= 10
    for band in bands.all():
        assert band.text_content().strip()
        marker = band.evaluate("el => getComputedStyle(el, '::before').content")
        assert marker not in {"none", "normal", '""'}, "a band without its shape"
    # Exposure and day-off marks on the charts have a shape of their own and a legend in words.
    assert page.locator("main svg.chart-svg polygon.mark-exposure").count() >= 1
    assert page.locator("main svg.chart-svg rect.mark-day-off").count() >= 1
    assert page.locator("main .chart-legend .legend-item").count() == 3
    assert_accessible(page, "rich history")
    shot(page, f"{language}-history-four-weeks", viewport)
    shot(page, f"{language}-readme-history", viewport, top=1250)

    page.goto(reverse("checkins:today"))
    open_more_about_today(page)
    page.locator("input[name=mood][value='4'] + label").click()
    tick = page.locator("input[name=mood][value='4'] + label").evaluate("el => getComputedStyle(el, '::after').content")
    assert "✓" in tick, "the chosen rating is shown by colour alone"
    if viewport == "phone":
        page.locator("input[name=intrusive_thoughts][value='1'] + label").click()
        page.locator("input[name=avoidance][value='0'] + label").click()
        shot(page, f"{language}-readme-checkin", viewport, top=VIEWPORT_HEIGHT)
