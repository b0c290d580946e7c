import re

import time_machine
from django.core import mail
from django.urls import reverse

from accounts.invitations import make_invitation_token, send_invitation
from accounts.models import User

from ..conftest import PASSWORD


def test_it_signs_in_with_email_and_password(client, alice):
    response = client.post(reverse("login"), {"username": "Alice@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, alice):
    wrong = client.post(reverse("login"), {"username": "alice@example.org", "password": "nope"})
    unknown = client.post(reverse("login"), {"username": "nobody@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    message = "That email and password do not match an account we know."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert "alice@example.org" in wrong.content.decode()  # what the person typed is kept
    assert "_auth_user_id" not in client.session


def test_it_signs_out(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


def test_pages_need_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_emails_a_link_that_sets_a_new_password(client, alice):
    response = client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    link = re.search(r"https?://[^\s]+/accounts/password/reset/[^\s]+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "a-brand-new-pass-99", "new_password2": "a-brand-new-pass-99"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-brand-new-pass-99")


def test_password_reset_for_an_unknown_email_looks_the_same(client, alice):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def _invite(organisation) -> tuple[User, str]:
    person = User.objects.create_user("newcomer@example.org", organisation=organisation)
    send_invitation(person)
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    return person, link.split("8000", 1)[1]


def test_an_invitation_link_sets_a_password_once(client, organisation):
    person, path = _invite(organisation)
    assert not person.has_usable_password()
    assert "Choose your password" in mail.outbox[-1].alternatives[0][0]
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": "my-own-secret-77", "new_password2": "my-own-secret-77"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("my-own-secret-77")
    client.logout()
    again = client.post(path, {"new_password1": "someone-else-88", "new_password2": "someone-else-88"})
    assert again.status_code == 400
    person.refresh_from_db()
    assert person.check_password("my-own-secret-77")


def test_an_invitation_link_expires(client, organisation, settings):
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        _person, path = _invite(organisation)
    with time_machine.travel("2026-03-09 09:00Z", tick=False):
        assert client.get(path).status_code == 400


def test_a_tampered_invitation_link_is_refused(client, organisation):
    person = User.objects.create_user("newcomer@example.org", organisation=organisation)
    token = make_invitation_token(person)
    response = client.get(reverse("accept_invitation", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()


def test_a_weak_password_is_refused_with_a_message(client, organisation):
    _person, path = _invite(organisation)
    response = client.post(path, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_the_language_switch_saves_the_preference(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "es"
