"""Bulk import of people through the real admin: preview, confirm, re-import, bad rows, scoping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Team, User
from sts_checkin.celery import app as celery_app

from ..conftest import make_user

IMPORT = reverse("admin:accounts_user_import")
PROCESS = reverse("admin:accounts_user_process_import")
SAMPLE = Path(settings.BASE_DIR) / "static" / "accounts" / "people-import-sample.csv"
HEADER = "email,name,team,role,time_zone,language\n"


@pytest.fixture(autouse=True)
def eager_invitations():
    """Queued invitations run in the test process, so they land in mail.outbox."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def as_olivia(client, olivia):
    client.force_login(olivia)
    return client


def preview(client, text: str, create_teams: bool = True, **extra):
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    data = {"import_file": upload, "format": "0", **extra}
    if create_teams:
        data["create_teams"] = "on"
    return client.post(IMPORT, data)


def confirm(client, response, django_capture_on_commit_callbacks):
    form = response.context["confirm_form"]
    assert form is not None, "the preview offered no confirmation"
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(PROCESS, data)


def fixed_sample() -> str:
    return (
        SAMPLE.read_text()
        .replace("diego.ramirez.example.org", "diego.ramirez@example.org")
        .replace('samuel.okafor@example.org,"Sara Okonkwo"', 'sara.okonkwo@example.org,"Sara Okonkwo"')
    )


def what_is_written() -> tuple:
    return (
        User.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.exclude(action__in=["sign_in"]).count(),
    )


def test_the_sample_file_previews_with_its_two_bad_lines_named_and_nothing_written(as_olivia):
    before = what_is_written()
    response = preview(as_olivia, SAMPLE.read_text())
    assert response.status_code == 200
    result = response.context["result"]
    assert {row.number + 1 for row in result.invalid_rows} == {13, 26}
    body = response.content.decode()
    assert "“diego.ramirez.example.org” is not an email address." in body
    assert "This email address is also on line 17." in body
    assert "2 lines cannot be imported" in body
    assert response.context.get("confirm_form") is None
    assert what_is_written() == before
    assert mail.outbox == []


def test_the_fixed_sample_previews_what_each_line_will_do_and_writes_nothing(as_olivia):
    before = what_is_written()
    response = preview(as_olivia, fixed_sample())
    body = response.content.decode()
    assert "Preview: nothing is saved until you confirm" in body
    assert "30 new, 0 changed, 0 unchanged." in body
    assert "New person, invited by email; joins Night Shelter (a new team) as member." in body
    assert response.context["confirm_form"] is not None
    assert what_is_written() == before
    assert mail.outbox == []


def test_confirming_invites_thirty_people_into_six_teams_and_reimporting_changes_nothing(
    as_olivia, olivia, django_capture_on_commit_callbacks
):
    response = confirm(as_olivia, preview(as_olivia, fixed_sample()), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    people = User.objects.filter(organisation=olivia.organisation).exclude(pk=olivia.pk)
    assert people.count() == 30
    assert Team.objects.filter(organisation=olivia.organisation).count() == 6
    assert Membership.objects.current().filter(user__in=people).count() == 30
    assert Membership.objects.current().filter(role="supervisor", user__in=people).count() == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people.values_list("email", flat=True))
    assert all(not p.has_usable_password() for p in people)
    valentina = people.get(email="valentina.cruz@example.org")
    assert (valentina.time_zone, valentina.language) == ("America/Bogota", "es")
    chloe = people.get(email="chloe.diaz@example.org")
    assert (chloe.time_zone, chloe.language) == (olivia.organisation.time_zone, olivia.organisation.language)
    invitation = next(m for m in mail.outbox if m.to == ["chloe.diaz@example.org"])
    assert "You are in the team Child Protection." in invitation.body
    imported = AuditEvent.objects.get(action=AuditEvent.Action.PEOPLE_IMPORTED)
    assert imported.detail["new"] == 30 and len(imported.detail["teams_created"]) == 6

    before, sent = what_is_written(), len(mail.outbox)
    again = preview(as_olivia, fixed_sample())
    assert "0 new, 0 changed, 30 unchanged." in again.content.decode()
    confirm(as_olivia, again, django_capture_on_commit_callbacks)
    after = what_is_written()
    assert after[:3] == before[:3]  # people, teams, memberships
    assert after[3] == before[3] + 1  # only the import itself is recorded
    assert len(mail.outbox) == sent


def test_a_changed_role_and_a_new_team_are_shown_as_changes(
    as_olivia, olivia, team_a, alice, django_capture_on_commit_callbacks
):
    text = HEADER + "ALICE@example.org ,,Team A,supervisor,,\n"
    response = preview(as_olivia, text, create_teams=False)
    assert "Becomes supervisor in Team A." in response.content.decode()
    confirm(as_olivia, response, django_capture_on_commit_callbacks)
    assert Membership.objects.current().get(user=alice).role == "supervisor"
    alice.refresh_from_db()
    assert alice.display_name == "Alice Member"  # an empty name keeps the one there


def test_a_thousand_lines_with_twenty_bad_ones_report_each_by_line_and_write_nothing(as_olivia, team_a, eve):
    lines, bad = [HEADER.strip()], {}
    for i in range(1000):
        line = i + 2
        email, team, role, tz = f"person{i}@example.org", "Team A", "member", ""
        if i % 50 == 7:
            kind = (i // 50) % 5
            if kind == 0:
                email = f"person{i}.example.org"
            elif kind == 1:
                team = "Tema A"
            elif kind == 2:
                role = "boss"
            elif kind == 3:
                tz = "Mars/Olympus"
            else:
                email = eve.email
            bad[line] = kind
        lines.append(f"{email},Person {i},{team},{role},{tz},")
    before = what_is_written()
    response = preview(as_olivia, "\n".join(lines) + "\n", create_teams=False)
    result = response.context["result"]
    assert len(bad) == 20
    assert {row.number + 1: len(row.error_dict) for row in result.invalid_rows} == dict.fromkeys(bad, 1)
    body = response.content.decode()
    assert "20 lines cannot be imported" in body
    assert "There is no team called “Tema A”." in body
    assert "Someone with this email address already has an account elsewhere." in body
    for line in bad:
        assert re.search(rf"<td>{line}</td>", body)
    assert what_is_written() == before


def test_an_organisation_admin_imports_only_into_their_own_organisation(
    as_olivia, olivia, oscar, django_capture_on_commit_callbacks
):
    text = HEADER + "new.person@example.org,New Person,Intake,member,,\n"
    response = preview(as_olivia, text, organisation=str(oscar.organisation_id))
    confirm(as_olivia, response, django_capture_on_commit_callbacks)
    person = User.objects.get(email="new.person@example.org")
    assert person.organisation == olivia.organisation
    assert Team.objects.get(name="Intake").organisation == olivia.organisation


def test_a_superuser_chooses_the_organisation(client, root, organisation, django_capture_on_commit_callbacks):
    client.force_login(root)
    text = HEADER + "new.person@example.org,New Person,Intake,member,,\n"
    missing = preview(client, text)
    assert "This field is required." in missing.content.decode()
    response = preview(client, text, organisation=str(organisation.pk))
    confirm(client, response, django_capture_on_commit_callbacks)
    assert User.objects.get(email="new.person@example.org").organisation == organisation


def test_a_file_without_the_needed_columns_says_which_are_missing(as_olivia):
    response = preview(as_olivia, "mail,who\nx@example.org,X\n")
    assert "Missing: email, team." in response.content.decode()


def test_someone_who_left_is_not_invited_again_by_an_import(as_olivia, olivia, team_a):
    from accounts.leavers import do_mark_left

    gone = make_user("gone@example.org", olivia.organisation)
    do_mark_left(gone)
    response = preview(as_olivia, HEADER + "gone@example.org,Gone,Team A,member,,\n")
    assert "This person left on" in response.content.decode()
