import pytest

from ..conftest import PASSWORD
from .conftest import assert_accessible, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_is_accessible_and_signs_in(page, viewport, alice):
    page.goto("/accounts/login/")
    assert_accessible(page, "sign-in")
    shot(page, "sign-in", viewport)
    sign_in(page, alice.email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_accessible(page, "after sign-in")


def test_a_keyboard_user_can_skip_to_the_content(page, alice):
    sign_in(page, alice.email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/accounts/profile/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link[href='#main']")
    assert skip.evaluate("el => el === document.activeElement"), page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
