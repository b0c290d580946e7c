"""The sign-in lockout counts every spelling of one address (case, surrounding spaces) together."""

from itertools import cycle, islice
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse

from accounts.lockout import lockout_username

from ..conftest import PASSWORD

LIMIT = 5  # docs/security.md: 5 failed attempts for one email from one address


@pytest.fixture(autouse=True)
def _pinned_lockout(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    settings.AXES_RESET_ON_SUCCESS = True


def spellings(email: str) -> list[str]:
    local, domain = email.split("@")
    return [
        email,
        email.upper(),
        f"{local.capitalize()}@{domain}",
        f"  {email}",
        f"{email.upper()}   ",
        f" {local}@{domain.upper()} ",
    ]


def _sign_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def _failures_checked(client: Client, emails: list[str]) -> tuple[list[int], int]:
    """Status of each wrong-password attempt, and how many reached the password check."""
    real = ModelBackend.authenticate
    with mock.patch.object(ModelBackend, "authenticate", autospec=True, side_effect=real) as checked:
        statuses = [_sign_in(client, email, "wrong-password").status_code for email in emails]
    return statuses, checked.call_count


def test_the_callable_normalises_case_and_surrounding_spaces(rf):
    assert lockout_username(rf.post("/"), {"username": "  Alice@Example.ORG "}) == "alice@example.org"
    assert lockout_username(rf.post("/", {"username": " BOB@example.org"}), None) == "bob@example.org"
    assert lockout_username(rf.post("/"), None) is None


def test_thirty_failures_in_six_spellings_lock_after_as_many_as_one_spelling(alice, carol):
    one_spelling, checked_one = _failures_checked(Client(), [carol.email] * 30)
    mixed, checked_mixed = _failures_checked(Client(), list(islice(cycle(spellings(alice.email)), 30)))

    # The LIMIT-th failure already answers with the pause page; later attempts are not checked.
    assert one_spelling == mixed == [200] * (LIMIT - 1) + [429] * (30 - LIMIT + 1)
    assert checked_mixed == checked_one == LIMIT
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {alice.email, carol.email}


@pytest.mark.parametrize("spelling", [0, 1, 2, 3, 4, 5])
def test_a_locked_account_cannot_be_signed_into_with_another_spelling(alice, spelling):
    client = Client()
    for _ in range(LIMIT):
        _sign_in(client, alice.email, "wrong-password")
    other = spellings(alice.email)[spelling]

    response = _sign_in(client, other, PASSWORD)

    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The refused attempt did not clear the lock: the usual spelling is still paused too.
    assert _sign_in(client, alice.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_taken_in_upper_case_holds_for_the_stored_spelling(alice):
    client = Client()
    for _ in range(LIMIT):
        _sign_in(client, f" {alice.email.upper()} ", "wrong-password")
    assert _sign_in(client, alice.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_not_global(alice, carol):
    client = Client()
    for email in islice(cycle(spellings(alice.email)), LIMIT):
        _sign_in(client, email, "wrong-password")
    assert _sign_in(client, alice.email.upper(), PASSWORD).status_code == 429

    response = _sign_in(client, f" {carol.email.upper()} ", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(carol.pk)


def test_a_success_in_one_spelling_resets_the_count_for_all(alice):
    client = Client()
    for email in spellings(alice.email)[: LIMIT - 1]:
        _sign_in(client, email, "wrong-password")
    assert _sign_in(client, alice.email.title(), PASSWORD).status_code == 302
    client.logout()
    statuses = [_sign_in(client, email, "wrong-password").status_code for email in spellings(alice.email)[1:]]
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert _sign_in(client, alice.email, PASSWORD).status_code == 429
