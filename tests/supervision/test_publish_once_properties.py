"""Publish once, as a property: nothing done after a week is published changes what is shown for it.

For random small organisations (teams, a group of teams, dated memberships, people in two
time zones, random check-in histories and k), the weeks due are published; then random
actions are applied, time moves on a week or two and the new due weeks are published; and
again. Every cell published for a past week must read the same before and after, wherever it
is shown: the stored rows, every team dashboard (its own table and its groups' tables), every
team CSV export and the organisation CSV export. A unit that appears later (a new team or
group) must show nothing for the weeks published before it existed.

The actions are what an organisation admin or staff can do between publications: move a
member to another team (the old membership ends today, a new one starts today), create a
team, put a team in a group or create a group, raise k, schedule a lower k (it waits for a
week that closes at least 14 days later), check in during the open week, correct a check-in
of a published week directly in the database (what a late edit would be, if one were
possible), erase one's check-ins, delete one's account, and retention.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, Organisation, Team, TeamGroup, User
from checkins import rollup
from checkins.actions import do_apply_retention, do_erase_account, do_erase_checkins
from checkins.models import CheckIn
from supervision.anonymity import Period
from supervision.dashboard import FAMILIES
from supervision.models import Publication, PublishedUnit
from supervision.publishing import publish_due
from tests.conftest import TwoStepClient

from .conftest import NOW, add_checkins, build_checkin, ratings
from .reading import csv_cells, dashboard_tables, organisation_export, team_dashboard, team_export

# The history: seven weeks, 26 January to 15 March 2026 (2026-W05 to W11).
FIRST_MONDAY = dt.date(2026, 1, 26)
HISTORY_WEEKS = 7
ZONES = ("Europe/London", "Europe/London", "America/New_York")
NOTICE_DAYS = 14

person_index = st.integers(min_value=0, max_value=11)
team_index = st.integers(min_value=0, max_value=7)
ACTIONS = st.one_of(
    st.tuples(st.just("move"), person_index, team_index),
    st.tuples(st.just("new_team"), st.lists(person_index, min_size=1, max_size=4, unique=True)),
    st.tuples(st.just("group"), team_index, st.booleans()),
    st.tuples(st.just("raise_k")),
    st.tuples(st.just("lower_k"), st.integers(min_value=1, max_value=2)),
    st.tuples(st.just("check_in"), st.lists(person_index, min_size=1, max_size=12, unique=True), st.integers(0, 4)),
    st.tuples(st.just("late_edit"), person_index, st.integers(0, HISTORY_WEEKS - 1), st.integers(0, 4)),
    st.tuples(st.just("erase_checkins"), person_index),
    st.tuples(st.just("erase_account"), person_index),
    st.tuples(st.just("retention")),
)


@st.composite
def organisations(draw):
    k = draw(st.integers(min_value=3, max_value=5))
    team_count = draw(st.integers(min_value=2, max_value=4))
    people = []
    # Mostly organisations large enough for some cells to be shown, so that there is something to re-cut.
    for _ in range(draw(st.integers(min_value=8, max_value=12) | st.integers(min_value=3, max_value=12))):
        team = draw(st.integers(0, team_count - 1))
        people.append(
            {
                "team": team,
                # Most joined before the history; some during it, on any weekday.
                "joined": draw(st.sampled_from([-7, -7, -7, 0, 3, 9, 16])),
                "second_team": draw(st.none() | st.integers(0, team_count - 1)),
                "left": draw(st.none() | st.none() | st.integers(20, 45)),
                "zone": draw(st.sampled_from(ZONES)),
                # Per week: no check-in, or (weekday, level, exposure); most people check in most weeks.
                "weeks": [
                    draw(st.none() | st.tuples(st.integers(0, 6), st.integers(0, 4), st.booleans()))
                    if draw(st.integers(0, 3)) == 0
                    else draw(st.tuples(st.integers(0, 6), st.integers(0, 4), st.booleans()))
                    for _week in range(HISTORY_WEEKS)
                ],
            }
        )
    group = draw(st.sets(st.integers(0, team_count - 1), min_size=2, max_size=team_count))
    rounds = draw(
        st.lists(
            st.tuples(st.lists(ACTIONS, min_size=1, max_size=4), st.integers(min_value=1, max_value=2)),
            min_size=1,
            max_size=2,
        )
    )
    return {"k": k, "teams": team_count, "people": people, "group": sorted(group), "rounds": rounds}


class World:
    """One organisation built from a drawn scenario, its viewers, and the actions applied to it."""

    def __init__(self, scenario: dict) -> None:
        self.organisation = Organisation.objects.create(
            name="Property", time_zone="Europe/London", anonymity_k=scenario["k"]
        )
        self.admin = User.objects.create_user(
            "admin@example.org", organisation=self.organisation, is_org_admin=True, time_zone="Europe/London"
        )
        self.teams: list[Team] = []
        self.supervisors: dict[int, User] = {}
        for _ in range(scenario["teams"]):
            self.new_team()
        self.group = TeamGroup.objects.create(organisation=self.organisation, name="Group 0")
        self.group.teams.set([self.teams[i] for i in scenario["group"]])
        self.groups = [self.group]
        self.people: list[User | None] = []
        checkins = []
        for index, plan in enumerate(scenario["people"]):
            person = User.objects.create_user(
                f"person{index}@example.org", organisation=self.organisation, time_zone=plan["zone"]
            )
            self.people.append(person)
            joined = FIRST_MONDAY + dt.timedelta(days=plan["joined"])
            left = FIRST_MONDAY + dt.timedelta(days=plan["left"]) if plan["left"] is not None else None
            Membership.objects.create(user=person, team=self.teams[plan["team"]], started_on=joined, ended_on=left)
            second = plan["second_team"]
            if second is not None and second != plan["team"]:
                Membership.objects.create(user=person, team=self.teams[second], started_on=FIRST_MONDAY)
            for week, day in enumerate(plan["weeks"]):
                if day is not None:
                    weekday, level, exposure = day
                    local_date = FIRST_MONDAY + dt.timedelta(weeks=week, days=weekday)
                    checkins.append(build_checkin(person, local_date, level, exposure=exposure))
        if checkins:
            add_checkins(checkins)

    # --- viewers ---------------------------------------------------------------------------

    def new_team(self, members: list[User] = ()) -> Team:
        team = Team.objects.create(organisation=self.organisation, name=f"Team {len(self.teams)}")
        supervisor = User.objects.create_user(
            f"supervisor{len(self.teams)}@example.org", organisation=self.organisation, time_zone="Europe/London"
        )
        Membership.objects.create(user=supervisor, team=team, role=Membership.Role.SUPERVISOR)
        for person in members:
            Membership.objects.create(user=person, team=team)
        self.teams.append(team)
        self.supervisors[team.pk] = supervisor
        return team

    def today(self) -> dt.date:
        return self.organisation.today()

    def person(self, index: int) -> User | None:
        return self.people[index % len(self.people)]

    # --- actions ---------------------------------------------------------------------------

    def apply(self, action: tuple) -> None:
        getattr(self, f"do_{action[0]}")(*action[1:])

    def do_move(self, index: int, to: int) -> None:
        person = self.person(index)
        if person is None:
            return
        current = Membership.objects.current().filter(user=person, role=Membership.Role.MEMBER).first()
        target = self.teams[to % len(self.teams)]
        if current is None or current.team_id == target.pk:
            return
        if Membership.objects.current().filter(user=person, team=target).exists():
            return
        today = self.today()
        current.ended_on = max(today, current.started_on)
        current.save(update_fields=["ended_on"])
        Membership.objects.create(user=person, team=target, started_on=today)

    def do_new_team(self, indexes: list[int]) -> None:
        members = {self.person(i) for i in indexes} - {None}
        self.new_team(sorted(members, key=lambda person: person.pk))

    def do_group(self, index: int, new_group: bool) -> None:
        team = self.teams[index % len(self.teams)]
        if new_group:
            group = TeamGroup.objects.create(organisation=self.organisation, name=f"Group {len(self.groups)}")
            other = self.teams[(index + 1) % len(self.teams)]
            group.teams.set([team, other])
            self.groups.append(group)
        else:
            self.group.teams.add(team)

    def do_raise_k(self) -> None:
        self.organisation.refresh_from_db()
        self.organisation.anonymity_k = min(self.organisation.anonymity_k + 1, 7)
        self.organisation.save(update_fields=["anonymity_k"])

    def do_lower_k(self, by: int) -> None:
        self.organisation.refresh_from_db()
        lower = max(self.organisation.anonymity_k - by, 3)
        if lower >= self.organisation.anonymity_k:
            return
        # From the Monday of the first week whose Sunday is at least 14 days away.
        sunday = self.today() + dt.timedelta(days=NOTICE_DAYS)
        sunday += dt.timedelta(days=(6 - sunday.weekday()) % 7)
        self.organisation.lowered_k = lower
        self.organisation.lowered_k_from = sunday - dt.timedelta(days=6)
        self.organisation.save(update_fields=["lowered_k", "lowered_k_from"])

    def do_check_in(self, indexes: list[int], level: int) -> None:
        checkins = []
        for person in {self.person(i) for i in indexes} - {None}:
            day = person.local_today()
            if not CheckIn.objects.filter(user=person, local_date=day).exists():
                checkins.append(build_checkin(person, day, level, exposure=level > 2))
        if checkins:
            add_checkins(checkins)

    def do_late_edit(self, index: int, week: int, level: int) -> None:
        person = self.person(index)
        if person is None:
            return
        monday = FIRST_MONDAY + dt.timedelta(weeks=week)
        for checkin in CheckIn.objects.filter(user=person, local_date__range=(monday, monday + dt.timedelta(days=6))):
            for name, value in ratings(level).items():
                setattr(checkin, name, value)
            checkin.exposure = not checkin.exposure
            checkin.refresh_scores()
            checkin.save()
            rollup.refresh_week(person.pk, checkin.local_date)

    def do_erase_checkins(self, index: int) -> None:
        person = self.person(index)
        if person is not None:
            do_erase_checkins(person)

    def do_erase_account(self, index: int) -> None:
        person = self.person(index)
        if person is not None:
            do_erase_account(person)
            self.people[self.people.index(person)] = None

    def do_retention(self) -> None:
        Organisation.objects.filter(pk=self.organisation.pk).update(retention_days=30)
        do_apply_retention(dt.datetime.now(dt.UTC).date())

    # --- what is shown ---------------------------------------------------------------------

    def snapshot(self) -> dict:
        weeks = set(Publication.objects.filter(organisation=self.organisation).values_list("week", flat=True))
        stored = {
            (row.week, row.kind, row.unit_id): (row.label, row.members, row.values, row.hidden, row.publication.k)
            for row in PublishedUnit.objects.filter(publication__organisation=self.organisation).select_related(
                "publication"
            )
        }
        dashboards: dict = {}
        team_csv: dict = {}
        for team in self.teams:
            client = TwoStepClient()
            client.force_login(self.supervisors[team.pk])
            merge(dashboards, dashboard_tables(team_dashboard(client, team)), team.name)
            merge(team_csv, csv_cells(team_export(client, team)), team.name)
        client = TwoStepClient()
        client.force_login(self.admin)
        return {
            "weeks": {monday.isoformat() for monday in weeks},
            "labels": {week_label(monday) for monday in weeks},
            "stored": stored,
            "dashboards": dashboards,
            "team_csv": team_csv,
            "organisation_csv": csv_cells(organisation_export(client)),
        }


def week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def merge(into: dict, cells: dict, viewer: str) -> None:
    """Cells of a unit seen by several supervisors (a group) must read the same for each of them."""
    for key, value in cells.items():
        assert into.setdefault(key, value) == value, (viewer, key)


def expected_dashboard_row(snapshot: dict, unit: str, label: str) -> tuple[str, ...]:
    """What a dashboard must show for a unit and week, from the organisation export of `snapshot`."""
    kind, unit_id = unit.split("-")
    monday = Period.from_label(label).start
    stored = snapshot["stored"].get((monday, kind, int(unit_id)))
    keys = [key for family in FAMILIES for key in family.keys]
    if stored is None:
        return tuple("[hidden] not published" for _key in keys)
    cells = []
    for key in keys:
        _start, _end, value, status = snapshot["organisation_csv"][(stored[0], label, key)]
        if status == "not published":
            cells.append("[hidden] not published")
        elif status != "published":
            cells.append("[hidden] hidden")
        elif key == "people":
            cells.append(value.replace("/", " of "))
        else:
            cells.append(value)
    return tuple(cells)


def assert_past_unchanged(before: dict, after: dict) -> None:
    weeks, labels = before["weeks"], before["labels"]
    assert weeks <= after["weeks"]
    # The stored cells of every published week, exactly, and no unit added to a published week.
    for key, value in before["stored"].items():
        assert after["stored"][key] == value, key
    for week, kind, unit_id in after["stored"]:
        if week.isoformat() in weeks:
            assert (week, kind, unit_id) in before["stored"], "a unit was added to a published week"
    # Both exports: every row of a published week reads as it did; a row seen only now (a
    # team that joined a group sees the group) reads as the organisation export did, and a
    # unit that did not exist then shows nothing.
    for name in ("team_csv", "organisation_csv"):
        for key, row in before[name].items():
            if key[1] in labels:
                assert after[name][key] == row, (name, key)
        for key, row in after[name].items():
            if key[1] in labels and key not in before[name]:
                earlier = before["organisation_csv"].get(key)
                assert row == earlier if earlier else row[3] == "not published", (name, key, row)
    # Every dashboard table row of a published week shows what was published for it.
    for (unit, label), row in after["dashboards"].items():
        if label in labels:
            assert row == before["dashboards"].get((unit, label), row), (unit, label)
            assert row == expected_dashboard_row(before, unit, label), (unit, label)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=organisations())
def test_no_action_after_publication_changes_a_published_week_anywhere_it_is_shown(db, scenario):
    with transaction.atomic():
        world = World(scenario)
        publish_due()
        first = previous = world.snapshot()
        assert "2026-W11" in first["labels"]
        now = NOW
        with time_machine.travel(now, tick=False) as traveller:
            for actions, weeks_later in scenario["rounds"]:
                for action in actions:
                    world.apply(action)
                now += dt.timedelta(weeks=weeks_later)
                traveller.move_to(now)
                publish_due()
                after = world.snapshot()
                assert_past_unchanged(first, after)
                assert_past_unchanged(previous, after)
                previous = after
        transaction.set_rollback(True)
