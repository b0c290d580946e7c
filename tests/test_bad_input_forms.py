"""Generated bad (and good) input against every form and POST endpoint besides the check-in
(tests/test_bad_input.py has that one): never a 5xx, nothing saved from an invalid submission,
nothing lost from a valid one, and typed HTML always comes back escaped."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accounts import two_factor
from accounts.invitations import make_invitation_token
from accounts.models import User
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, Practice
from reminders import links
from reminders.models import ReminderPreference, ReminderSchedule
from supervision.models import SharedCheckIn

from .conftest import PASSWORD, TwoStepClient

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def fuzz(examples: int):
    return settings(FUZZ, max_examples=examples)


SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999",
    "1e3",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    SCRIPT,
    ATTRIBUTE,
    "'; drop table accounts_user; --",
    "٣",
    "²",
    "🙂",
    "\u202e",
    "\ufeff",
    "Ω" * 300,
    "x" * 20_000,
    "25:61",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "../../etc/passwd",
    "%00",
    "\r\n",
]
junk_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(min_size=200, max_size=300),
)
junk_value = st.one_of(junk_text, st.lists(junk_text, min_size=2, max_size=3))


def junk_form(fields: list[str]) -> st.SearchStrategy[dict]:
    """Some of the real fields (wrong types, huge, unicode, NUL) plus made-up ones, or nothing."""
    return st.dictionaries(
        st.one_of(st.sampled_from(fields), st.text(min_size=1, max_size=12)), junk_value, max_size=len(fields) + 2
    )


def assert_survived(response) -> None:
    assert response.status_code < 500
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert SCRIPT not in body
        assert ATTRIBUTE not in body
    location = response.get("Location", "")
    assert not location.startswith(("//", "http:", "https:", "javascript:")), location


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


def profile_row(user) -> dict:
    return User.objects.values(
        "display_name", "time_zone", "language", "email", "is_org_admin", "is_staff", "is_superuser", "organisation_id"
    ).get(pk=user.pk)


# --- Profile ---------------------------------------------------------------


@fuzz(20)
@given(data=junk_form(["display_name", "time_zone", "language", "email", "is_superuser", "organisation"]))
def test_junk_sent_to_the_profile_never_breaks_it_and_saves_only_a_valid_whole(alice_client, alice, data):
    before = profile_row(alice)
    response = alice_client.post(reverse("profile"), data)
    assert_survived(response)
    after = profile_row(alice)
    if response.status_code != 302:
        assert after == before
    # Whatever was posted, nobody promotes themselves or moves organisation.
    for field in ("email", "is_org_admin", "is_staff", "is_superuser", "organisation_id"):
        assert after[field] == before[field]


display_names = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=150).map(str.strip)


@fuzz(20)
@given(
    name=display_names,
    zone=st.sampled_from(["Europe/London", "America/Bogota", "Asia/Kolkata", "UTC"]),
    language=st.sampled_from(["", "en", "es"]),
)
def test_a_valid_profile_is_saved_exactly_as_typed(alice_client, alice, name, zone, language):
    response = alice_client.post(reverse("profile"), {"display_name": name, "time_zone": zone, "language": language})
    assert response.status_code == 302
    row = profile_row(alice)
    assert (row["display_name"], row["time_zone"], row["language"]) == (name, zone, language)


def test_html_in_a_display_name_is_escaped_on_the_profile_and_for_the_supervisor(alice_client, alice, bob):
    assert (
        alice_client.post(
            reverse("profile"), {"display_name": SCRIPT, "time_zone": "Europe/London", "language": ""}
        ).status_code
        == 302
    )
    checkin = CheckIn.objects.create(user=alice, local_date=alice.local_today(), **dict.fromkeys(SIGN_FIELDS, 1))
    assert (
        alice_client.post(reverse("supervision:share_checkin", args=[checkin.pk]), {"share_ratings": "on"}).status_code
        == 302
    )
    share = SharedCheckIn.objects.get(checkin=checkin)
    supervisor = TwoStepClient()
    supervisor.force_login(bob)
    pages = [
        (alice_client, reverse("profile")),
        (supervisor, reverse("supervision:shared")),
        (supervisor, reverse("supervision:shared_detail", args=[share.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SCRIPT not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


# --- Password change, reset, invitation ------------------------------------


@fuzz(40)
@given(data=junk_form(["old_password", "new_password1", "new_password2"]))
def test_junk_sent_to_password_change_never_changes_the_password(alice_client, alice, data):
    assume(not (data.get("old_password") == PASSWORD and data.get("new_password1")))
    before = User.objects.get(pk=alice.pk).password
    assert_survived(alice_client.post(reverse("password_change"), data))
    assert User.objects.get(pk=alice.pk).password == before


new_passwords = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Z"]), min_size=12, max_size=60)


@pytest.fixture
def passwords() -> dict[str, str]:
    return {"current": PASSWORD}


@fuzz(20)
@given(new=new_passwords)
def test_a_valid_password_change_keeps_the_new_password(alice_client, alice, passwords, new):
    current = passwords["current"]
    response = alice_client.post(
        reverse("password_change"), {"old_password": current, "new_password1": new, "new_password2": new}
    )
    assert_survived(response)
    user = User.objects.get(pk=alice.pk)
    if response.status_code == 302:
        assert user.check_password(new)
        passwords["current"] = new
    else:  # refused by a validator (too common, all digits): the old one still works
        assert user.check_password(current)
        assert "errorlist" in response.content.decode() or "invalid-feedback" in response.content.decode()


@fuzz(60)
@given(email=junk_value)
def test_junk_sent_to_password_reset_emails_only_real_accounts(alice, email):
    mail.outbox = []
    response = Client().post(reverse("password_reset"), {"email": email})
    assert_survived(response)
    assert all(message.to == [alice.email] for message in mail.outbox)


@fuzz(40)
@given(uid=junk_text, token=junk_text, data=junk_form(["new_password1", "new_password2"]), genuine_uid=st.booleans())
def test_tampered_password_reset_links_change_nothing(alice, uid, token, data, genuine_uid):
    before = User.objects.get(pk=alice.pk).password
    if genuine_uid:
        uid = urlsafe_base64_encode(force_bytes(alice.pk))
    url = f"/accounts/password/reset/{quote(uid, safe='') or 'x'}/{quote(token, safe='') or 'x'}/"
    client = Client()
    assert_survived(client.get(url))
    assert_survived(client.post(url, data))
    assert User.objects.get(pk=alice.pk).password == before


def test_a_genuine_password_reset_link_still_works(alice):
    client = Client()
    url = reverse(
        "password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(alice.pk)), default_token_generator.make_token(alice)],
    )
    form_url = client.get(url)["Location"]
    new = "a-brand-new-long-passphrase"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert User.objects.get(pk=alice.pk).check_password(new)


@pytest.fixture
def invited(organisation):
    return User.objects.create_user(email="newcomer@example.org", organisation=organisation)


@fuzz(40)
@given(token=junk_text, data=junk_form(["new_password1", "new_password2", "next"]), tamper=st.integers(0, 3))
def test_tampered_invitations_and_junk_passwords_set_nothing(invited, token, data, tamper):
    genuine = make_invitation_token(invited)
    token = [token, genuine[:-1] + ("A" if genuine[-1] != "A" else "B"), genuine + "x" + token, genuine][tamper]
    assume(not (tamper == 3 and data.get("new_password1") == data.get("new_password2") and data.get("new_password1")))
    before = User.objects.get(pk=invited.pk).password
    client = Client()
    url = f"/accounts/invitation/{quote(token, safe='') or 'x'}/"
    assert_survived(client.post(url, data))
    assert User.objects.get(pk=invited.pk).password == before
    assert "_auth_user_id" not in client.session


def test_a_genuine_invitation_sets_the_password_and_signs_in(invited):
    client = Client()
    new = "my-own-long-passphrase"
    response = client.post(
        reverse("accept_invitation", args=[make_invitation_token(invited)]),
        {"new_password1": new, "new_password2": new, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert User.objects.get(pk=invited.pk).check_password(new)


# --- Sign-in and two-step ----------------------------------------------------


@fuzz(40)
@given(data=junk_form(["username", "password", "next"]))
def test_junk_sent_to_sign_in_never_signs_anyone_in(alice, data):
    assume(not (data.get("username") in (alice.email, alice.email.upper()) and data.get("password") == PASSWORD))
    client = Client()
    assert_survived(client.post(reverse("login"), data))
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_still_works_after_junk(alice):
    for junk in ("\x00", "x" * 5000, SCRIPT):
        assert_survived(Client().post(reverse("login"), {"username": junk, "password": junk}))
    client = Client()
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def two_factor_state(user) -> tuple:
    return (
        sorted(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True)),
        sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)),
    )


@fuzz(20)
@given(data=junk_form(["otp_token", "next"]))
def test_junk_codes_never_turn_on_two_step_sign_in(alice_client, alice, data):
    two_factor.pending_totp_device(alice)
    before = two_factor_state(alice)
    assert_survived(alice_client.post(reverse("two_factor_setup"), data))
    assert two_factor_state(alice) == before
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


@pytest.fixture
def unverified_bob(bob):
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    device = StaticDevice.objects.create(user=bob, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="backupcode1")
    client = Client()
    client.force_login(bob)
    return client


@fuzz(40)
@given(data=junk_form(["otp_token", "next"]))
def test_junk_codes_never_pass_the_second_step(unverified_bob, bob, data):
    assume("backupcode1" not in str(data.get("otp_token", "")).replace(" ", ""))
    before = two_factor_state(bob)
    assert_survived(unverified_bob.post(reverse("two_factor_verify"), data))
    assert two_factor_state(bob) == before
    assert unverified_bob.get(reverse("supervision:teams")).status_code == 302  # still sent to the second step


def test_junk_posted_to_backup_codes_and_turn_off_by_an_unverified_person_changes_nothing(unverified_bob, bob):
    before = two_factor_state(bob)
    for url in (reverse("two_factor_backup_codes"), reverse("two_factor_turn_off")):
        for data in ({}, {"confirm": SCRIPT}, {"x": "\x00"}):
            assert_survived(unverified_bob.post(url, data))
    assert two_factor_state(bob) == before


# --- Reminders ---------------------------------------------------------------


def preference_row(user) -> dict | None:
    return (
        ReminderPreference.objects.filter(user=user)
        .values("local_time", "weekdays", "quiet_start", "quiet_end", "snoozed_until", "paused", "opted_out")
        .first()
    )


PREFERENCE_FIELDS = ["local_time", "weekdays", "quiet_start", "quiet_end", "snoozed_until", "paused", "opted_out"]


@fuzz(40)
@given(data=junk_form(PREFERENCE_FIELDS))
def test_junk_sent_to_reminder_preferences_never_breaks_them(alice_client, alice, data):
    before = preference_row(alice)
    response = alice_client.post(reverse("reminders:preferences"), data)
    assert_survived(response)
    if response.status_code != 302:
        assert preference_row(alice) == before


times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@fuzz(40)
@given(
    local_time=st.one_of(st.none(), times),
    weekdays=st.lists(st.sampled_from("0123456"), unique=True),
    quiet=st.one_of(st.none(), st.tuples(times, times).filter(lambda pair: pair[0] != pair[1])),
    snooze_days=st.one_of(st.none(), st.integers(0, 400)),
    paused=st.booleans(),
    opted_out=st.booleans(),
)
def test_valid_reminder_preferences_are_saved_exactly(
    alice_client, alice, local_time, weekdays, quiet, snooze_days, paused, opted_out
):
    snoozed_until = None if snooze_days is None else alice.local_today() + timedelta(days=snooze_days)
    data = {
        "local_time": local_time.strftime("%H:%M") if local_time else "",
        "weekdays": weekdays,
        "quiet_start": quiet[0].strftime("%H:%M") if quiet else "",
        "quiet_end": quiet[1].strftime("%H:%M") if quiet else "",
        "snoozed_until": snoozed_until.isoformat() if snoozed_until else "",
    }
    data |= {name: "on" for name, on in (("paused", paused), ("opted_out", opted_out)) if on}
    response = alice_client.post(reverse("reminders:preferences"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert preference_row(alice) == {
        "local_time": local_time,
        "weekdays": "".join(sorted(weekdays)),
        "quiet_start": quiet[0] if quiet else None,
        "quiet_end": quiet[1] if quiet else None,
        "snoozed_until": snoozed_until,
        "paused": paused,
        "opted_out": opted_out,
    }


def link_state() -> list[dict]:
    return list(ReminderPreference.objects.order_by("user_id").values("user_id", "snoozed_until", "opted_out"))


@fuzz(50)
@given(
    token=junk_text,
    length=st.one_of(st.sampled_from(["day", "week"]), junk_text),
    tamper=st.integers(0, 4),
    stop=st.booleans(),
    data=junk_form(["List-Unsubscribe", "token", "user"]),
)
def test_tampered_snooze_and_stop_links_change_nobody(alice, carol, token, length, tamper, stop, data):
    genuine = links.make_token(alice.pk, "snooze-day")
    token = [
        token,
        genuine[:-2] + token[:2],  # a broken signature
        links.make_token(alice.pk, "snooze-week") if stop else links.make_token(alice.pk, "stop"),  # wrong action
        genuine.replace(genuine.split(":")[0], "eyJ1IjoyLCJhIjoic3RvcCJ9", 1),  # someone else's payload
        token + "x" + genuine,
    ][tamper]
    assume(token and token != genuine)
    before = link_state()
    url = (
        f"/reminders/stop/{quote(token, safe='')}/"
        if stop
        else f"/reminders/snooze/{quote(length, safe='') or 'x'}/{quote(token, safe='')}/"
    )
    client = Client(enforce_csrf_checks=False)
    assert_survived(client.get(url))
    assert_survived(client.post(url, data))
    assert link_state() == before


def test_genuine_snooze_and_stop_links_still_work(alice):
    client = Client()
    snooze = reverse("reminders:snooze", args=["week", links.make_token(alice.pk, "snooze-week")])
    assert client.post(snooze, {"extra": SCRIPT}).status_code == 200
    assert ReminderPreference.objects.get(user=alice).snoozed_until == alice.local_today() + timedelta(days=7)
    stop = reverse("reminders:stop", args=[links.make_token(alice.pk, "stop")])
    assert client.post(stop, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert ReminderPreference.objects.get(user=alice).opted_out is True


# --- Sharing -------------------------------------------------------------------


def share_state() -> list[dict]:
    return list(SharedCheckIn.objects.order_by("pk").values())


@pytest.fixture
def checkins_of_three(alice, carol, eve):
    return {
        person.email: CheckIn.objects.create(
            user=person, local_date=person.local_today(), **dict.fromkeys(SIGN_FIELDS, 2)
        ).pk
        for person in (alice, carol, eve)
    }


@fuzz(40)
@given(
    whose=st.sampled_from(["carol@example.org", "eve@example.net", "nobody", "alice@example.org"]),
    raw_id=junk_text,
    data=junk_form(["action", "share_ratings", "share_practices", "checkin", "user"]),
)
def test_sharing_with_tampered_ids_touches_only_ones_own_check_in(
    alice_client, alice, checkins_of_three, whose, raw_id, data
):
    checkin_id = checkins_of_three.get(whose)
    url = f"/supervision/share/{checkin_id if checkin_id else quote(raw_id, safe='') or 'x'}/"
    before = share_state()
    response = alice_client.post(url, data)
    assert_survived(response)
    others = [row for row in share_state() if row["checkin_id"] != checkins_of_three["alice@example.org"]]
    assert others == [row for row in before if row["checkin_id"] != checkins_of_three["alice@example.org"]]
    if whose != "alice@example.org":
        assert response.status_code == 404 or share_state() == before
        return
    assert response.status_code == 302
    share = SharedCheckIn.objects.filter(checkin_id=checkin_id).first()
    chosen = {name: data.get(name) == "on" for name in ("share_ratings", "share_practices")}
    if data.get("action") == "withdraw" or not any(chosen.values()):
        assert share is None or share.withdrawn_at is not None
    else:
        assert share.withdrawn_at is None
        assert {name: getattr(share, name) for name in chosen} == chosen


# --- Erasure, language, intro -----------------------------------------------------


@fuzz(40)
@given(data=junk_form(["confirm", "confirm_word", "user"]), which=st.sampled_from(["erase_checkins", "erase_account"]))
def test_erasure_without_the_right_confirmation_erases_nothing(alice_client, alice, checkins_of_three, data, which):
    assume(which != "erase_checkins" or data.get("confirm") != "yes")
    word = data.get("confirm_word")
    assume(which != "erase_account" or not isinstance(word, str) or word.strip().lower() != "delete")
    before = CheckIn.objects.count()
    response = alice_client.post(reverse(f"checkins:{which}"), data)
    assert_survived(response)
    assert response.status_code == 400
    assert CheckIn.objects.count() == before
    assert User.objects.filter(pk=alice.pk).exists()


def test_erasure_with_the_right_confirmation_erases_only_ones_own(alice_client, alice, checkins_of_three):
    assert alice_client.post(reverse("checkins:erase_checkins"), {"confirm": "yes"}).status_code == 302
    assert set(CheckIn.objects.values_list("user__email", flat=True)) == {"carol@example.org", "eve@example.net"}
    assert alice_client.post(reverse("checkins:erase_account"), {"confirm_word": " Delete "}).status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert CheckIn.objects.count() == 2


@fuzz(60)
@given(data=junk_form(["language", "next"]))
def test_junk_sent_to_the_language_switch_saves_only_a_known_language(alice_client, alice, data):
    before = User.objects.get(pk=alice.pk).language
    assert_survived(alice_client.post(reverse("set_language"), data))
    after = User.objects.get(pk=alice.pk).language
    assert after == before or (after in ("en", "es") and data.get("language") == after)


@fuzz(60)
@given(data=junk_form(["next"]), query=junk_text)
def test_junk_sent_to_the_intro_screen_never_redirects_away(alice_client, alice, data, query):
    assert_survived(alice_client.post(reverse("checkins:intro") + "?next=" + quote(query, safe=""), data))


def test_html_typed_by_admins_is_escaped_on_every_page_that_shows_it(alice_client, alice, bob, organisation, team_a):
    organisation.support_contact = SCRIPT
    organisation.crisis_contact = ATTRIBUTE
    organisation.save()
    team_a.name = SCRIPT
    team_a.save()
    practice = Practice.objects.create(
        organisation=organisation, key="own-practice", name=SCRIPT, description=ATTRIBUTE
    )
    ReminderSchedule.objects.create(organisation=organisation, local_time="16:30", weekdays="01234", message=SCRIPT)
    today = alice.local_today()
    for days_ago in range(3):  # a rough few days: the early-warning note shows the contacts
        checkin = CheckIn.objects.create(
            user=alice, local_date=today - timedelta(days=days_ago), **dict.fromkeys(SIGN_FIELDS, 4)
        )
        checkin.practices.add(practice)
    supervisor = TwoStepClient()
    supervisor.force_login(bob)
    pages = [
        (alice_client, reverse("checkins:today")),
        (alice_client, reverse("checkins:history")),
        (alice_client, reverse("checkins:detail", args=[checkin.pk])),
        (alice_client, reverse("checkins:saved") + f"?date={today}"),
        (alice_client, reverse("checkins:privacy")),
        (alice_client, reverse("reminders:preferences")),
        (alice_client, reverse("supervision:share")),
        (supervisor, reverse("supervision:team_dashboard", args=[team_a.pk])),
    ]
    IntroSeen.objects.create(user=alice)
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_survived(response)
    shown = "".join(client.get(url).content.decode() for client, url in pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the text is there, as text
