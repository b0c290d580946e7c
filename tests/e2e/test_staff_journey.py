"""Journey 1: a staff member's first check-in, an edit, their history, who sees what, and their data."""

from __future__ import annotations

import csv
import re

import pytest
from django.utils import translation

from checkins.downloads import export_table
from checkins.forms import RATING_CHOICES, SIGNS
from checkins.models import CheckIn

from ..conftest import PASSWORD
from .checkin_form import choose_with_arrows, fill_by_keyboard, fill_by_tapping, tap_choice
from .conftest import assert_accessible, open_menu_link, shot, sign_in, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGN_ANSWERS = {
    "intrusive_thoughts": 3,
    "avoidance": 1,
    "sleep_trouble": 2,
    "irritability": 0,
    "emotional_exhaustion": 4,
    "numbness": 1,
    "physical_strain": 2,
    "low_motivation": 3,
    "rest_guilt": 0,
}
NOURISH = "A young person I work with laughed for the first time in weeks"
PRIVATE_NOTE = "Tired, but the visit went better than I feared"


def answers_for(practices) -> dict:
    return {
        "mood": 4,
        "energy": 2,
        "stress_locations": ["neck_shoulders", "stomach"],
        **SIGN_ANSWERS,
        "exposure": "yes",
        "workload": 1,
        "day_off": False,
        "practices": [practices[0].pk, practices[4].pk],
        "nourish": NOURISH,
        "private_note": PRIVATE_NOTE,
    }


def step(page, name: str, viewport: str, language: str) -> None:
    """Every page of the journey: axe finds nothing serious, and a screenshot is kept."""
    assert_accessible(page, name)
    shot(page, f"{language}-staff-{name}", viewport)


# On the desktop the check-in is filled by keyboard alone; tapping through it on a phone, in both
# languages, is test_phone_checkin.py's.
@pytest.mark.variant("desktop", "en")
def test_a_staff_member_checks_in_edits_reviews_history_and_downloads_their_data(
    page, viewport, language, alice, builtin_practices
):
    answers = answers_for(builtin_practices)

    sign_in(page, alice.email, PASSWORD)
    # The very first time, the intro screen comes before the form.
    page.wait_for_url(re.compile(r"/checkin/welcome/"))
    step(page, "01-intro", viewport, language)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url_path(page) == "/checkin/")
    step(page, "02-checkin-blank", viewport, language)

    if viewport == "phone":
        fill_by_tapping(page, answers)
    else:
        fill_by_keyboard(page, answers)

    page.wait_for_url(re.compile(r"/checkin/saved/"))
    step(page, "03-saved", viewport, language)
    checkin = CheckIn.objects.get(user=alice)
    assert checkin.mood == 4 and checkin.energy == 2 and checkin.workload == 1
    assert {name: getattr(checkin, name) for name in SIGN_ANSWERS} == SIGN_ANSWERS
    assert checkin.exposure is True and checkin.day_off is False
    assert sorted(checkin.stress_locations) == ["neck_shoulders", "stomach"]
    assert checkin.nourish == NOURISH and checkin.private_note == PRIVATE_NOTE

    # Edit: re-open today's check-in from the confirmation, change one rating, save again.
    page.locator("main a[href='/checkin/']").click()
    page.wait_for_url(lambda url: url_path(page) == "/checkin/")
    assert page.locator("form.checkin-form textarea[name=nourish]").input_value() == NOURISH
    if viewport == "phone":
        tap_choice(page, "sleep_trouble", 4)
    else:
        page.locator("input[name=sleep_trouble]:checked").focus()
        choose_with_arrows(page, "sleep_trouble", "2", "4")
    step(page, "04-checkin-edit", viewport, language)
    page.locator("form.checkin-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/checkin/saved/"))
    checkin.refresh_from_db()
    assert checkin.sleep_trouble == 4 and checkin.version == 2

    # History: charts with text equivalents.
    page.locator("main a[href='/checkin/history/']").click()
    page.wait_for_url(lambda url: url_path(page) == "/checkin/history/")
    charts = page.locator("main svg.chart-svg[role=img]")
    assert charts.count() == 9  # the average, mood, energy, the four groups and the two optional questions
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.locator("title").text_content().strip()
        assert chart.locator("desc").text_content().strip()
        assert chart.get_attribute("aria-labelledby")
    index_figure = page.locator("main figure").first
    index_figure.locator("summary").click()
    table = index_figure.locator("table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 1
    shown_index = str(checkin.sts_index) if language == "en" else str(checkin.sts_index).replace(".", ",")
    assert shown_index in table.locator("tbody tr").first.text_content()
    step(page, "05-history", viewport, language)

    # Who sees what, from the main menu.
    open_menu_link(page, "/checkin/who-sees-what/")
    step(page, "06-who-sees-what", viewport, language)

    # My data: the CSV holds exactly what was typed and tapped.
    page.locator("main a[href='/checkin/my-data/']").click()
    page.wait_for_url(lambda url: url_path(page) == "/checkin/my-data/")
    step(page, "07-my-data", viewport, language)
    with page.expect_download() as download_info:
        page.locator("main a[href$='export.csv']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert len(rows) == 1
    # The CSV speaks in the words of the form, in the person's language.
    with translation.override(language):
        expected = export_table(alice)
    assert [header, *rows] == expected
    row = dict(zip(header, rows[0], strict=True))
    with translation.override(language):
        labels = {name: str(label) for name, label, _help in SIGNS}
        assert row[labels["sleep_trouble"]] == str(dict(RATING_CHOICES)[4])
        assert row[str(translation.gettext("One moment that meant something today"))] == NOURISH
        assert row[str(translation.gettext("Private note"))] == PRIVATE_NOTE
    assert row[header[0]] == checkin.local_date.isoformat()
    assert "neck_shoulders" not in ";".join(rows[0]) and "True" not in rows[0]
