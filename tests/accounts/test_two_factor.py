import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import new_backup_codes, turn_off

from ..conftest import PASSWORD


def _sign_in(client: Client, email: str):
    return client.post(reverse("login"), {"username": email, "password": PASSWORD})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def plain_client():
    return Client()


def test_a_supervisor_must_set_up_two_step_sign_in_before_anything_else(plain_client, bob, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _sign_in(plain_client, bob.email)
    response = plain_client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    setup = plain_client.get(response["Location"])
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=bob, confirmed=False)

    wrong = plain_client.post(reverse("two_factor_setup"), {"otp_token": "000000"})
    assert "That code did not work" in wrong.content.decode()

    done = plain_client.post(
        reverse("two_factor_setup"), {"otp_token": _current_code(device), "next": "/accounts/profile/"}
    )
    assert done.status_code == 302
    codes_page = plain_client.get(done["Location"])
    assert codes_page.status_code == 200
    codes = list(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert plain_client.get(reverse("profile")).status_code == 200


def test_an_organisation_admin_is_asked_for_a_code_at_each_sign_in(plain_client, olivia, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=olivia, name="phone", confirmed=True)
    _sign_in(plain_client, olivia.email)
    response = plain_client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    bad = plain_client.post(reverse("two_factor_verify"), {"otp_token": "123456"})
    assert "That code did not work" in bad.content.decode()
    good = plain_client.post(
        reverse("two_factor_verify") + "?next=/admin/", {"otp_token": _current_code(device), "next": "/admin/"}
    )
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert plain_client.get(reverse("admin:index")).status_code == 200


def test_a_backup_code_works_once(plain_client, olivia):
    TOTPDevice.objects.create(user=olivia, name="phone", confirmed=True)
    code = new_backup_codes(olivia)[0]
    _sign_in(plain_client, olivia.email)
    assert plain_client.post(reverse("two_factor_verify"), {"otp_token": code}).status_code == 302
    plain_client.post(reverse("logout"))
    _sign_in(plain_client, olivia.email)
    again = plain_client.post(reverse("two_factor_verify"), {"otp_token": code})
    assert again.status_code == 200
    assert "That code did not work" in again.content.decode()


def test_two_step_sign_in_is_optional_for_staff(plain_client, alice):
    _sign_in(plain_client, alice.email)
    assert plain_client.get(reverse("profile")).status_code == 200


def test_a_staff_member_who_turned_it_on_is_asked_too(plain_client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    _sign_in(plain_client, alice.email)
    assert plain_client.get(reverse("profile"))["Location"].startswith(reverse("two_factor_verify"))


def test_turning_it_on_asks_for_a_code_in_the_persons_other_signed_in_browsers_too(plain_client, alice):
    profile = reverse("profile")
    _sign_in(plain_client, alice.email)
    assert plain_client.get(profile).status_code == 200
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=False)
    assert plain_client.get(profile).status_code == 200  # not confirmed yet: not on
    device.confirmed = True
    device.save()
    assert plain_client.get(profile)["Location"].startswith(reverse("two_factor_verify"))
    turn_off(alice)
    assert plain_client.get(profile).status_code == 200


@pytest.mark.parametrize("device", ["authenticator", "backup codes"])
def test_the_two_step_flag_on_the_person_follows_their_devices(alice, device):
    def flag() -> bool:
        return User.objects.get(pk=alice.pk).two_factor_enabled

    assert not flag()
    if device == "authenticator":
        TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    else:
        new_backup_codes(alice)
    assert flag()
    turn_off(alice)
    assert not flag()


def test_an_open_redirect_after_the_second_step_is_refused(plain_client, olivia):
    device = TOTPDevice.objects.create(user=olivia, name="phone", confirmed=True)
    _sign_in(plain_client, olivia.email)
    response = plain_client.post(
        reverse("two_factor_verify"), {"otp_token": _current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_guessing_codes_is_slowed_down(plain_client, olivia):
    device = TOTPDevice.objects.create(user=olivia, name="phone", confirmed=True)
    _sign_in(plain_client, olivia.email)
    for guess in ("111111", "222222", "333333"):
        plain_client.post(reverse("two_factor_verify"), {"otp_token": guess})
    right_too_soon = plain_client.post(reverse("two_factor_verify"), {"otp_token": _current_code(device)})
    assert right_too_soon.status_code == 200
    assert plain_client.get(reverse("admin:index")).status_code != 200


@pytest.mark.parametrize("path_name", ["admin:login", "admin:index", "admin:logout"])
def test_the_admin_sign_in_page_stays_closed_until_the_second_step(plain_client, bob, olivia, settings, path_name):
    """The allow-list matches full view names: `admin:login` is not the site's `login`."""
    settings.TWO_FACTOR_REQUIRED = True
    TOTPDevice.objects.create(user=olivia, name="phone", confirmed=True)
    for person, step in ((bob, "two_factor_setup"), (olivia, "two_factor_verify")):
        client = Client()
        _sign_in(client, person.email)
        response = client.get(reverse(path_name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(step) + "?next=")
        assert "_auth_user_id" in client.session


def test_the_pages_of_the_second_step_stay_open_before_it(plain_client, bob, settings):
    settings.TWO_FACTOR_REQUIRED = True
    _sign_in(plain_client, bob.email)
    assert plain_client.get(reverse("two_factor_setup")).status_code == 200
    # The site's own sign-in page is still reachable (it sends a signed-in person on).
    response = plain_client.get(reverse("login"))
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("two_factor_setup"))
