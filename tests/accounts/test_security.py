import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent

from ..conftest import PASSWORD


def test_repeated_failures_pause_sign_in_without_revealing_the_account(alice, settings):
    known, unknown = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        known.post(reverse("login"), {"username": alice.email, "password": "wrong"})
        unknown.post(reverse("login"), {"username": "ghost@example.org", "password": "wrong"})
    locked_known = known.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    locked_unknown = unknown.post(reverse("login"), {"username": "ghost@example.org", "password": PASSWORD})
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert "Signing in is paused" in locked_known.content.decode()

    def without_tokens(response) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert without_tokens(locked_known) == without_tokens(locked_unknown)
    assert "_auth_user_id" not in known.session


def test_the_lockout_ends_after_the_cool_off(alice, settings):
    client = Client()
    with time_machine.travel("2026-05-01 10:00Z", tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": alice.email, "password": "wrong"})
    with time_machine.travel("2026-05-01 10:20Z", tick=False):
        response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
        assert response.status_code == 302


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(alice, client):
    assert alice.password.startswith("argon2")
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_content_security_policy_forbids_inline_scripts(client, alice):
    client.force_login(alice)
    response = client.get(reverse("profile"))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()


def test_a_session_ends_after_inactivity(client, alice, settings):
    with time_machine.travel("2026-05-01 09:00Z", tick=False):
        client.force_login(alice)
        assert client.get(reverse("profile")).status_code == 200
    with time_machine.travel("2026-05-01 09:00Z", tick=False) as traveller:
        traveller.shift(settings.SESSION_COOKIE_AGE - 60)
        assert client.get(reverse("profile")).status_code == 200  # activity renews the session
        traveller.shift(settings.SESSION_COOKIE_AGE + 60)
        assert client.get(reverse("profile")).status_code == 302


def test_a_session_in_use_is_written_every_few_minutes_not_on_every_request(client, alice, settings):
    profile = reverse("profile")
    age, slack = settings.SESSION_COOKIE_AGE, settings.SESSION_RENEW_AFTER
    with time_machine.travel("2026-05-01 09:00Z", tick=False) as traveller:
        client.force_login(alice)
        assert client.get(profile).status_code == 200
        key = client.session.session_key
        written = Session.objects.get(pk=key).expire_date
        assert written == timezone.now() + timedelta(seconds=age)

        traveller.shift(slack - 60)
        assert client.get(profile).status_code == 200
        assert Session.objects.get(pk=key).expire_date == written  # read, not written

        traveller.shift(120)
        assert client.get(profile).status_code == 200
        renewed = Session.objects.get(pk=key).expire_date
        assert renewed == timezone.now() + timedelta(seconds=age)

        # Used once more inside the slack, then left alone: the session ends SESSION_COOKIE_AGE
        # after its last write, so at most SESSION_RENEW_AFTER before "AGE after the last use".
        traveller.shift(60)
        assert client.get(profile).status_code == 200
        traveller.shift(age - 60 + 1)
        assert client.get(profile).status_code == 302


def test_sign_ins_and_failures_are_audited_without_the_typed_email(alice):
    client = Client()
    client.post(reverse("login"), {"username": alice.email, "password": "wrong"})
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True))
    assert actions == ["sign_in_failed", "sign_in"]
    failed = AuditEvent.objects.get(action="sign_in_failed")
    assert alice.email not in str(failed.detail)
    assert failed.organisation_id == alice.organisation_id


def test_admin_changes_are_audited(client, olivia, organisation):
    client.force_login(olivia)
    client.post(
        reverse("admin:checkins_practice_add"),
        {
            "key": "tea-outside",
            "name": "Tea outside",
            "description": "A short break.",
            "order": "10",
            "is_active": "on",
        },
    )
    event = AuditEvent.objects.get(action="admin_change")
    assert event.actor == olivia
    assert event.detail["model"] == "practice"
    assert event.organisation_id == olivia.organisation_id


def test_team_changes_are_audited_once_with_before_and_after(client, olivia, team_a):
    client.force_login(olivia)
    client.post(
        reverse("admin:accounts_team_change", args=[team_a.pk]),
        {
            "name": "Team A renamed",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert not AuditEvent.objects.filter(action="admin_change").exists()
    event = AuditEvent.objects.get(action="team_renamed")
    assert event.actor == olivia
    assert event.organisation_id == olivia.organisation_id
