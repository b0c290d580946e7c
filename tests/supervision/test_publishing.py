"""Publication: each organisation's week is published once, when nobody anywhere can change it any more.

A week (Monday to Sunday) can be filled in late for two more days (`LATE_WINDOW_DAYS`), so it
is due from the Wednesday after it, at midnight, in the organisation's time zone and in every
one of its people's: whichever midnight comes last.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Membership, Organisation, Team, User
from checkins.actions import LATE_WINDOW_DAYS
from supervision import publishing
from supervision.models import Publication, PublishedUnit
from supervision.publishing import latest_due_week, publish_due, publish_week, week_closes_at

from ..races import race
from .conftest import NOW, add_checkins, build_checkin

UTC = dt.UTC
JOINED = dt.date(2026, 2, 2)


def make_organisation(name: str, zone: str, people_zones: tuple[str, ...] = (), members: int = 5, k: int = 5):
    """An organisation with one team of `members` people in `zone` (plus one person per `people_zones`)."""
    organisation = Organisation.objects.create(name=name, time_zone=zone, anonymity_k=k)
    team = Team.objects.create(organisation=organisation, name=f"{name} team")
    zones = [zone] * members + list(people_zones)
    people = []
    for i, person_zone in enumerate(zones):
        person = User.objects.create_user(
            f"{name.lower().replace(' ', '')}{i}@example.org", organisation=organisation, time_zone=person_zone
        )
        Membership.objects.create(user=person, team=team, started_on=JOINED)
        people.append(person)
    return organisation, team, people


def published_weeks(organisation) -> list[dt.date]:
    return list(Publication.objects.filter(organisation=organisation).order_by("week").values_list("week", flat=True))


def test_the_edit_window_is_two_days():
    # Everything below counts on it: a week is due from the Wednesday after it.
    assert LATE_WINDOW_DAYS == 2
    assert week_closes_at(dt.date(2026, 3, 9), ["UTC"]) == dt.datetime(2026, 3, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "monday", "closes_utc"),
    [
        # London springs forward on Sunday 29 March: the week of 23 March closes at midnight BST.
        ("Europe/London", dt.date(2026, 3, 16), dt.datetime(2026, 3, 25, 0, 0, tzinfo=UTC)),
        ("Europe/London", dt.date(2026, 3, 23), dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)),
        # New York falls back on Sunday 1 November: the week of 26 October closes at midnight EST.
        ("America/New_York", dt.date(2026, 10, 19), dt.datetime(2026, 10, 28, 4, 0, tzinfo=UTC)),
        ("America/New_York", dt.date(2026, 10, 26), dt.datetime(2026, 11, 4, 5, 0, tzinfo=UTC)),
    ],
)
def test_a_week_is_due_at_midnight_in_the_organisations_time_zone_across_a_clock_change(db, zone, monday, closes_utc):
    organisation, _team, _people = make_organisation("Dst", zone)
    just_before = closes_utc - dt.timedelta(seconds=1)
    assert latest_due_week(organisation, now=just_before) == monday - dt.timedelta(weeks=1)
    assert latest_due_week(organisation, now=closes_utc) == monday
    with time_machine.travel(just_before, tick=False):
        publish_due(organisations=[organisation])
    assert monday not in published_weeks(organisation)
    with time_machine.travel(closes_utc, tick=False):
        published = publish_due(organisations=[organisation])
    assert [p.week for p in published] == [monday]


def test_every_beat_tick_over_a_clock_change_publishes_each_week_exactly_once_on_time(db):
    organisation, _team, _people = make_organisation("Ticks", "Europe/London")
    with time_machine.travel(NOW, tick=False):
        publish_due(organisations=[organisation])
    first_published: dict[dt.date, dt.datetime] = {}
    tick = dt.datetime(2026, 3, 24, 20, 0, tzinfo=UTC)
    with time_machine.travel(tick, tick=False) as traveller:
        while tick <= dt.datetime(2026, 4, 1, 2, 0, tzinfo=UTC):
            traveller.move_to(tick)
            for publication in publish_due(organisations=[organisation]):
                assert publication.week not in first_published, "published twice"
                first_published[publication.week] = tick
            tick += dt.timedelta(minutes=15)
    assert first_published == {
        dt.date(2026, 3, 16): dt.datetime(2026, 3, 25, 0, 0, tzinfo=UTC),  # GMT
        dt.date(2026, 3, 23): dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC),  # BST, after the change
    }
    weeks = published_weeks(organisation)
    assert len(weeks) == len(set(weeks))


def test_a_week_waits_for_midnight_where_the_last_member_lives(db):
    # One person works from Los Angeles (UTC-7 in March): Sunday 15 March can be filled in
    # there until Tuesday 23:59 Pacific time, 06:59 UTC on Wednesday.
    organisation, _team, _people = make_organisation("Wide", "Europe/London", ("America/Los_Angeles",))
    london_midnight = dt.datetime(2026, 3, 18, 0, 0, tzinfo=UTC)
    los_angeles_midnight = dt.datetime(2026, 3, 18, 7, 0, tzinfo=UTC)
    assert latest_due_week(organisation, now=london_midnight) == dt.date(2026, 3, 2)
    assert latest_due_week(organisation, now=los_angeles_midnight - dt.timedelta(seconds=1)) == dt.date(2026, 3, 2)
    assert latest_due_week(organisation, now=los_angeles_midnight) == dt.date(2026, 3, 9)
    publish_due(now=los_angeles_midnight - dt.timedelta(seconds=1), organisations=[organisation])
    assert dt.date(2026, 3, 9) not in published_weeks(organisation)
    assert [p.week for p in publish_due(now=los_angeles_midnight, organisations=[organisation])] == [
        dt.date(2026, 3, 9)
    ]


def test_a_member_further_east_does_not_bring_publication_earlier(db):
    # Kiritimati (UTC+14) reaches Wednesday first; the organisation's own midnight still decides.
    organisation, _team, _people = make_organisation("East", "Europe/London", ("Pacific/Kiritimati",))
    assert latest_due_week(organisation, now=dt.datetime(2026, 3, 17, 23, 59, tzinfo=UTC)) == dt.date(2026, 3, 2)
    assert latest_due_week(organisation, now=dt.datetime(2026, 3, 18, 0, 0, tzinfo=UTC)) == dt.date(2026, 3, 9)


def test_a_late_check_in_is_still_possible_when_the_week_is_not_yet_published(db):
    # The last instant anyone may still write into week 11 is before its publication.
    organisation, _team, people = make_organisation("Late", "Europe/London", ("America/Los_Angeles",))
    los_angeles = people[-1]
    last_moment = dt.datetime(2026, 3, 18, 6, 59, 59, tzinfo=UTC)
    assert los_angeles.local_today(last_moment) - dt.date(2026, 3, 15) == dt.timedelta(days=LATE_WINDOW_DAYS)
    assert dt.date(2026, 3, 9) not in [p.week for p in publish_due(now=last_moment, organisations=[organisation])]


def test_publishing_twice_publishes_nothing_new(db):
    organisation, _team, people = make_organisation("Twice", "Europe/London")
    add_checkins([build_checkin(p, dt.date(2026, 3, 10), 2) for p in people])
    first = publish_due()
    assert first and [p.week for p in first] == sorted(p.week for p in first)
    rows = list(PublishedUnit.objects.order_by("pk").values())
    assert publish_due() == []
    assert publish_week(organisation, dt.date(2026, 3, 9)) is None
    assert list(PublishedUnit.objects.order_by("pk").values()) == rows
    assert published_weeks(organisation) == [p.week for p in first]


def test_the_command_publishes_the_due_weeks_once(db, capsys):
    organisation, _team, _people = make_organisation("Command", "Europe/London")
    call_command("publish_weeks", organisation=organisation.pk)
    assert "Weeks published: 6 (2026-02-02 to 2026-03-09)" in capsys.readouterr().out
    call_command("publish_weeks")
    assert "Weeks published: 0" in capsys.readouterr().out


def test_the_first_week_published_is_the_first_whole_week_of_a_membership(db):
    organisation = Organisation.objects.create(name="Midweek", time_zone="Europe/London")
    team = Team.objects.create(organisation=organisation, name="Midweek team")
    person = User.objects.create_user("midweek@example.org", organisation=organisation)
    Membership.objects.create(user=person, team=team, started_on=dt.date(2026, 2, 18))  # a Wednesday
    assert published_weeks(organisation) == []
    publish_due()
    assert published_weeks(organisation)[0] == dt.date(2026, 2, 23)


def test_after_a_beat_outage_every_missed_week_is_published_in_order(db):
    organisation, _team, _people = make_organisation("Outage", "Europe/London")
    publish_due()
    assert published_weeks(organisation)[-1] == dt.date(2026, 3, 9)
    # A lower k was scheduled for the week of 6 April, in the middle of the outage.
    Organisation.objects.filter(pk=organisation.pk).update(lowered_k=3, lowered_k_from=dt.date(2026, 4, 6))
    # The beat is down for five weeks, then comes back on Wednesday 22 April.
    with time_machine.travel(dt.datetime(2026, 4, 22, 12, 0, tzinfo=UTC), tick=False):
        caught_up = publish_due()
    missed = [dt.date(2026, 3, 16) + dt.timedelta(weeks=w) for w in range(5)]
    assert [p.week for p in caught_up] == missed
    assert [p.pk for p in caught_up] == sorted(p.pk for p in caught_up)
    assert [p.k for p in caught_up] == [5, 5, 5, 3, 3]
    organisation.refresh_from_db()
    assert (organisation.anonymity_k, organisation.lowered_k, organisation.lowered_k_from) == (3, None, None)
    weeks = published_weeks(organisation)
    assert weeks == sorted(set(weeks))
    assert all(b - a == dt.timedelta(weeks=1) for a, b in itertools.pairwise(weeks))


def test_the_publish_task_publishes_the_due_weeks(db):
    from supervision.tasks import publish_due_weeks

    _organisation, _team, _people = make_organisation("Task", "Europe/London")
    result = publish_due_weeks.apply().get()
    assert result["published"] == 6
    assert publish_due_weeks.apply().get()["published"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_publishing_at_once_publish_each_week_once(require_postgres):
    organisation, _team, people = make_organisation("Race", "Europe/London", members=6)
    add_checkins([build_checkin(p, dt.date(2026, 3, 10), 2) for p in people])
    results = race(*[lambda: publish_due(now=NOW)] * 2)
    weeks = [p.week for result in results for p in result]
    assert sorted(weeks) == published_weeks(organisation)
    assert len(weeks) == len(set(weeks)) == 6
    # Each week stores its two units (the team and the organisation) once.
    assert PublishedUnit.objects.filter(week=dt.date(2026, 3, 9)).count() == 2
    assert PublishedUnit.objects.count() == 6 * 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_publishing_the_same_week_publish_it_once(require_postgres):
    organisation, _team, people = make_organisation("Same", "Europe/London", members=6)
    add_checkins([build_checkin(p, dt.date(2026, 3, 10), 2) for p in people])
    results = race(*[lambda: publish_week(organisation, dt.date(2026, 3, 9))] * 4)
    assert sum(result is not None for result in results) == 1
    assert Publication.objects.filter(week=dt.date(2026, 3, 9)).count() == 1
    assert PublishedUnit.objects.filter(week=dt.date(2026, 3, 9)).count() == 2
    published = PublishedUnit.objects.get(week=dt.date(2026, 3, 9), kind="team")
    assert published.values["people"] == 6


def test_publishing_reads_only_its_own_organisation(db):
    riverside, _team, _people = make_organisation("Own", "Europe/London")
    elsewhere, _other_team, _others = make_organisation("Other", "Pacific/Auckland")
    publish_due(organisations=[riverside])
    assert published_weeks(elsewhere) == []
    assert publishing.due_weeks(riverside) == []
