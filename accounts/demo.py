"""The demo organisation for `make run`. Idempotent: running it again changes nothing.

Other apps extend the demo with a `demo.py` of their own that defines
`extend(organisation)`; `seed_demo` calls them in INSTALLED_APPS order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Organisation, Team, User
from .two_factor import requires_two_factor

DEMO_PASSWORD = "calm-harbour-2026"
DEMO_DOMAIN = "demo.sts-checkin.test"
DEMO_ORGANISATION = "Riverside Family Services"

# (team, supervisor, staff) — the third team is small on purpose: its figures stay suppressed.
DEMO_TEAMS: list[tuple[str, tuple[str, str], list[tuple[str, str]]]] = [
    (
        "Child Protection",
        ("sam", "Sam Okafor"),
        [
            ("ana", "Ana García"),
            ("ben", "Ben Walker"),
            ("chloe", "Chloe Martin"),
            ("diego", "Diego Ramírez"),
            ("erin", "Erin Byrne"),
            ("farah", "Farah Haddad"),
            ("gus", "Gus Lindqvist"),
            ("hana", "Hana Sato"),
        ],
    ),
    (
        "Community Mental Health",
        ("tess", "Tess Morgan"),
        [
            ("ivan", "Iván Torres"),
            ("june", "June Park"),
            ("kofi", "Kofi Mensah"),
            ("lena", "Lena Novak"),
            ("mo", "Mo Rahman"),
            ("nia", "Nia Evans"),
        ],
    ),
    (
        "Night Shelter",
        ("uma", "Uma Patel"),
        [("olu", "Olu Adeyemi"), ("pia", "Pia Rossi"), ("quinn", "Quinn Doyle")],
    ),
]
ADMIN = ("admin", "Alex Admin")
SUPERUSER = ("root", "Site Superuser")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


def demo_email(handle: str) -> str:
    return f"{handle}@{DEMO_DOMAIN}"


def _person(organisation: Organisation | None, handle: str, name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=demo_email(handle),
        defaults={"display_name": name, "organisation": organisation, "time_zone": "Europe/London", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=DEMO_ORGANISATION,
        defaults={
            "time_zone": "Europe/London",
            "anonymity_k": 5,
            "support_contact": "Staff wellbeing line (confidential): 0800 000 0000, weekdays 8am–8pm.",
            "crisis_contact": "If you feel unsafe or in crisis: call 999, or Samaritans on 116 123, any time.",
        },
    )
    for team_name, (sup_handle, sup_name), staff in DEMO_TEAMS:
        team, _ = Team.objects.get_or_create(organisation=organisation, name=team_name)
        supervisor = _person(organisation, sup_handle, sup_name)
        Membership.objects.get_or_create(user=supervisor, team=team, defaults={"role": Membership.Role.SUPERVISOR})
        for handle, name in staff:
            member = _person(organisation, handle, name)
            Membership.objects.get_or_create(user=member, team=team, defaults={"role": Membership.Role.MEMBER})
    _person(organisation, ADMIN[0], ADMIN[1], is_org_admin=True, is_staff=True)
    _person(None, SUPERUSER[0], SUPERUSER[1], is_superuser=True, is_staff=True)
    for person in User.objects.filter(email__endswith="@" + DEMO_DOMAIN):
        if requires_two_factor(person):
            TOTPDevice.objects.get_or_create(user=person, name=DEMO_DEVICE_NAME, defaults={"confirmed": True})
    return organisation


DEMO_DEVICE_NAME = "Demo authenticator"


def current_demo_code(email: str) -> str | None:
    """The code a demo account's authenticator would show now (demo accounts only)."""
    from django_otp.oath import totp

    if not email.lower().endswith("@" + DEMO_DOMAIN):
        return None
    device = TOTPDevice.objects.filter(user__email__iexact=email, name=DEMO_DEVICE_NAME, confirmed=True).first()
    if device is None:
        return None
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def demo_logins() -> list[DemoLogin]:
    first_team = DEMO_TEAMS[0]
    return [
        DemoLogin("staff member (Child Protection)", demo_email(first_team[2][0][0])),
        DemoLogin("supervisor (Child Protection)", demo_email(first_team[1][0])),
        DemoLogin("supervisor (Night Shelter, 3 people)", demo_email(DEMO_TEAMS[2][1][0])),
        DemoLogin("organisation admin", demo_email(ADMIN[0])),
        DemoLogin("superuser", demo_email(SUPERUSER[0])),
    ]
