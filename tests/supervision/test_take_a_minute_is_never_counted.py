"""Take a minute is private: practices noted and moments written there never reach a team figure."""

from __future__ import annotations

import datetime as dt

import time_machine

from checkins.actions import do_note_practice, do_record_moment
from checkins.models import CheckInRollup, Practice, PracticeRollup
from supervision.anonymity import Period, team_unit
from supervision.publishing import published_grid, shown_weeks

from .conftest import LAST_CLOSED_MONDAY, add_checkins, add_members, build_checkin, publish
from .reading import team_export

WEEK = Period.week_of(LAST_CLOSED_MONDAY)
MOMENT = "MARKER-MINUTE-MOMENT-9e4c"


def test_minute_use_changes_no_rollup_and_no_published_cell(organisation, team_a, bob, practice, client):
    grounding, _ = Practice.objects.get_or_create(key="grounding", organisation=None, defaults={"name": "Grounding"})
    checkers = add_members(team_a, 6, "c")
    quiet = add_members(team_a, 2, "q")  # never check in, only take a minute
    tuesday = LAST_CLOSED_MONDAY + dt.timedelta(days=1)
    add_checkins([build_checkin(p, tuesday, 1) for p in checkers], [practice])
    rollups_before = (list(CheckInRollup.objects.values()), list(PracticeRollup.objects.values()))

    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        for person in checkers + quiet:
            do_note_practice(person, grounding)
            do_record_moment(person, MOMENT)

    assert (list(CheckInRollup.objects.values()), list(PracticeRollup.objects.values())) == rollups_before
    publish()
    grid = published_grid(organisation, shown_weeks(organisation, 2))
    unit = team_unit(team_a.pk)
    assert grid.cell(unit, WEEK, "people").value == 6
    assert grid.cell(unit, WEEK, "participation").value == 75  # 6 of 8: taking a minute is not checking in
    assert grid.cell(unit, WEEK, "top_practices").value == ("Slow breathing",)

    client.force_login(bob)
    export = team_export(client, team_a)
    assert "Grounding" not in export
    assert MOMENT not in export
