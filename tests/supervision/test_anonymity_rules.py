import datetime as dt

import pytest

from accounts.models import Organisation
from supervision.anonymity import Period, Reason, Unit, decide
from supervision.models import Publication
from supervision.publishing import latest_due_week, publish_due, published_grid, shown_weeks

from .conftest import add_members

A, B, C = Unit("team", 1), Unit("team", 2), Unit("team", 3)
ORG = Unit("organisation", 1)
W1 = Period.week_of(dt.date(2026, 3, 2))
W2 = W1.next()


def people(start, count):
    return set(range(start, start + count))


def test_weeks_and_months_are_labelled_the_iso_and_calendar_way():
    assert Period.week_of(dt.date(2026, 1, 1)).label == "2026-W01"
    assert Period.week_of(dt.date(2024, 12, 30)).label == "2025-W01"
    assert Period.month_of(dt.date(2026, 2, 14)).end == dt.date(2026, 2, 28)
    assert Period.from_label("2026-W11") == Period.week_of(dt.date(2026, 3, 12))
    assert Period.from_label("2026-02").label == "2026-02"


def test_an_arbitrary_date_range_is_not_a_period():
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 3), dt.date(2026, 3, 9), "week")
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20), "month")


def test_the_open_week_is_never_the_newest_due_week(db):
    # Wednesday 25 March 00:30 in Auckland (Tuesday 11:30 UTC): week 12 and its two-day edit
    # window have just ended there, and nowhere else yet.
    now = dt.datetime(2026, 3, 24, 11, 30, tzinfo=dt.UTC)
    auckland = Organisation.objects.create(name="Tz", time_zone="Pacific/Auckland")
    assert Period.week_of(latest_due_week(auckland, now=now)).label == "2026-W12"
    assert [w.label for w in shown_weeks(auckland, 3, now=now)] == ["2026-W10", "2026-W11", "2026-W12"]
    london = Organisation.objects.create(name="Ldn", time_zone="Europe/London")
    assert Period.week_of(latest_due_week(london, now=now)).label == "2026-W11"


def test_a_week_whose_edit_window_is_still_open_is_never_published(organisation, team_a):
    add_members(team_a, 6, "open")
    # Tuesday 17 March 23:59 in London: Sunday 15 March can still be filled in late.
    published = publish_due(now=dt.datetime(2026, 3, 17, 23, 59, tzinfo=dt.UTC))
    assert max(p.week for p in published) == dt.date(2026, 3, 2)
    published = publish_due()
    assert [p.week for p in published] == [dt.date(2026, 3, 9)]
    assert not Publication.objects.filter(week__gte=dt.date(2026, 3, 16)).exists()


def test_only_weeks_are_published_and_read(organisation):
    with pytest.raises(ValueError):
        published_grid(organisation, [Period.month_of(dt.date(2026, 2, 1))])


def test_a_cell_needs_k_people_and_k_is_never_below_three():
    decisions = decide({W1: {A: people(0, 2), B: people(10, 3)}}, k=1)
    assert decisions[(A, W1)] is Reason.TOO_FEW
    assert decisions[(B, W1)] is None


def test_one_hidden_team_also_hides_the_organisation_total():
    sets = {A: people(0, 6), B: people(10, 6), C: people(20, 2)}
    sets[ORG] = sets[A] | sets[B] | sets[C]
    decisions = decide({W1: sets}, k=5)
    assert decisions[(C, W1)] is Reason.TOO_FEW
    assert decisions[(ORG, W1)] is Reason.COMPLEMENTARY
    assert decisions[(A, W1)] is None and decisions[(B, W1)] is None


def test_two_hidden_teams_that_together_reach_k_leave_the_total_shown():
    sets = {A: people(0, 6), B: people(10, 3), C: people(20, 3)}
    sets[ORG] = sets[A] | sets[B] | sets[C]
    decisions = decide({W1: sets}, k=5)
    assert decisions[(ORG, W1)] is None


def test_a_person_in_two_teams_cannot_be_isolated_by_inclusion_and_exclusion():
    sets = {A: people(0, 6) | {99}, B: people(10, 6) | {99}}
    sets[ORG] = sets[A] | sets[B]
    decisions = decide({W1: sets}, k=5)
    published = [unit for unit in sets if decisions[(unit, W1)] is None]
    assert len(published) < 3


def test_a_change_of_fewer_than_k_people_from_the_week_before_hides_the_later_week():
    decisions = decide({W1: {A: people(0, 6)}, W2: {A: people(0, 5) | {50}}}, k=5)
    assert decisions[(A, W1)] is None
    assert decisions[(A, W2)] is Reason.CHANGE


def test_the_same_people_or_a_large_change_keeps_the_later_week():
    same = decide({W1: {A: people(0, 6)}, W2: {A: people(0, 6)}}, k=5)
    assert same[(A, W2)] is None
    large = decide({W1: {A: people(0, 6)}, W2: {A: people(0, 6) | people(50, 5)}}, k=5)
    assert large[(A, W2)] is None


def test_after_a_hidden_week_the_next_is_compared_with_the_people_of_the_hidden_one():
    decisions = decide({W1: {A: people(0, 3)}, W2: {A: people(0, 5)}}, k=5)
    assert decisions[(A, W1)] is Reason.TOO_FEW
    assert decisions[(A, W2)] is None
