"""Journeys: reading the STS guide, taking a minute (with JavaScript and without), and finding
Support now in one tap, on a desktop and a 390×844 phone, in English and Spanish."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from checkins.guide_views import TOPICS
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, MeaningfulMoment, PracticeUse

from .conftest import assert_accessible, open_menu_link, shot, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAST_MOMENT = "A grandmother thanked me at the door"
TODAYS_MOMENT = "The team covered for me so I could breathe"
# What the pages say, in the browser's language.
WORDS = {
    "en": {
        "guide": "Understanding STS",
        "minute": "Take a minute",
        "start": "Start the three breaths",
        "breath_1": "Breath 1 of 3",
        "done": "Done.",
        "noted": "Noted for today",
        "kept": "Kept. Only you can read it.",
        "fallback": "call your local emergency number",
        "support": "Support now",
    },
    "es": {
        "guide": "Entender el EST",
        "minute": "Tómate un minuto",
        "start": "Empezar las tres respiraciones",
        "breath_1": "Respiración 1 de 3",
        "done": "Listo.",
        "noted": "Anotada para hoy",
        "kept": "Guardado. Solo tú puedes leerlo.",
        "fallback": "llama al número de emergencias de tu zona",
        "support": "Apoyo ahora",
    },
}


@pytest.fixture
def alice_ready(alice, builtin_practices):
    IntroSeen.objects.create(user=alice)
    checkin = CheckIn(
        user=alice,
        local_date=alice.local_today() - dt.timedelta(days=4),
        nourish=PAST_MOMENT,
        **dict.fromkeys(SIGN_FIELDS, 1),
    )
    checkin.save()
    return alice


def test_a_staff_member_reads_the_guide_from_start_to_end(page, viewport, language, alice_ready, sign_in_as):
    sign_in_as(page, alice_ready)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    open_menu_link(page, "/guide/")
    assert_accessible(page, "guide contents")
    shot(page, f"{language}-guide-contents", viewport)
    page.locator("main ol a").first.click()
    for number, topic in enumerate(TOPICS, start=1):
        page.wait_for_url(re.compile(f"/guide/{topic.slug}/$"))
        headings = page.locator("main h1")
        assert headings.count() == 1
        assert_accessible(page, f"guide page {number}")
        if number == 1:
            shot(page, f"{language}-guide-topic", viewport)
        if number < len(TOPICS):
            page.locator("main nav a[rel=next]").click()
    # The last page ends at the contents, and points to Support now.
    assert page.locator("main a[href='/support/']").count() >= 1
    page.locator("main nav a.btn-primary").click()
    page.wait_for_url(re.compile("/guide/$"))


@pytest.mark.parametrize("javascript", ["js-on", "js-off"])
def test_a_staff_member_takes_a_minute(new_context, viewport, language, javascript, alice_ready, sign_in_as):
    words = WORDS[language]
    context = new_context(viewport, language, java_script_enabled=javascript == "js-on")
    page = context.new_page()

    def accessible(label: str) -> None:
        # axe runs as a script in the page: without JavaScript it cannot, and the js-on run checks the same pages.
        if javascript == "js-on":
            assert_accessible(page, label)

    if javascript == "js-on":
        page.clock.install()
    sign_in_as(page, alice_ready)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if javascript == "js-on":
        open_menu_link(page, "/minute/")
    else:
        # Without JavaScript the phone menu cannot open; the link is the same page the menu gives.
        page.goto("/minute/")
    accessible("take a minute")
    shot(page, f"{language}-minute-{javascript}", viewport)

    page.locator("main a[href='/minute/pause/']").click()
    page.wait_for_url(re.compile("/minute/pause/$"))
    steps = page.locator("main ol.pause-steps li")
    assert steps.count() == 3 and steps.first.is_visible()
    pacer = page.locator("#pacer")
    if javascript == "js-off":
        assert pacer.is_hidden()
    else:
        assert pacer.is_visible()
        accessible("pause")
        page.get_by_role("button", name=words["start"]).click()
        assert words["breath_1"] in page.locator("#pacer-words").inner_text()
        assert "inhale" in (pacer.get_attribute("class") or "")
        page.clock.run_for(31_000)
        assert page.locator("#pacer-words").inner_text().startswith(words["done"])
        shot(page, f"{language}-pause-done", viewport)
    accessible("pause")

    page.locator("main a[href='/minute/reset/']").first.click()
    page.wait_for_url(re.compile("/minute/reset/$"))
    accessible("reset")
    first = page.locator("main .practice-list > li").first
    assert first.locator("h2 + p").inner_text().strip()  # its description is shown
    first.locator("button[type=submit]").click()
    page.wait_for_url(re.compile("/minute/reset/"))
    assert words["noted"] in page.locator("main .practice-list > li").first.inner_text()
    assert PracticeUse.objects.filter(user=alice_ready).count() == 1

    page.goto("/minute/nourish/")
    assert PAST_MOMENT in page.locator("main blockquote").inner_text()
    accessible("nourish")
    shot(page, f"{language}-nourish-{javascript}", viewport)
    page.locator("main textarea[name=text]").fill(TODAYS_MOMENT)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/minute/nourish/$"))
    assert words["kept"] in page.locator(".messages").inner_text()
    assert MeaningfulMoment.objects.get(user=alice_ready).text == TODAYS_MOMENT


def test_support_now_is_one_tap_away_with_and_without_contacts(page, viewport, language, alice_ready, sign_in_as):
    words = WORDS[language]
    sign_in_as(page, alice_ready)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    link = page.locator("header a.support-now")
    assert link.is_visible()  # outside the collapsed menu, on a phone too
    assert link.inner_text().strip() == words["support"]
    link.click()
    page.wait_for_url(re.compile("/support/$"))
    assert words["fallback"] in page.locator("main").inner_text()
    assert_accessible(page, "support now, no contacts")
    shot(page, f"{language}-support-fallback", viewport)

    organisation = alice_ready.organisation
    organisation.support_contact = "Staff care line: 0800 111 222"
    organisation.crisis_contact = "24-hour crisis line: 0800 999 000"
    organisation.support_contact_es = "Línea de apoyo al personal: 0800 111 333"
    organisation.save()
    page.goto("/checkin/history/")
    page.locator("header a.support-now").click()
    page.wait_for_url(re.compile("/support/$"))
    main = page.locator("main").inner_text()
    assert "0800 999 000" in main
    assert ("0800 111 333" if language == "es" else "0800 111 222") in main
    assert_accessible(page, "support now, with contacts")
    shot(page, f"{language}-support-contacts", viewport)
    assert url_path(page) == "/support/"
