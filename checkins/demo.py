"""Eight weeks of believable check-in history for every demo staff member.

Deterministic (a random generator seeded per person) and idempotent (anyone who
already has check-ins is left alone). History ends yesterday, so a demo login can
make today's check-in. Ana's last two weeks are steadily noticeable — never heavy — so her
history shows the persistent-strain early-warning note (checkins.insights).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from accounts.models import Membership, Organisation, User

from . import rollup
from .insights import PERSISTENT_WINDOW_DAYS, SIGN_FIELDS
from .models import STRESS_LOCATIONS, CheckIn, Practice

DEMO_DAYS = 56
# People whose last PERSISTENT_WINDOW_DAYS days are steady, noticeable strain.
STEADY_STRAIN = {"ana"}

NOURISH = [
    "A parent said thank you at the door.",
    "A teenager laughed at my terrible joke.",
    "Team lunch, no one talked about cases.",
    "A child showed me their drawing.",
    "Got a family the housing they needed.",
    "A colleague covered for me without being asked.",
    "Quiet ten minutes by the river at lunch.",
    "A client said they finally slept.",
]
NOTES = [
    "Long day. Need to leave on time tomorrow.",
    "The home visit stayed with me on the drive back.",
    "Bring the court report worry to supervision.",
    "Felt better after the walk.",
]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _history_for(person: User, practices: dict[str, Practice]) -> None:
    rng = random.Random(f"sts-checkin-demo:{person.email}")
    handle = person.email.split("@")[0]
    today = person.local_today()
    usual = rng.uniform(0.5, 1.5)
    rough_weeks = set(rng.sample(range(1, 8), k=rng.choice([1, 2])))
    keys = sorted(practices)
    favourites = rng.sample(keys, 3)
    locations = [key for key, _label in STRESS_LOCATIONS if key != "nowhere"]

    checkins: list[CheckIn] = []
    chosen: list[list[str]] = []
    helped_yesterday = exposed_yesterday = False
    for offset in range(DEMO_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        week = (offset - 1) // 7  # 0 is the last seven days
        rough_now = handle in STEADY_STRAIN and offset <= PERSISTENT_WINDOW_DAYS
        weekend = day.weekday() >= 5
        if not rough_now and rng.random() < (0.6 if weekend else 0.12):
            helped_yesterday = exposed_yesterday = False
            continue
        day_off = weekend or rng.random() < 0.03
        level = usual + rng.gauss(0, 0.3)
        level += 1.0 if week in rough_weeks else 0
        level += 0.5 if exposed_yesterday else 0
        level -= 0.4 if helped_yesterday else 0
        level -= 0.4 if day_off else 0
        if rough_now:
            level = rng.uniform(1.35, 1.85)
        ratings = {field: _clamp(level + rng.gauss(0, 0.5), 0, 4) for field in SIGN_FIELDS}
        exposure = not day_off and rng.random() < 0.18
        used = []
        if rng.random() < 0.65:
            used = rng.sample(favourites, rng.choice([1, 1, 2])) if rng.random() < 0.8 else [rng.choice(keys)]
        checkin = CheckIn(
            user=person,
            local_date=day,
            mood=_clamp(4.3 - level * 0.8 + rng.gauss(0, 0.5), 1, 5),
            energy=_clamp(4.0 - level * 0.7 + rng.gauss(0, 0.6), 1, 5),
            stress_locations=rng.sample(locations, rng.choice([0, 1, 1, 2])),
            exposure=exposure,
            workload=_clamp(3.2 - level * 0.6 + rng.gauss(0, 0.5), 0, 4),
            day_off=day_off,
            nourish=rng.choice(NOURISH) if rng.random() < 0.25 else "",
            private_note=rng.choice(NOTES) if rng.random() < 0.08 else "",
            **ratings,
        )
        checkin.refresh_scores()
        checkins.append(checkin)
        chosen.append(used)
        helped_yesterday = bool({"time_outside", "movement", "talked_with_colleague"} & set(used))
        exposed_yesterday = exposure

    created = CheckIn.objects.bulk_create(checkins)
    Through = CheckIn.practices.through
    Through.objects.bulk_create(
        [
            Through(checkin_id=checkin.pk, practice_id=practices[key].pk)
            for checkin, used in zip(created, chosen, strict=True)
            for key in used
        ]
    )


@transaction.atomic
def extend(organisation: Organisation) -> None:
    practices = {practice.key: practice for practice in Practice.objects.filter(organisation__isnull=True)}
    members = (
        User.objects.filter(organisation=organisation, memberships__role=Membership.Role.MEMBER)
        .distinct()
        .order_by("email")
    )
    loaded = []
    for person in members:
        if person.checkins.exists():
            continue
        _history_for(person, practices)
        loaded.append(person.pk)
    if loaded:
        rollup.rebuild(User.objects.filter(pk__in=loaded))
