"""Browser journeys: Playwright driving Debian's Chromium against a live server.

The live server runs in a thread of the test process on the test database (PostgreSQL in
CI). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls made by the
# test itself (creating fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but Chromium is not installed at {CHROMIUM}")
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

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


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(browser, viewport, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        base_url=live_server.url,
        locale="en-GB",
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str, viewport: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
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


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("Email|Correo", re.I)).fill(email)
    page.get_by_label(re.compile("Password|Contraseña", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar", re.I)).click()
