import datetime as dt
from decimal import Decimal

from checkins import rollup
from checkins.models import DayMark, Practice
from supervision.anonymity import Period, organisation_unit, team_unit
from supervision.publishing import published_grid, shown_weeks

from .conftest import LAST_CLOSED_MONDAY, PERSONAS_JOINED, add_checkins, add_members, build_checkin, publish

WEEK = Period.week_of(LAST_CLOSED_MONDAY)


def grid_for(organisation, weeks=2):
    """Publish the due weeks, then read the stored cells as every page does."""
    publish()
    return published_grid(organisation, shown_weeks(organisation, weeks))


def test_means_shares_and_participation_are_computed_for_the_week(organisation, team_a, practice):
    people = add_members(team_a, 8, "p")
    tuesday = LAST_CLOSED_MONDAY + dt.timedelta(days=1)
    checkins = [build_checkin(p, tuesday, 1) for p in people[:4]]
    checkins += [build_checkin(p, tuesday, 3, exposure=True, workload=2) for p in people[4:6]]
    add_checkins(checkins, [practice])
    grid = grid_for(organisation)
    unit = team_unit(team_a.pk)
    assert grid.cell(unit, WEEK, "people").value == 6
    assert grid.cell(unit, WEEK, "participation").value == 75
    assert grid.cell(unit, WEEK, "sts_index").value == Decimal("1.7")
    assert grid.cell(unit, WEEK, "high_share").value == 33
    assert grid.cell(unit, WEEK, "exposure_days").value == Decimal("0.3")
    assert grid.cell(unit, WEEK, "top_practices").value == ("Slow breathing",)


def test_workload_is_hidden_when_fewer_than_k_people_answered_it(organisation, team_a):
    people = add_members(team_a, 6, "w")
    day = LAST_CLOSED_MONDAY + dt.timedelta(days=2)
    add_checkins([build_checkin(p, day, 1, workload=3 if i < 2 else None) for i, p in enumerate(people)])
    cell = grid_for(organisation).cell(team_unit(team_a.pk), WEEK, "workload")
    assert not cell.published
    assert cell.value is None


def test_the_median_days_since_time_off_counts_to_the_end_of_the_week(organisation, team_a):
    people = add_members(team_a, 5, "off")
    sunday = WEEK.end
    checkins = []
    for i, person in enumerate(people):
        checkins.append(build_checkin(person, sunday - dt.timedelta(days=40 + i), 0, day_off=True))
        checkins.append(build_checkin(person, WEEK.start, 1))
    add_checkins(checkins)
    cell = grid_for(organisation).cell(team_unit(team_a.pk), WEEK, "days_since_time_off")
    assert cell.value == 42


def test_days_off_noted_without_ratings_move_the_team_time_off_clock_but_never_rough_days(organisation, team_a):
    people = add_members(team_a, 5, "leave")
    sunday = WEEK.end
    checkins = []
    for i, person in enumerate(people):
        checkins.append(build_checkin(person, sunday - dt.timedelta(days=40 + i), 0, day_off=True))
        checkins.append(build_checkin(person, WEEK.start, 1))
        # A leave day noted with one tap, later than the check-in day off; a rough day is no time off,
        # and a day off after the week's end cannot count for it.
        DayMark.objects.create(user=person, local_date=sunday - dt.timedelta(days=10 + i), kind="day_off")
        DayMark.objects.create(user=person, local_date=sunday - dt.timedelta(days=1), kind="hard_day")
        DayMark.objects.create(user=person, local_date=sunday + dt.timedelta(days=1), kind="day_off")
    add_checkins(checkins)
    grid = grid_for(organisation)
    assert grid.cell(team_unit(team_a.pk), WEEK, "days_since_time_off").value == 12
    # Rough days never reach the means: the index is the check-ins' alone.
    assert grid.cell(team_unit(team_a.pk), WEEK, "sts_index").value == Decimal("1.0")


def test_a_practice_used_by_fewer_than_k_people_is_not_named(organisation, team_a, practice):
    rare = Practice.objects.get(key="humour", organisation=None)
    people = add_members(team_a, 6, "r")
    created = add_checkins([build_checkin(p, WEEK.start, 1) for p in people], [practice])
    created[0].practices.add(rare)
    rollup.rebuild(type(people[0]).objects.filter(pk=people[0].pk))
    assert grid_for(organisation).cell(team_unit(team_a.pk), WEEK, "top_practices").value == ("Slow breathing",)


def test_the_organisation_total_counts_a_person_in_two_teams_once(organisation, team_a, team_b):
    people = add_members(team_a, 6, "both")
    for person in people:
        person.memberships.create(team=team_b, role="member", started_on=PERSONAS_JOINED)
    add_checkins([build_checkin(p, WEEK.start, 2) for p in people])
    grid = grid_for(organisation)
    assert grid.cell(organisation_unit(organisation.pk), WEEK, "people").value == 6
    assert grid.members[organisation_unit(organisation.pk)] == 6
    assert grid.members_in(team_unit(team_b.pk), WEEK) == 6


def test_supervisors_own_check_ins_do_not_count_towards_their_team(organisation, team_a, bob):
    people = add_members(team_a, 4, "s")
    add_checkins([build_checkin(p, WEEK.start, 1) for p in [*people, bob]])
    assert not grid_for(organisation).cell(team_unit(team_a.pk), WEEK, "people").published


def test_the_two_optional_questions_are_hidden_until_k_people_answered_each(organisation, team_a):
    k = organisation.anonymity_k
    people = add_members(team_a, k + 2, "md")
    day = LAST_CLOSED_MONDAY + dt.timedelta(days=2)
    add_checkins(
        [
            build_checkin(
                person,
                day,
                1,
                moral_distress=3 if i < k - 1 else None,  # one person short of k
                made_difference=(2 if i % 2 else 4) if i < k else None,  # exactly k
            )
            for i, person in enumerate(people)
        ]
    )
    grid = grid_for(organisation)
    unit = team_unit(team_a.pk)
    hidden = grid.cell(unit, WEEK, "moral_distress")
    assert not hidden.published and hidden.value is None
    shown = grid.cell(unit, WEEK, "made_difference")
    assert shown.published
    answers = [2 if i % 2 else 4 for i in range(k)]
    assert shown.value == Decimal(sum(answers) / k).quantize(Decimal("0.1"))
    # Neither question moves the average of the nine signs (all rated 1).
    assert grid.cell(unit, WEEK, "sts_index").value == Decimal("1.0")


def test_the_optional_questions_are_published_for_the_organisation_with_the_same_rules(organisation, team_a):
    k = organisation.anonymity_k
    people = add_members(team_a, k, "cs")
    day = LAST_CLOSED_MONDAY + dt.timedelta(days=1)
    add_checkins([build_checkin(person, day, 2, moral_distress=4, made_difference=0) for person in people])
    grid = grid_for(organisation)
    for unit in (team_unit(team_a.pk), organisation_unit(organisation.pk)):
        assert grid.cell(unit, WEEK, "moral_distress").value == Decimal("4.0")
        assert grid.cell(unit, WEEK, "made_difference").value == Decimal("0.0")
