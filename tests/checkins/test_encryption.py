import io

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.views.debug import SafeExceptionReporterFilter

from checkins import crypto
from checkins.models import CheckIn

from .conftest import login, make_checkin

SECRET = "the stairwell where she cried"


def _raw_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nourish, private_note FROM checkins_checkin")
        return cursor.fetchall()


def test_the_database_columns_hold_no_plaintext(alice):
    make_checkin(alice, alice.local_today(), nourish=SECRET, private_note=SECRET.upper())
    [(nourish, note)] = _raw_columns()
    for stored in (nourish, note):
        assert stored.startswith("fernet:")
        assert SECRET not in stored and SECRET.upper() not in stored
    checkin = CheckIn.objects.get()
    assert (checkin.nourish, checkin.private_note) == (SECRET, SECRET.upper())


def test_empty_text_is_stored_empty(alice):
    make_checkin(alice, alice.local_today())
    assert _raw_columns() == [("", "")]


def test_str_and_repr_never_include_the_free_text(alice):
    checkin = make_checkin(alice, alice.local_today(), nourish=SECRET, private_note=SECRET)
    assert SECRET not in str(checkin) and SECRET not in repr(checkin)


def test_there_is_no_admin_screen_for_checkins():
    assert CheckIn not in admin.site._registry


@pytest.mark.parametrize("persona", ["root", "olivia"])
def test_admin_pages_show_no_checkin_values(client, alice, persona, request):
    make_checkin(alice, alice.local_today(), nourish=SECRET)
    login(client, request.getfixturevalue(persona))
    index = client.get("/admin/").content.decode()
    assert "/admin/checkins/checkin/" not in index
    assert client.get("/admin/checkins/checkin/").status_code == 404
    for url in ("/admin/", "/admin/checkins/practice/", f"/admin/accounts/user/{alice.pk}/change/"):
        assert SECRET not in client.get(url).content.decode()


@pytest.fixture
def restore_keys(settings):
    yield settings
    crypto.reset_cipher()


def test_rotating_the_key_re_encrypts_every_text_with_the_new_key(alice, restore_keys):
    settings = restore_keys
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    make_checkin(alice, alice.local_today(), nourish=SECRET, private_note="note")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    crypto.reset_cipher()
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "1 check-ins" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    crypto.reset_cipher()
    checkin = CheckIn.objects.get()
    assert (checkin.nourish, checkin.private_note) == (SECRET, "note")
    [(nourish, _note)] = _raw_columns()
    assert Fernet(new_key.encode()).decrypt(nourish.removeprefix("fernet:").encode()).decode() == SECRET


def test_free_text_is_masked_in_error_reports(alice_client):
    response = alice_client.post("/checkin/", {"nourish": SECRET, "private_note": SECRET})
    request = response.wsgi_request
    assert set(request.sensitive_post_parameters) == {"nourish", "private_note"}
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert SECRET not in cleaned.values()
