"""The change rule compares a week with the week before as that week was published.

Publishing a week hides a unit's cells when fewer than k people differ from the week before
(`anonymity.decide`). The week before is taken as it was published (its kept digests), so
nothing that changed it since (an erasure, a team added to a group) makes the comparison
miss a change that the published figures show.
"""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.models import Team, TeamGroup
from checkins.actions import do_erase_account
from supervision.models import PublishedUnit

from .conftest import OPEN_WEEK_DAY, add_checkins, add_members, build_checkin, publish, weekly_history

W11, W12 = dt.date(2026, 3, 9), dt.date(2026, 3, 16)
W12_DUE = dt.datetime(2026, 3, 25, 12, 0, tzinfo=dt.UTC)


def people_shown(week: dt.date, kind: str, label: str) -> int | None:
    row = PublishedUnit.objects.get(week=week, kind=kind, label=label)
    return row.values.get("people")


def history(people) -> None:
    weekly_history(people, 3, level=1)
    add_checkins([build_checkin(person, OPEN_WEEK_DAY, 1) for person in people])


def test_an_erasure_between_two_publications_does_not_let_a_one_person_change_through(organisation):
    team = Team.objects.create(organisation=organisation, name="Six")
    people = add_members(team, 6, "six")
    history(people)
    publish()
    assert people_shown(W11, "team", "Six") == 6
    do_erase_account(people[0])
    with time_machine.travel(W12_DUE, tick=False):
        publish()
    # Had the person simply stopped checking in, the week would be hidden by the change rule.
    assert people_shown(W12, "team", "Six") is None


def test_adding_a_small_team_to_a_group_does_not_publish_the_group_grown_by_that_team(organisation):
    teams = [Team.objects.create(organisation=organisation, name=name) for name in ("T1", "T2", "T3")]
    for team, size in zip(teams, (6, 6, 2), strict=True):
        history(add_members(team, size, team.name.lower()))
    group = TeamGroup.objects.create(organisation=organisation, name="G")
    group.teams.set(teams[:2])
    publish()
    assert people_shown(W11, "group", "G") == 12
    group.teams.add(teams[2])
    with time_machine.travel(W12_DUE, tick=False):
        publish()
    # 14 next to last week's 12 would be the two people of T3, whose own figures are hidden.
    assert people_shown(W12, "group", "G") in (None, 12)


def test_only_the_newest_week_keeps_who_counted_and_never_as_plain_ids(organisation):
    team = Team.objects.create(organisation=organisation, name="Six")
    people = add_members(team, 6, "six")
    history(people)
    publish()
    with time_machine.travel(W12_DUE, tick=False):
        publish()
    older = PublishedUnit.objects.filter(publication__organisation=organisation, week__lt=W12)
    assert older.exists() and not older.exclude(contributor_digests={}).exists()
    newest = PublishedUnit.objects.get(week=W12, kind="team", label="Six")
    kept = newest.contributor_digests["checked_in"]
    assert len(kept) == 6
    plain = {str(person.pk) for person in people} | {person.email for person in people}
    assert not plain & set(kept)
