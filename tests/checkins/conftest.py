from __future__ import annotations

from datetime import date

import pytest

from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, Practice


def ratings(value: int = 1, **overrides) -> dict[str, int]:
    return {**{field: value for field in SIGN_FIELDS}, **overrides}


def make_checkin(user, local_date: date, level: int = 1, practices: tuple[str, ...] = (), **extra) -> CheckIn:
    values = {**ratings(level), **extra}
    checkin = CheckIn.objects.create(user=user, local_date=local_date, **values)
    if practices:
        checkin.practices.set(Practice.objects.filter(organisation__isnull=True, key__in=practices))
    return checkin


def form_data(level: int = 1, **overrides) -> dict:
    """A complete, valid check-in POST."""
    data = {field: str(level) for field in SIGN_FIELDS}
    data.update({"mood": "3", "energy": "3", "exposure": "no", "workload": "3", "version": "0"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def alice_client(client, alice):
    IntroSeen.objects.create(user=alice)
    client.force_login(alice)
    return client


def login(client, user):
    client.force_login(user)
    return client
