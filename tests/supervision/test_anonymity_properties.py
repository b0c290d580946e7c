"""Property tests of the suppression rules, on random organisations, memberships,
check-in sets and thresholds. No database: `decide` is pure."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from itertools import combinations, pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.anonymity import Period, Unit, decide

MONDAY = dt.date(2026, 1, 5)
ORG = Unit("organisation", 0)


@st.composite
def organisations(draw):
    k = draw(st.integers(min_value=1, max_value=7))  # below 3 must still behave as 3
    people = list(range(draw(st.integers(min_value=0, max_value=24))))
    team_count = draw(st.integers(min_value=1, max_value=4))
    teams = [Unit("team", i + 1) for i in range(team_count)]
    membership = {
        person: draw(st.sets(st.sampled_from(teams), min_size=1, max_size=min(2, team_count))) for person in people
    }
    unions = []
    if team_count >= 3:
        unions.append((Unit("group", 99), set(draw(st.sets(st.sampled_from(teams), min_size=2, max_size=2)))))
    weeks = [Period.week_of(MONDAY + dt.timedelta(weeks=w)) for w in range(draw(st.integers(1, 4)))]
    contributors = {}
    for week in weeks:
        checked_in = draw(st.sets(st.sampled_from(people), max_size=len(people))) if people else set()
        sets = {team: {p for p in checked_in if team in membership[p]} for team in teams}
        sets[ORG] = set(checked_in)
        for group, group_teams in unions:
            sets[group] = {p for p in checked_in if membership[p] & group_teams}
        contributors[week] = sets
    return k, teams, contributors


def effective(k: int) -> int:
    return max(k, 3)


def published_sets(contributors, decisions, week):
    return {unit: frozenset(people) for unit, people in contributors[week].items() if decisions[(unit, week)] is None}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_published_cell_rests_on_fewer_than_k_people(case):
    k, _teams, contributors = case
    decisions = decide(contributors, k)
    for week in contributors:
        for unit, people in published_sets(contributors, decisions, week).items():
            assert len(people) >= effective(k), (unit, week)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_difference_between_a_group_and_teams_inside_it_rests_on_fewer_than_k_people(case):
    k, _teams, contributors = case
    decisions = decide(contributors, k)
    for week in contributors:
        published = published_sets(contributors, decisions, week)
        groups = [unit for unit in published if not unit.is_team]
        shown_teams = [unit for unit in published if unit.is_team]
        for group in groups:
            inside = [team for team in shown_teams if published[team] <= published[group]]
            for size in range(1, len(inside) + 1):
                for chosen in combinations(inside, size):
                    rest = published[group] - frozenset().union(*(published[t] for t in chosen))
                    assert len(rest) == 0 or len(rest) >= effective(k), (group, chosen, week)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_change_from_one_week_to_the_next_rests_on_fewer_than_k_people(case):
    k, _teams, contributors = case
    decisions = decide(contributors, k)
    weeks = sorted(contributors)
    for before, after in pairwise(weeks):
        for unit in contributors[after]:
            if decisions[(unit, before)] is None and decisions[(unit, after)] is None:
                changed = set(contributors[before][unit]) ^ set(contributors[after][unit])
                assert len(changed) == 0 or len(changed) >= effective(k), (unit, before, after)


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_a_differencing_attack_on_all_published_values_recovers_nobodys_rating(case):
    """The attacker knows each published group's members and its exact total (mean × count) and
    combines them linearly: one person's rating is recoverable exactly when their unit vector lies
    in the span of the published groups' vectors."""
    k, _teams, contributors = case
    decisions = decide(contributors, k)
    for week in contributors:
        published = published_sets(contributors, decisions, week)
        people = sorted(frozenset().union(*published.values())) if published else []
        if not people:
            continue
        rows = [[Fraction(int(p in members)) for p in people] for members in published.values()]
        base = _rank(rows)
        for index in range(len(people)):
            unit_vector = [Fraction(int(i == index)) for i in range(len(people))]
            assert _rank([*rows, unit_vector]) > base, (week, people[index])
