"""The profile's time-zone search: narrows the grouped list, announces the count, and is optional."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATCHES = {"en": "Time zones that match: 1", "es": "Zonas horarias que coinciden: 1"}
NONE = {"en": "No time zone matches", "es": "Ninguna zona horaria coincide"}


def _open_profile(sign_in_as, page, person) -> None:
    sign_in_as(page, person, "/accounts/profile/")
    page.wait_for_url(lambda url: url_path(page) == "/accounts/profile/")


def test_typing_a_city_narrows_the_list_announces_the_count_and_saves(page, alice, language, viewport, sign_in_as):
    _open_profile(sign_in_as, page, alice)
    search = page.get_by_label("Find a time zone" if language == "en" else "Buscar una zona horaria")
    assert search.is_visible()
    search.fill("madrid")
    status = page.locator("#time-zone-search-status")
    expect(status).to_have_text(MATCHES[language])
    assert status.get_attribute("aria-live") == "polite"
    visible = page.eval_on_selector_all(
        "#id_time_zone optgroup:not([hidden]) option:not([hidden])", "options => options.map(o => o.value)"
    )
    # The matching place, and the zone already chosen (kept so the list never loses the answer).
    assert set(visible) == {"Europe/Madrid", alice.time_zone}
    assert_accessible(page, f"profile, time zones narrowed {viewport} {language}")

    search.fill("nowhere at all")
    expect(status).to_contain_text(NONE[language])
    search.fill("bogota")
    search.press("Enter")  # narrows the list, does not send the form
    assert status.text_content() == MATCHES[language]
    assert url_path(page) == "/accounts/profile/"
    page.locator("#id_time_zone").select_option("America/Bogota")
    page.locator("form:has(#id_time_zone) button[type=submit]").click()
    page.wait_for_load_state()
    alice.refresh_from_db()
    assert alice.time_zone == "America/Bogota"


def test_without_javascript_the_search_stays_hidden_and_the_list_works(new_context, alice, language, sign_in_as):
    page = new_context("phone", language, java_script_enabled=False).new_page()
    _open_profile(sign_in_as, page, alice)
    assert page.locator("#time-zone-search").is_hidden()
    assert page.locator("#id_time_zone optgroup").count() > 5
    page.locator("#id_time_zone").select_option("Asia/Tokyo")
    page.locator("form:has(#id_time_zone) button[type=submit]").click()
    page.wait_for_load_state()
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"
