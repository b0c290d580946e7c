"""Check-in history for supervision tests, with distinctive markers that must never leak.

The clock is frozen on Wednesday 18 March 2026 12:00 UTC (noon in Europe/London): week
2026-W11 (9–15 March) closed at midnight, when its two-day edit window ended, so it is the
newest week that can be published; 2026-W12 is the open week, which must never be shown.

Pages read only published weeks: a test builds its history, then calls `publish()`, as the
beat task would.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import Membership, Team, User
from checkins import insights, rollup
from checkins.models import CheckIn, Practice
from supervision.models import Publication
from supervision.publishing import publish_due
from tests.conftest import PERSONAS_JOINED

NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)
LAST_CLOSED_MONDAY = dt.date(2026, 3, 9)
OPEN_WEEK_DAY = dt.date(2026, 3, 16)
NOURISH_MARKER = "MARKER-NOURISH-123"
NOTE_MARKER = "MARKER-PRIVATE-456"
# Alice's ratings: an index of 3.89 that no team mean in these tests can equal.
ALICE_RATINGS = dict(zip(insights.SIGN_FIELDS, (4, 4, 4, 4, 4, 4, 4, 4, 3), strict=True))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ratings(level: int) -> dict[str, int]:
    return dict.fromkeys(insights.SIGN_FIELDS, level)


def build_checkin(user: User, day: dt.date, level: int = 1, **extra) -> CheckIn:
    values = {**ratings(level), **extra}
    checkin = CheckIn(user=user, local_date=day, **values)
    checkin.refresh_scores()
    return checkin


def add_checkins(checkins: list[CheckIn], practices: list[Practice] | None = None) -> list[CheckIn]:
    created = CheckIn.objects.bulk_create(checkins)
    if practices:
        through = CheckIn.practices.through
        through.objects.bulk_create([through(checkin_id=c.pk, practice_id=p.pk) for c in created for p in practices])
    # Loaded in bulk, as the demo data is: the team trends read the rollups rebuilt from them.
    rollup.rebuild(User.objects.filter(pk__in={c.user_id for c in created}))
    return created


def add_members(team: Team, count: int, prefix: str) -> list[User]:
    people = []
    for i in range(count):
        person = User.objects.create_user(
            f"{prefix}{i}@example.org", organisation=team.organisation, display_name=f"{prefix.title()} Person{i}"
        )
        Membership.objects.create(user=person, team=team, role=Membership.Role.MEMBER, started_on=PERSONAS_JOINED)
        people.append(person)
    return people


def publish(now: dt.datetime | None = None) -> list[Publication]:
    """Publish every week that is due at `now` (the frozen clock by default), as the beat task does."""
    return publish_due(now=now)


def closed_mondays(weeks: int) -> list[dt.date]:
    return [LAST_CLOSED_MONDAY - dt.timedelta(weeks=w) for w in range(weeks)][::-1]


def weekly_history(people: list[User], weeks: int, level: int = 1, practices=None, **extra) -> None:
    """Each person checks in on the Tuesday and Thursday of each closed week."""
    checkins = []
    for monday in closed_mondays(weeks):
        for offset in (1, 3):
            checkins.extend(build_checkin(p, monday + dt.timedelta(days=offset), level, **extra) for p in people)
    add_checkins(checkins, practices)


@pytest.fixture
def practice(db) -> Practice:
    # Made by a migration; a transactional test that ran earlier may have flushed it.
    practice, _created = Practice.objects.get_or_create(
        key="breathing", organisation=None, defaults={"name": "Slow breathing", "order": 10}
    )
    return practice


@pytest.fixture
def team_a_history(team_a, alice, bob, practice):
    """Team A: alice plus five others check in for eight closed weeks, and in the open week.

    Alice's check-ins carry marker free text and her unique ratings.
    """
    others = add_members(team_a, 5, "ateam")
    weekly_history(others, 8, level=1, practices=[practice])
    alice_checkins = []
    for monday in closed_mondays(8):
        alice_checkins.append(
            build_checkin(
                alice,
                monday + dt.timedelta(days=2),
                nourish=NOURISH_MARKER,
                private_note=NOTE_MARKER,
                **ALICE_RATINGS,
            )
        )
    alice_checkins.append(build_checkin(alice, OPEN_WEEK_DAY, nourish=NOURISH_MARKER, **ALICE_RATINGS))
    add_checkins(alice_checkins)
    add_checkins([build_checkin(p, OPEN_WEEK_DAY, 4) for p in others])
    return [alice, *others]


@pytest.fixture
def team_b_history(team_b, carol, dave):
    """Team B: carol plus five others, four closed weeks; carol's free text is a marker too."""
    others = add_members(team_b, 5, "bteam")
    weekly_history(others, 4, level=2)
    add_checkins(
        [
            build_checkin(carol, monday + dt.timedelta(days=1), 2, nourish="MARKER-CAROL-789")
            for monday in closed_mondays(4)
        ]
    )
    return [carol, *others]


def assert_no_individual_data(text: str) -> None:
    for marker in (
        NOURISH_MARKER,
        NOTE_MARKER,
        "MARKER-CAROL-789",
        "3.89",
        "alice@example.org",
        "Alice Member",
        "ateam0@",
        "Ateam Person",
        "2026-W12",
    ):
        assert marker not in text, marker
