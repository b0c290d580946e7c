"""Journey: an organisation admin imports the sample file of 30 people in 6 teams, fixes the two
lines the preview rejects, confirms; a real Celery worker emails the invitations; one new
person accepts and lands on a working check-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership, Team, User
from tests.faults.mail_files import SEPARATOR

from ..conftest import PASSWORD, wait_for
from .conftest import assert_accessible, shot, sign_in_two_step, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(settings.BASE_DIR) / "static" / "accounts" / "people-import-sample.csv"
NEW_PASSWORD = "a-fresh-start-for-2026"
LINK = re.compile(r"https?://[^/\s\"<>]+(/accounts/invitation/[^\s\"<>]*)")


@pytest.fixture
def celery_worker_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
        "REMINDER_TEST_MAIL_DIR": str(tmp_path),
        "INVITATION_RATE_LIMIT": "600/m",
    }


def invitation_body(folder: Path, address: str) -> str | None:
    import email

    for path in folder.glob("*.log"):
        for raw in path.read_bytes().split(SEPARATOR):
            message = email.message_from_bytes(raw)
            if message["To"] == address:
                for part in message.walk():
                    if part.get_content_type() == "text/plain":
                        return part.get_payload(decode=True).decode()
    return None


def upload(page, path: Path) -> None:
    page.locator("#id_import_file").set_input_files(str(path))
    page.locator("#id_format").select_option("0")
    if not page.locator("#id_create_teams").is_checked():
        page.locator("#id_create_teams").check()
    # By keyboard: on a phone the admin's sticky header can still be settling when a tap lands.
    page.locator("#content form input[type=submit]").press("Enter")
    page.wait_for_load_state()


# The admin on the desktop, in English, is walked by test_admin_journey.py.
@pytest.mark.variant("phone", "es")
def test_an_admin_imports_the_sample_file_and_a_new_person_checks_in_at_once(
    page,
    new_context,
    viewport,
    language,
    olivia,
    tmp_path,
    builtin_practices,
    celery_worker_process,
    celery_worker_env,
):
    sign_in_two_step(page, olivia, PASSWORD)
    page.goto(reverse("admin:index"))
    assert page.locator("#organisation-checklist a").count() >= 6
    assert_accessible(page, "admin index with checklist")
    shot(page, f"{language}-import-01-checklist", viewport)

    page.goto(reverse("admin:accounts_user_changelist"))
    page.locator(f"a[href='{reverse('admin:accounts_user_import')}']").click()
    sample_link = page.locator("#content a[download]")
    assert page.request.get(sample_link.get_attribute("href")).text() == SAMPLE.read_text()
    assert_accessible(page, "import form")

    upload(page, SAMPLE)
    rejected = page.locator("#content table.import-preview tbody tr")
    assert rejected.count() == 2
    assert [rejected.nth(i).locator("td").first.text_content().strip() for i in range(2)] == ["13", "26"]
    assert page.locator("input[name=confirm]").count() == 0
    assert User.objects.count() == 1
    assert_accessible(page, "preview with rejected lines")
    shot(page, f"{language}-import-02-two-lines-rejected", viewport)

    fixed = tmp_path / "people.csv"
    fixed.write_text(
        SAMPLE.read_text()
        .replace("diego.ramirez.example.org", "diego.ramirez@example.org")
        .replace('samuel.okafor@example.org,"Sara Okonkwo"', 'sara.okonkwo@example.org,"Sara Okonkwo"')
    )
    upload(page, fixed)
    assert page.locator("#content table.import-preview tbody tr").count() == 30
    assert_accessible(page, "preview ready to confirm")
    shot(page, f"{language}-import-03-preview", viewport)
    page.locator("input[name=confirm]").press("Enter")
    page.wait_for_url(lambda url: url_path(page) == reverse("admin:accounts_user_changelist"))
    assert User.objects.filter(organisation=olivia.organisation).count() == 31
    assert Team.objects.filter(organisation=olivia.organisation).count() == 6

    folder = Path(celery_worker_env["REMINDER_TEST_MAIL_DIR"])
    body = wait_for(lambda: invitation_body(folder, "amara.nwosu@example.org"), timeout=90)
    assert "Child Protection" in body

    newcomer = new_context(viewport, language).new_page()
    newcomer.goto(LINK.search(body).group(1))
    newcomer.locator("main input[name=new_password1]").fill(NEW_PASSWORD)
    newcomer.locator("main input[name=new_password2]").fill(NEW_PASSWORD)
    newcomer.locator("main form button[type=submit]").click()
    newcomer.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    if url_path(newcomer) == reverse("checkins:intro"):
        newcomer.locator("main form button[type=submit]").click()
    newcomer.wait_for_url(lambda url: url_path(newcomer) == reverse("checkins:today"))
    assert newcomer.locator("form.checkin-form").is_visible()
    assert_accessible(newcomer, "first check-in after an import")
    shot(newcomer, f"{language}-import-04-first-check-in", viewport)
    amara = User.objects.get(email="amara.nwosu@example.org")
    assert Membership.objects.current().get(user=amara).team.name == "Child Protection"
