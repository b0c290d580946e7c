"""The check-in on a 390×844 phone: taps to a complete check-in, the page's height, Save always on
screen; a rough day and a day off in one tap; axe on every page this touches, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from checkins.forms import SIGNS
from checkins.models import CheckIn, DayMark, IntroSeen

from .checkin_form import open_more_about_today, tap_choice
from .conftest import VIEWPORTS, assert_accessible, shot, url_path
from .test_accessibility import seed_personal_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = VIEWPORTS["phone"]
MAX_TAPS = 11
MAX_SCREENS = 2.5

_SAVE_ON_SCREEN = """b => { const r = b.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"""

_CONTRAST = """e => {
  const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = c => { const [r, g, b] = c.map(channel); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const a = lum(rgb(getComputedStyle(e).borderTopColor)), w = lum([255, 255, 255]);
  return (Math.max(a, w) + 0.05) / (Math.min(a, w) + 0.05);
}"""


@pytest.fixture
def phone(new_context, language):
    return new_context("phone", language).new_page()


@pytest.fixture
def member(alice):
    IntroSeen.objects.create(user=alice)
    return alice


def test_a_complete_check_in_on_a_phone_takes_at_most_eleven_taps_with_save_always_on_screen(
    phone, member, language, sign_in_as
):
    sign_in_as(phone, member, "/checkin/")
    phone.wait_for_url(lambda url: url_path(phone) == "/checkin/")
    height = phone.evaluate("document.documentElement.scrollHeight")
    screens = height / PHONE["height"]
    save = phone.locator("form.checkin-form button[type=submit]")
    assert save.evaluate(_SAVE_ON_SCREEN), "Save is not on screen when the page opens"
    assert_accessible(phone, "check-in, optional parts folded")
    shot(phone, f"{language}-phone-checkin-top", "phone")

    taps = 0
    save_always_visible = True
    for index, (name, _label, _help) in enumerate(SIGNS):
        tap_choice(phone, name, index % 5)
        taps += 1
        save_always_visible &= save.evaluate(_SAVE_ON_SCREEN)
    status = phone.locator("#save-status").text_content()
    shot(phone, f"{language}-phone-checkin-rated", "phone")
    save.tap()
    taps += 1
    phone.wait_for_url(lambda url: "/checkin/saved/" in url)

    checkin = CheckIn.objects.get(user=member)
    assert [getattr(checkin, name) for name, _l, _h in SIGNS] == [index % 5 for index in range(9)]
    print(
        f"\n[phone check-in {language}] taps={taps} page_height={height}px screens={screens:.2f} "
        f"save_on_screen_throughout={save_always_visible}"
    )
    assert taps <= MAX_TAPS
    assert screens <= MAX_SCREENS, f"{height}px is {screens:.2f} screens"
    assert save_always_visible, "Save scrolled out of view while rating"
    assert status and not any(ch.isdigit() for ch in status)  # "All nine rated", no count left


def test_save_says_what_is_missing_and_points_to_it_without_a_round_trip(phone, member, language, sign_in_as):
    sign_in_as(phone, member, "/checkin/")
    phone.wait_for_url(lambda url: url_path(phone) == "/checkin/")
    for name, _label, _help in SIGNS[:7]:
        tap_choice(phone, name, 1)
    assert "2" in phone.locator("#save-status").text_content()
    phone.locator("form.checkin-form button[type=submit]").tap()
    assert url_path(phone) == "/checkin/" and not CheckIn.objects.exists()
    focused = phone.evaluate("document.activeElement.name")
    assert focused == SIGNS[7][0]


def test_editing_keeps_every_answer_including_the_folded_ones_and_the_version(phone, member, language, sign_in_as):
    today = member.local_today()
    checkin = CheckIn.objects.create(
        user=member,
        local_date=today,
        mood=2,
        nourish="kept words",
        day_off=True,
        **{name: 1 for name, _l, _h in SIGNS},
    )
    sign_in_as(phone, member, "/checkin/")
    phone.wait_for_url(lambda url: url_path(phone) == "/checkin/")
    tap_choice(phone, "numbness", 3)
    phone.locator("form.checkin-form button[type=submit]").tap()
    phone.wait_for_url(lambda url: "/checkin/saved/" in url)
    checkin.refresh_from_db()
    assert (checkin.numbness, checkin.mood, checkin.nourish, checkin.day_off, checkin.version) == (
        3,
        2,
        "kept words",
        True,
        2,
    )


# Each kind of day in one language: both kinds and both languages are covered in two runs.
@pytest.mark.parametrize(("language", "kind"), [("es", "hard_day"), ("en", "day_off")])
def test_a_rough_day_or_a_day_off_is_one_tap_and_shows_in_history(phone, member, language, kind, sign_in_as):
    sign_in_as(phone, member, "/checkin/")
    phone.wait_for_url(lambda url: url_path(phone) == "/checkin/")
    phone.locator(f"#quick-day button[value={kind}]").tap()
    phone.locator("#quick-day .quick-note").wait_for()
    mark = DayMark.objects.get(user=member)
    assert (mark.local_date, mark.kind) == (member.local_today(), kind)
    assert not CheckIn.objects.exists()
    assert_accessible(phone, f"check-in after noting {kind}")
    phone.goto("/checkin/history/")
    today_cell = phone.locator(".calendar-strip td.day-today")
    assert f"day-{kind}" in today_cell.get_attribute("class")
    assert_accessible(phone, "history with a noted day")
    shot(phone, f"{language}-phone-history-{kind}", "phone")


def test_the_unticked_day_off_switch_has_at_least_3_to_1_contrast(phone, member, language, sign_in_as):
    sign_in_as(phone, member, "/checkin/")
    phone.wait_for_url(lambda url: url_path(phone) == "/checkin/")
    open_more_about_today(phone)
    switch = phone.locator("form.checkin-form input[name=day_off]")
    assert not switch.is_checked()
    ratio = switch.evaluate(_CONTRAST)
    print(f"\n[day-off switch {language}] border contrast {ratio:.2f}:1")
    assert ratio >= 3
    assert_accessible(phone, "check-in, optional parts open")
    shot(phone, f"{language}-phone-checkin-more", "phone")


def test_pages_touched_have_no_serious_axe_findings(
    new_context, member, builtin_practices, viewport, language, sign_in_as
):
    seed_personal_history(member, builtin_practices)
    DayMark.objects.create(user=member, local_date=member.local_today() - dt.timedelta(days=6), kind="hard_day")
    DayMark.objects.create(user=member, local_date=member.local_today() + dt.timedelta(days=3), kind="day_off")
    page = new_context(viewport, language).new_page()
    sign_in_as(page, member, "/checkin/")
    page.wait_for_url(lambda url: url_path(page) == "/checkin/")
    for path in (
        "/checkin/",
        "/checkin/history/",
        "/checkin/history/?weeks=52",
        "/checkin/days-off/",
        "/checkin/who-sees-what/",
        "/reminders/",
        "/accounts/profile/",
    ):
        page.goto(path)
        assert_accessible(page, f"{path} {viewport} {language}")
        shot(page, f"{language}-{path.strip('/').replace('/', '-').replace('?', '-')}", viewport)
