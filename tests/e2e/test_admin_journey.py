"""Journey 3: an organisation admin invites a person, creates their team and a reminder schedule;
a real Celery worker emails the nudge, and its link lands the person on today's check-in."""

from __future__ import annotations

import email
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Team, User
from reminders.models import Delivery, ReminderSchedule

from ..conftest import PASSWORD, wait_for
from ..reminders.test_real_services import read_mail_file
from .conftest import assert_accessible, open_menu_link, shot, sign_in_two_step, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER = "newcomer@example.org"
NEWCOMER_PASSWORD = "a-fresh-start-for-2026"
LINK = re.compile(r"https?://[^/\s\"<>]+(/[^\s\"<>]*)")


@pytest.fixture
def celery_worker_env(tmp_path) -> dict[str, str]:
    """The worker writes each email as a file the test can read."""
    return {"DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings", "REMINDER_TEST_MAIL_DIR": str(tmp_path)}


def parts_of(message: email.message.Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def step(page, name: str, viewport: str, language: str) -> None:
    assert_accessible(page, name)
    shot(page, f"{language}-admin-{name}", viewport)


def save_admin_form(page) -> None:
    page.locator("#content-main input[name=_save]").click()
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/add"))
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").first.text_content()


def choose_in_autocomplete(page, select_id: str, search: str) -> None:
    """The admin's autocomplete (select2): open it, type, take the first match."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option--highlighted", has_text=re.compile(re.escape(search), re.I)).wait_for()
    page.keyboard.press("Enter")


# The admin on a phone, in Spanish, is walked by test_import_journey.py.
@pytest.mark.variant("desktop", "en")
def test_an_admin_sets_up_a_team_and_reminders_and_the_nudge_leads_to_the_check_in(
    page, new_context, viewport, language, olivia, celery_worker_process, celery_worker_env
):
    sign_in_two_step(page, olivia, PASSWORD)
    open_menu_link(page, reverse("admin:index"))
    step(page, "01-admin-index", viewport, language)

    # Invite a person: adding them emails an invitation link.
    page.goto(reverse("admin:accounts_user_add"))
    page.locator("#id_email").fill(NEWCOMER)
    page.locator("#id_display_name").fill("Nia Newcomer")
    page.locator("#id_time_zone").select_option("Europe/London")
    step(page, "02-invite-person", viewport, language)
    save_admin_form(page)
    newcomer = User.objects.get(email=NEWCOMER)
    assert newcomer.organisation_id == olivia.organisation_id and not newcomer.has_usable_password()
    (invitation,) = [message for message in mail.outbox if message.to == [NEWCOMER]]

    # Create a team with the new person in it.
    page.goto(reverse("admin:accounts_team_add"))
    page.locator("#id_name").fill("Outreach")
    choose_in_autocomplete(page, "id_memberships-0-user", "Newcomer")
    step(page, "03-create-team", viewport, language)
    save_admin_form(page)
    team = Team.objects.get(name="Outreach")
    assert team.organisation_id == olivia.organisation_id
    assert Membership.objects.filter(team=team, user=newcomer, role=Membership.Role.MEMBER).exists()

    # A reminder schedule for that team, every day.
    page.goto(reverse("admin:reminders_reminderschedule_add"))
    page.locator("#id_team").select_option(str(team.pk))
    for day in range(7):
        page.locator(f"input[name=weekdays][value='{day}']").check()
    page.locator("#id_local_time").fill("16:30")
    page.locator("#id_message").fill("Team huddle is on Thursday.")
    step(page, "04-reminder-schedule", viewport, language)
    save_admin_form(page)
    schedule = ReminderSchedule.objects.get(team=team)
    assert schedule.weekdays == "0123456" and schedule.is_active

    # The newcomer follows the invitation and chooses a password.
    newcomer_page = new_context(viewport, language).new_page()
    newcomer_page.goto(LINK.search(invitation.body).group(1))
    newcomer_page.locator("main input[name=new_password1]").fill(NEWCOMER_PASSWORD)
    newcomer_page.locator("main input[name=new_password2]").fill(NEWCOMER_PASSWORD)
    assert_accessible(newcomer_page, "accept invitation")
    shot(newcomer_page, f"{language}-admin-05-accept-invitation", viewport)
    newcomer_page.locator("main form button[type=submit]").click()
    newcomer_page.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    newcomer_page.context.close()

    # Send the nudge now, through the broker, by the real worker.
    call_command("send_due_reminders", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def reminder_sent():
        return Delivery.objects.filter(user=newcomer, status=Delivery.Status.SENT).first()

    wait_for(reminder_sent, timeout=60)
    message = read_mail_file(Path(celery_worker_env["REMINDER_TEST_MAIL_DIR"]))
    assert message["To"] == NEWCOMER
    parts = parts_of(message)
    assert "Team huddle is on Thursday." in parts["text/plain"]

    # The email's first link, opened on a device that is not signed in: sign in, then the check-in.
    checkin_path = LINK.search(parts["text/plain"]).group(1)
    reader = new_context(viewport, language).new_page()
    reader.set_content(parts["text/html"])
    shot(reader, f"{language}-admin-06-reminder-email", viewport)
    html_link = reader.locator("a[href*='/checkin/']").first.get_attribute("href")
    assert LINK.search(html_link).group(1) == checkin_path
    reader.goto(checkin_path)
    reader.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in_page_url = reader.url
    reader.locator("main input[name=username]").fill(NEWCOMER)
    reader.locator("main input[name=password]").fill(NEWCOMER_PASSWORD)
    reader.locator("main form button[type=submit]").click()
    reader.wait_for_url(lambda url: url != sign_in_page_url)
    if url_path(reader) == reverse("checkins:intro"):
        reader.locator("main form button[type=submit]").click()
    reader.wait_for_url(lambda url: url_path(reader) == reverse("checkins:today"))
    assert reader.locator("form.checkin-form").is_visible()
    step(reader, "07-lands-on-check-in", viewport, language)
