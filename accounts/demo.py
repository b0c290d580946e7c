"""The demo organisation for `make run`. Idempotent: running it again changes nothing.

Other apps extend the demo with a `demo.py` of their own that defines
`extend(organisation)`; `seed_demo` calls them in INSTALLED_APPS order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Organisation, Team, TeamGroup, User
from .two_factor import requires_two_factor

DEMO_PASSWORD = "calm-harbour-2026"
DEMO_DOMAIN = "demo.sts-checkin.test"
DEMO_ORGANISATION = "Riverside Family Services"

# (team, supervisor, staff) — the last three teams are small on purpose: their own figures stay
# hidden, and they are published together as the group DEMO_GROUP.
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
    (
        "Day Centre",
        ("vic", "Vic Herrera"),
        [("rosa", "Rosa Jiménez"), ("sol", "Sol Amari"), ("tom", "Tom Reid")],
    ),
    (
        "Street Outreach",
        ("wren", "Wren Kowalski"),
        [("ugo", "Ugo Bianchi"), ("vera", "Vera Lund"), ("will", "Will Osei")],
    ),
]
DEMO_GROUP = ("Housing and Shelter Services", ("Night Shelter", "Day Centre", "Street Outreach"))
# Demo memberships start well before the eight weeks of demo check-ins, so those weeks count.
DEMO_MEMBERSHIP_WEEKS = 10
ADMIN = ("admin", "Alex Admin")
SUPERUSER = ("root", "Site Superuser")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


def demo_email(handle: str) -> str:
    return f"{handle}@{DEMO_DOMAIN}"


def _person(organisation: Organisation | None, handle: str, name: str, password: str, **extra) -> User:
    """The demo person, made with `password` (the demo password, already hashed) if new."""
    user, _created = User.objects.get_or_create(
        email=demo_email(handle),
        defaults={
            "display_name": name,
            "organisation": organisation,
            "time_zone": "Europe/London",
            "password": password,
            **extra,
        },
    )
    return user


@transaction.atomic
def seed() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=DEMO_ORGANISATION,
        defaults={
            "time_zone": "Europe/London",
            "anonymity_k": 5,
            "support_contact": "Staff wellbeing line (confidential): 0800 000 0000, weekdays 8am–8pm.",
            "crisis_contact": "Call 999, or Samaritans on 116 123, any time.",
        },
    )
    started = organisation.today() - dt.timedelta(weeks=DEMO_MEMBERSHIP_WEEKS)
    # Everyone shares the published demo password: it is hashed once (a slow hash on purpose), not per person.
    password = make_password(DEMO_PASSWORD)
    teams = {}
    for team_name, (sup_handle, sup_name), staff in DEMO_TEAMS:
        team, _ = Team.objects.get_or_create(organisation=organisation, name=team_name)
        teams[team_name] = team
        supervisor = _person(organisation, sup_handle, sup_name, password)
        _join(supervisor, team, Membership.Role.SUPERVISOR, started)
        for handle, name in staff:
            _join(_person(organisation, handle, name, password), team, Membership.Role.MEMBER, started)
    group, _ = TeamGroup.objects.get_or_create(organisation=organisation, name=DEMO_GROUP[0])
    group.teams.add(*(teams[name] for name in DEMO_GROUP[1]))
    _person(organisation, ADMIN[0], ADMIN[1], password, is_org_admin=True, is_staff=True)
    _person(None, SUPERUSER[0], SUPERUSER[1], password, is_superuser=True, is_staff=True)
    for person in User.objects.filter(email__endswith="@" + DEMO_DOMAIN):
        if requires_two_factor(person):
            TOTPDevice.objects.get_or_create(user=person, name=DEMO_DEVICE_NAME, defaults={"confirmed": True})
    return organisation


def _join(person: User, team: Team, role: str, started: dt.date) -> None:
    """A membership unless the person already has one in the team (a demo admin may have moved them)."""
    if not Membership.objects.filter(user=person).exists():
        Membership.objects.create(user=person, team=team, role=role, started_on=started)


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
