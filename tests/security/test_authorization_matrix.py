"""Every URL the project registers × every persona → one expected outcome, from one table.

The test walks the URL conf, so a new URL without a row here fails. For every page that
answers 200 the body is searched for marker text from other people's check-ins. URLs that
take an object id are given an object belonging to someone else (alice's check-in, team A,
alice's share), so every other persona is trying a stranger's id.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reminders.links import make_token

from ..conftest import TwoStepClient
from .world import PERSONAS, build_world

pytestmark = pytest.mark.django_db

L = "login"  # 302 to the sign-in page

# name: outcome per persona, in the order of PERSONAS:
#         anonymous  alice  carol  bob    dave   olivia oscar  root
EXPECTED: dict[str, tuple[str, ...]] = {
    "home": (L, "302", "302", "302", "302", "302", "302", "200"),
    "login": ("200", "302", "302", "302", "302", "302", "302", "302"),
    "logout": ("405", "405", "405", "405", "405", "405", "405", "405"),
    "password_change": (L, "200", "200", "200", "200", "200", "200", "200"),
    "password_change_done": (L, "200", "200", "200", "200", "200", "200", "200"),
    "password_reset": ("200",) * 8,
    "password_reset_done": ("200",) * 8,
    "password_reset_confirm": ("200",) * 8,
    "password_reset_complete": ("200",) * 8,
    "accept_invitation": ("400",) * 8,
    "profile": (L, "200", "200", "200", "200", "200", "200", "200"),
    "two_factor_verify": (L, "302", "302", "200", "200", "200", "200", "200"),
    "two_factor_setup": (L, "200", "200", "200", "200", "200", "200", "200"),
    "two_factor_backup_codes": (L, "200", "200", "200", "200", "200", "200", "200"),
    "two_factor_turn_off": ("405",) * 8,
    "set_language": ("405",) * 8,
    "support": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:today": (L, "200", "200", "403", "403", "403", "403", "403"),
    "checkins:intro": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:saved": (L, "200", "200", "404", "404", "404", "404", "404"),  # carol: her own day
    "checkins:history": (L, "200", "200", "403", "403", "403", "403", "403"),
    "checkins:detail": (L, "200", "404", "404", "404", "404", "404", "404"),
    "checkins:privacy": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:my_data": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:export": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:erase_checkins": ("405",) * 8,
    "checkins:mark_day": ("405",) * 8,
    "checkins:days_off": (L, "200", "200", "403", "403", "403", "403", "403"),
    "checkins:erase_account": ("405",) * 8,
    "checkins:guide": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:guide_topic": (L, "200", "200", "200", "200", "200", "200", "200"),
    # Take a minute is anyone's own: every page shows only the signed-in person's moments and notes.
    "checkins:minute": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:minute_pause": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:minute_reset": (L, "200", "200", "200", "200", "200", "200", "200"),
    "checkins:minute_nourish": (L, "200", "200", "200", "200", "200", "200", "200"),
    "reminders:preferences": (L, "200", "200", "200", "200", "200", "200", "200"),
    "reminders:deliveries": (L, "404", "404", "404", "404", "200", "200", "200"),
    "reminders:snooze": ("200",) * 8,
    "reminders:stop": ("200",) * 8,
    "supervision:teams": (L, "404", "404", "302", "302", "404", "404", "404"),  # one team: straight to it
    "supervision:team_dashboard": (L, "404", "404", "200", "404", "404", "404", "404"),
    "supervision:team_export": (L, "404", "404", "200", "404", "404", "404", "404"),
    "supervision:organisation": (L, "404", "404", "404", "404", "200", "200", "404"),  # oscar: his own
    "supervision:organisation_export": (L, "404", "404", "404", "404", "200", "200", "404"),
    "supervision:share": (L, "200", "200", "200", "200", "200", "200", "200"),
    "supervision:share_checkin": (L, "405", "405", "405", "405", "405", "405", "405"),
    "supervision:shared": (L, "404", "404", "200", "200", "404", "404", "404"),  # dave: an empty list
    "supervision:shared_detail": (L, "404", "404", "200", "404", "404", "404", "404"),
    # Team actions: team A's supervisor and its organisation's admin record them; its members read them.
    "supervision:team_actions": (L, "404", "404", "200", "404", "200", "404", "404"),
    "supervision:team_action_delete": (L, "405", "405", "405", "405", "405", "405", "405"),
    "supervision:our_team": (L, "200", "200", "200", "200", "404", "404", "404"),
    # Talk requests: alice asked bob; only bob opens it.
    "supervision:talk": (L, "200", "200", "404", "404", "404", "404", "404"),
    "supervision:talk_withdraw": (L, "405", "405", "405", "405", "405", "405", "405"),
    "supervision:talk_requests": (L, "404", "404", "200", "200", "404", "404", "404"),
    "supervision:talk_request": (L, "404", "404", "200", "404", "404", "404", "404"),
}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full)
        elif isinstance(entry, URLPattern):
            name = entry.name or "?"
            yield prefix + str(entry.pattern), f"{namespace}:{name}" if namespace else name


def project_urls() -> list[tuple[str, str]]:
    return [(route, name) for route, name in _walk(get_resolver().url_patterns) if not name.startswith("admin:")]


def url_for(name: str, world) -> str:
    alice = world.people["alice"]
    kwargs = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accept_invitation": {"token": "not-a-real-invitation"},
        "checkins:detail": {"pk": world.checkins["alice"].pk},
        "checkins:export": {"fmt": "csv"},
        "checkins:guide_topic": {"slug": "what-is-sts"},
        "reminders:snooze": {"length": "day", "token": make_token(alice.pk, "snooze-day")},
        "reminders:stop": {"token": make_token(alice.pk, "stop")},
        "supervision:team_dashboard": {"team_id": alice.memberships.get().team_id},
        "supervision:team_export": {"team_id": alice.memberships.get().team_id},
        "supervision:share_checkin": {"checkin_id": world.checkins["alice"].pk},
        "supervision:shared_detail": {"share_id": world.alice_share.pk},
        "supervision:team_actions": {"team_id": alice.memberships.get().team_id},
        "supervision:team_action_delete": {
            "team_id": alice.memberships.get().team_id,
            "action_id": world.team_a_action.pk,
        },
        "supervision:talk_withdraw": {"request_id": world.alice_talk_request.pk},
        "supervision:talk_request": {"request_id": world.alice_talk_request.pk},
    }.get(name, {})
    url = reverse(name, kwargs=kwargs)
    if name == "checkins:saved":
        url += f"?date={world.checkins['alice'].local_date.isoformat()}"
    return url


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return L
    return str(response.status_code)


@pytest.fixture
def world(alice, bob, carol, dave, eve, olivia, oscar, root):
    return build_world(
        {
            "alice": alice,
            "bob": bob,
            "carol": carol,
            "dave": dave,
            "eve": eve,
            "olivia": olivia,
            "oscar": oscar,
            "root": root,
        }
    )


def test_every_url_has_a_row_in_the_table():
    names = {name for _route, name in project_urls()}
    assert names - set(EXPECTED) == set(), "new URLs need a row in EXPECTED"
    assert set(EXPECTED) - names == set(), "EXPECTED lists URLs that no longer exist"
    assert all(len(row) == len(PERSONAS) for row in EXPECTED.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_the_expected_outcome_and_no_one_elses_text(world, persona):
    client = TwoStepClient()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    forbidden = world.markers_not_of(persona)
    mismatches, leaks = [], []
    for _route, name in project_urls():
        expected = EXPECTED[name][PERSONAS.index(persona)]
        response = client.get(url_for(name, world))
        got = outcome(response)
        if got != expected:
            mismatches.append(f"{name}: expected {expected}, got {got}")
        if response.status_code == 200:
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaks += [f"{name}: {marker}" for marker in forbidden if marker in text]
    assert (mismatches, leaks) == ([], [])


# --- The admin ----------------------------------------------------------------------------
# For each model in the admin: what an organisation admin may do. Everyone without admin
# access is sent to the admin's sign-in page; superusers may do everything; an organisation
# admin gets 404 for any object of another organisation and 403 for models outside their remit.
#                                superuser       organisation admin
#                                add    delete   add    change own  delete own
ADMIN_EXPECTED: dict[str, tuple[str, str, str, str, str]] = {
    "accounts.Organisation": ("200", "200", "403", "200", "403"),
    "accounts.Team": ("200", "200", "200", "200", "200"),
    "accounts.Membership": ("200", "200", "200", "200", "403"),  # ended, never deleted, by org admins
    "accounts.TeamGroup": ("200", "200", "200", "200", "200"),
    "accounts.User": ("200", "200", "200", "200", "200"),
    "accounts.AuditEvent": ("403", "403", "403", "200", "403"),  # written by the app only
    "checkins.Practice": ("200", "200", "200", "200", "200"),
    "supervision.Publication": ("403", "403", "403", "200", "403"),  # written by publishing only
    "supervision.DigestDelivery": ("403", "403", "403", "200", "403"),  # written by the digest only
    "reminders.ReminderSchedule": ("200", "200", "200", "200", "200"),
    "django_celery_beat.PeriodicTask": ("200", "200", "403", "403", "403"),
    "django_celery_beat.ClockedSchedule": ("200", "200", "403", "403", "403"),
    "django_celery_beat.CrontabSchedule": ("200", "200", "403", "403", "403"),
    "django_celery_beat.SolarSchedule": ("200", "200", "403", "403", "403"),
    "django_celery_beat.IntervalSchedule": ("200", "200", "403", "403", "403"),
    "otp_totp.TOTPDevice": ("200", "200", "403", "403", "403"),
    "otp_static.StaticDevice": ("200", "200", "403", "403", "403"),
    "axes.AccessAttempt": ("403", "200", "403", "403", "403"),
    "axes.AccessLog": ("403", "200", "403", "403", "403"),
    "axes.AccessFailureLog": ("403", "200", "403", "403", "403"),
}
SCOPED = {label for label, row in ADMIN_EXPECTED.items() if row[3] == "200"}


def _admin_objects(world) -> dict[str, tuple[object | None, object | None]]:
    """(an object of Riverside, an object of Elsewhere) for each scoped model."""
    from accounts.models import AuditEvent, Membership, TeamGroup
    from checkins.models import Practice
    from reminders.models import ReminderSchedule
    from supervision.models import DigestDelivery, Publication

    alice, eve = world.people["alice"], world.people["eve"]
    riverside, elsewhere = alice.organisation, eve.organisation
    riverside_week = Publication.objects.create(organisation=riverside, week=dt.date(2026, 3, 2), k=5)
    elsewhere_week = Publication.objects.create(organisation=elsewhere, week=dt.date(2026, 3, 2), k=5)
    return {
        "accounts.Organisation": (riverside, elsewhere),
        "accounts.Team": (alice.memberships.get().team, eve.memberships.get().team),
        "accounts.Membership": (Membership.objects.get(user=alice), Membership.objects.get(user=eve)),
        "accounts.User": (alice, eve),
        "accounts.TeamGroup": (
            TeamGroup.objects.create(organisation=riverside, name="Family services"),
            TeamGroup.objects.create(organisation=elsewhere, name="Elsewhere services"),
        ),
        "accounts.AuditEvent": (
            AuditEvent.objects.create(action="export", organisation=riverside),
            AuditEvent.objects.create(action="export", organisation=elsewhere),
        ),
        "checkins.Practice": (
            Practice.objects.create(organisation=riverside, key="river-walk", name="River walk"),
            Practice.objects.create(organisation=elsewhere, key="tea-break", name="Tea break"),
        ),
        "supervision.Publication": (riverside_week, elsewhere_week),
        "supervision.DigestDelivery": (
            DigestDelivery.objects.create(publication=riverside_week, supervisor=world.people["bob"]),
            DigestDelivery.objects.create(publication=elsewhere_week, supervisor=eve),
        ),
        "reminders.ReminderSchedule": (
            ReminderSchedule.objects.create(organisation=riverside, weekdays="01234", local_time="16:30"),
            ReminderSchedule.objects.create(organisation=elsewhere, weekdays="01234", local_time="16:30"),
        ),
    }


def _admin_outcome(response) -> str:
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "admin-login"
    return str(response.status_code)


def test_every_model_in_the_admin_has_a_row():
    from django.contrib import admin

    assert {m._meta.label for m in admin.site._registry} == set(ADMIN_EXPECTED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_answers_each_persona_as_the_table_says(world, persona):
    from django.contrib import admin

    client = TwoStepClient()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    own_org = {"olivia": "riverside", "oscar": "elsewhere"}.get(persona)
    objects = _admin_objects(world)
    mismatches, leaks = [], []
    markers = world.markers_not_of("nobody")
    for model in admin.site._registry:
        label = model._meta.label
        root_add, root_delete, add, change_own, delete_own = ADMIN_EXPECTED[label]
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        is_root = persona == "root"
        checks = [
            (reverse(f"{prefix}_changelist"), "200" if is_root or label in SCOPED else "403"),
            (reverse(f"{prefix}_add"), root_add if is_root else add),
        ]
        riverside_obj, elsewhere_obj = objects.get(label, (model._default_manager.first(), None))
        for obj, owner in ((riverside_obj, "riverside"), (elsewhere_obj, "elsewhere")):
            if obj is None:
                continue
            mine = owner == own_org
            for view, own_expected, root_expected in (
                ("change", change_own, "200"),
                ("history", change_own, "200"),
                ("delete", delete_own, root_delete),
            ):
                expected = root_expected if is_root else own_expected if mine or label not in SCOPED else "404"
                checks.append((reverse(f"{prefix}_{view}", args=[obj.pk]), expected))
        for url, admin_expected in checks:
            expected = admin_expected if persona in ("olivia", "oscar", "root") else "admin-login"
            response = client.get(url)
            got = _admin_outcome(response)
            if got != expected:
                mismatches.append(f"{url}: expected {expected}, got {got}")
            if response.status_code == 200:
                text = response.content.decode(errors="replace")
                leaks += [f"{url}: {marker}" for marker in markers if marker in text]
    assert (mismatches, leaks) == ([], [])


# --- Admin URLs beyond each model's standard views (the people import) ------------------------
# A GET by each persona, in the order of PERSONAS. The import itself is scoped to the admin's own
# organisation (tests/accounts/test_people_import.py: an organisation admin imports only into theirs).
A = "admin-login"
ADMIN_EXTRA_EXPECTED: dict[str, tuple[str, ...]] = {
    "admin:accounts_user_import": (A, A, A, A, A, "200", "200", "200"),
    "admin:accounts_user_process_import": (A, A, A, A, A, "405", "405", "405"),  # POST only, after a preview
    # django-otp's pages for one authenticator (here root's): superusers only.
    "admin:otp_totp_totpdevice_config": (A, A, A, A, A, "403", "403", "200"),
    "admin:otp_totp_totpdevice_qrcode": (A, A, A, A, A, "403", "403", "200"),
}
STANDARD_ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")
SITE_WIDE_ADMIN_URLS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}


def extra_admin_url_names() -> set[str]:
    from django.contrib import admin

    names = set()
    for _route, name in _walk(admin.site.get_urls(), namespace="admin"):
        view = name.removeprefix("admin:")
        if view == "?" or view in SITE_WIDE_ADMIN_URLS or view.rsplit("_", 1)[-1] in STANDARD_ADMIN_VIEWS:
            continue
        names.add(name)
    return names


def test_every_extra_admin_url_has_a_row():
    assert extra_admin_url_names() == set(ADMIN_EXTRA_EXPECTED)
    assert all(len(row) == len(PERSONAS) for row in ADMIN_EXTRA_EXPECTED.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_extra_admin_urls_answer_each_persona_as_the_table_says(world, persona):
    client = TwoStepClient()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.people["root"], name="Root's phone", confirmed=True)
    args = {name: [device.pk] for name in ADMIN_EXTRA_EXPECTED if name.startswith("admin:otp_totp")}
    got = {name: _admin_outcome(client.get(reverse(name, args=args.get(name, [])))) for name in ADMIN_EXTRA_EXPECTED}
    assert got == {name: row[PERSONAS.index(persona)] for name, row in ADMIN_EXTRA_EXPECTED.items()}
