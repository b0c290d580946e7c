"""Browser journeys: Playwright driving Debian's Chromium against a live server.

The live server runs in a thread of the test process on the test database (PostgreSQL in
CI). With E2E_SCREENSHOTS=1, screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..conftest import PERSONAS_JOINED

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: from the moment the browser starts, the rest of the session has
    to allow synchronous ORM calls beside Playwright's event loop (see `browser`), and no other
    test, or the processes it starts (`manage.py check --deploy`), should inherit that.
    Among them the long journeys (marked `variant`) come first, so the test processes finish
    together on short tests rather than one of them on a long journey."""

    def order(item) -> tuple[bool, bool]:
        browser = item.get_closest_marker("browser") is not None
        return browser, browser and item.get_closest_marker("variant") is None

    unmarked = [
        item.nodeid
        for item in items
        if "browser" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError("tests that start Chromium must be marked browser: " + ", ".join(unmarked))
    items.sort(key=order)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but Chromium is not installed at {CHROMIUM}")
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM calls made
    # by the tests themselves (fixtures, checks) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# The browser's language (Accept-Language).
LOCALES = {"en": "en-GB", "es": "es-ES"}

# A test that depends on both the screen size (`viewport`) and the language runs in pairs that
# cover each once: Spanish, the longer text, on the narrow phone, and English on the desktop.
# A long journey marked `@pytest.mark.variant(viewport, language)` is walked once, in the pair
# named. The journeys are shared out so that the team dashboard and the admin are each walked in
# both pairs; a page only one journey reaches (a shared check-in, a talk request) is checked in
# that journey's pair only.
# E2E_ALL_VARIANTS=1 runs every test, journeys included, at every screen size in every language.
PAIRED_VARIANTS = [("phone", "es"), ("desktop", "en")]


def pytest_generate_tests(metafunc):
    """Give `viewport` ("desktop" or "phone") and `language` ("en" or "es") to the tests that use
    them, directly or through `page`, unless the test parametrizes them itself."""
    given = {
        name.strip()
        for marker in metafunc.definition.iter_markers("parametrize")
        for name in (marker.args[0].split(",") if isinstance(marker.args[0], str) else marker.args[0])
    }
    wanted = [name for name in ("viewport", "language") if name in metafunc.fixturenames and name not in given]
    if wanted == ["viewport", "language"]:
        pairs = PAIRED_VARIANTS
        marker = metafunc.definition.get_closest_marker("variant")
        if marker is not None:
            assert tuple(marker.args) in PAIRED_VARIANTS, f"variant{marker.args} is not one of {PAIRED_VARIANTS}"
            pairs = [tuple(marker.args)]
        if os.environ.get("E2E_ALL_VARIANTS") == "1":
            pairs = [(kind, language) for kind in VIEWPORTS for language in LOCALES]
        metafunc.parametrize(wanted, pairs, ids=["-".join(pair) for pair in pairs])
    elif wanted:
        values = list(VIEWPORTS) if wanted == ["viewport"] else list(LOCALES)
        metafunc.parametrize(wanted[0], values)


@pytest.fixture
def new_context(browser, live_server):
    """A factory for extra browser contexts (a second person at another device), closed afterwards."""
    contexts = []

    def make(kind: str = "desktop", language: str = "en", **extra):
        """`kind` is "desktop" or "phone"; `extra` overrides any context option (e.g. viewport)."""
        options = {
            "viewport": VIEWPORTS[kind],
            "base_url": live_server.url,
            "locale": LOCALES[language],
            "is_mobile": kind == "phone",
            "has_touch": kind == "phone",
            "accept_downloads": True,
            **extra,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, viewport, language):
    return new_context(viewport, language).new_page()


def shot(page, name: str, viewport: str, top: int | None = None) -> Path | None:
    """With E2E_SCREENSHOTS=1, a full-page screenshot, or only its first `top` CSS pixels (for the
    README). Without it nothing is taken: rendering and encoding them is a large part of the suite's time."""
    if os.environ.get("E2E_SCREENSHOTS") != "1":
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{viewport}.png"
    if top is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": top})
    return path


_axe = Axe()


def assert_accessible(page, label: str = "") -> None:
    """Zero serious or critical axe-core violations on the current page."""
    results = _axe.run(page)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not problems, f"{label or page.url}: " + "; ".join(problems)


def sign_in(page, email: str, password: str, next_url: str = "") -> None:
    """The sign-in form, found by its field names so it works in any language."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()


@pytest.fixture
def sign_in_as(live_server):
    """Open `next_url` already signed in as `user`, with a real session made by Django's own
    sign-in (`login()`, its signals included), for tests about what comes after signing in.
    The form itself is walked by test_sign_in.py and by the journeys."""
    from django.conf import settings
    from django.test import Client

    def sign_in_as(page, user, next_url: str = "/") -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page.goto(next_url)

    return sign_in_as


def current_totp(device) -> str:
    from django_otp.oath import totp

    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def confirmed_authenticator(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def sign_in_two_step(page, user, password: str, viewport: str = "", next_url: str = "") -> None:
    """Password, then the code the person's authenticator shows, typed on the two-step page."""
    device = confirmed_authenticator(user)
    sign_in(page, user.email, password, next_url)
    page.wait_for_url(re.compile(r"/accounts/two-step/"))
    assert_accessible(page, "two-step sign-in")
    if viewport:
        shot(page, "two-step", viewport)
    page.locator("main input[name=otp_token]").fill(current_totp(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def url_path(page) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page.url).path


@pytest.fixture
def builtin_practices(transactional_db):
    """The built-in Reset practices (a data migration made them; transactional tests flush them)."""
    import importlib

    from django.apps import apps

    from checkins.models import Practice

    migration = importlib.import_module("checkins.migrations.0003_builtin_practices")
    migration.add_builtin_practices(apps, None)
    return list(Practice.objects.filter(organisation=None).order_by("order", "name"))


def open_menu_link(page, href: str) -> None:
    """Follow a main-menu link, opening the collapsed menu first on a phone."""
    toggler = page.locator("header .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    page.locator(f"#main-nav a[href='{href}']").click()
    page.wait_for_url(lambda url: url.split("?")[0].endswith(href))


# A team's weekly "weather": calmer weeks, a harder stretch, a lift after it.
WEEK_LEVELS = (1, 1, 2, 1, 2, 2, 3, 2, 2, 3, 2, 2)


def history_mondays(organisation, weeks: int = 12) -> list[dt.date]:
    """The Mondays of the last `weeks` weeks that can be published now, oldest first."""
    from supervision.publishing import latest_due_week

    latest = latest_due_week(organisation)
    return [latest - dt.timedelta(weeks=back) for back in range(weeks)][::-1]


def seed_weekly_history(organisation, people, weeks: int = 12) -> None:
    """Each person checks in on the Tuesday and Thursday of each of the last closed weeks,
    with ratings that vary by week, person and sign, so the trends have a shape.

    Pages read only published weeks: call `publish(organisation)` once all history is seeded."""
    from accounts.models import User
    from checkins import rollup
    from checkins.insights import SIGN_FIELDS
    from checkins.models import CheckIn

    checkins = []
    for week, monday in enumerate(history_mondays(organisation, weeks)):
        week_level = WEEK_LEVELS[week % len(WEEK_LEVELS)]
        for offset in (1, 3):
            for number, person in enumerate(people):
                ratings = {
                    sign: max(0, min(4, week_level + (number * 2 + index * 3 + week + offset) % 5 - 2))
                    for index, sign in enumerate(SIGN_FIELDS)
                }
                checkin = CheckIn(
                    user=person,
                    local_date=monday + dt.timedelta(days=offset),
                    exposure=(number + week + offset) % 4 == 0,
                    workload=(number + week) % 5,
                    day_off=offset == 3 and (number + week) % 4 == 0,
                    mood=3,
                    energy=3,
                    **ratings,
                )
                checkin.refresh_scores()
                checkins.append(checkin)
    CheckIn.objects.bulk_create(checkins)
    # Loaded in bulk, as the demo data is: team trends read the rollups rebuilt from them.
    rollup.rebuild(User.objects.filter(pk__in=[person.pk for person in people]))


def publish(organisation) -> list:
    """Publish every week of the organisation that is due now, as the beat task would."""
    from supervision.publishing import publish_due

    return publish_due(organisations=[organisation])


def add_team_members(team, count: int, prefix: str, started_on: dt.date = PERSONAS_JOINED) -> list:
    """Colleagues who never sign in in the journeys (no password: no slow hashing), members
    of the team since `started_on`: like the personas, long before any seeded history, so
    every seeded week counts for them (a person counts in a team's week only when they were
    a member for all of it)."""
    from accounts.models import Membership, User

    people = []
    for number in range(count):
        person = User.objects.create_user(
            f"{prefix}{number}@example.org",
            organisation=team.organisation,
            display_name=f"{prefix.title()} {number}",
            time_zone="Europe/London",
        )
        Membership.objects.create(user=person, team=team, role=Membership.Role.MEMBER, started_on=started_on)
        people.append(person)
    return people
