"""The per-person weekly rollups that team trends read: always what the check-ins say, and gone on erasure."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import User
from accounts.weeks import monday_of
from checkins import rollup
from checkins.actions import do_apply_retention, do_erase_account, do_erase_checkins, do_save_checkin
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, CheckInRollup, Practice, PracticeRollup

from ..races import race
from .conftest import ratings

# Wednesday 29 April 2026: its ISO week (27 April – 3 May) spans two months.
SPLIT_WEEK_DAY = date(2026, 4, 29)


# Every column of a rollup row but its id, read from the model rather than from `rollup.SUMS`, so
# that the rows the saves wrote (checkins.store on PostgreSQL) and a rebuild wrote are compared whole.
ROLLUP_COLUMNS = [field.attname for field in CheckInRollup._meta.concrete_fields if not field.primary_key]


def snapshot(*users) -> tuple[list, list]:
    people = [user.pk for user in users]
    checkins = sorted(CheckInRollup.objects.filter(user_id__in=people).values_list(*ROLLUP_COLUMNS))
    practices = sorted(
        PracticeRollup.objects.filter(user_id__in=people).values_list("user_id", "week", "month", "practice_id")
    )
    return checkins, practices


def rebuilt_snapshot(*users) -> tuple[list, list]:
    """What a rebuild from the check-ins alone gives."""
    rollup.rebuild(User.objects.filter(pk__in=[user.pk for user in users]))
    return snapshot(*users)


def save(user, day: date, level: int, practices=(), **extra) -> None:
    values = {**ratings(level), **extra}
    do_save_checkin(user, day, values, list(practices), loaded_version=None)


def builtin(*keys: str) -> list[Practice]:
    return list(Practice.objects.filter(organisation__isnull=True, key__in=keys))


def test_a_save_sums_its_week_and_an_edit_replaces_the_sums(alice):
    monday = date(2026, 3, 9)
    save(alice, monday, 2, builtin("breathing"), workload=3, exposure=True)
    save(alice, monday + timedelta(days=2), 4, builtin("breathing", "movement"), day_off=True)

    row = CheckInRollup.objects.get(user=alice)
    assert (row.week, row.month, row.checkins) == (monday, date(2026, 3, 1), 2)
    assert row.sts_index_sum == sum((c.sts_index for c in CheckIn.objects.filter(user=alice)), Decimal(0))
    assert (row.high, row.exposure, row.workload_sum, row.workload_answers) == (1, 1, 3, 1)
    assert row.last_day_off == monday + timedelta(days=2)
    assert set(PracticeRollup.objects.filter(user=alice).values_list("practice__key", flat=True)) == {
        "breathing",
        "movement",
    }

    # Editing the Wednesday away from its day off and its practices changes the week's sums.
    save(alice, monday + timedelta(days=2), 0, day_off=False)
    row = CheckInRollup.objects.get(user=alice)
    assert (row.checkins, row.high, row.last_day_off) == (2, 0, None)
    assert list(PracticeRollup.objects.filter(user=alice).values_list("practice__key", flat=True)) == ["breathing"]
    assert snapshot(alice) == rebuilt_snapshot(alice)


def test_the_optional_questions_are_summed_with_their_answer_counts_and_edits_move_them(alice):
    monday = date(2026, 3, 9)
    save(alice, monday, 2, moral_distress=3, made_difference=1)
    save(alice, monday + timedelta(days=1), 2, made_difference=4)
    save(alice, monday + timedelta(days=2), 2)
    row = CheckInRollup.objects.get(user=alice)
    assert (row.moral_distress_sum, row.moral_distress_answers) == (3, 1)
    assert (row.made_difference_sum, row.made_difference_answers) == (5, 2)

    save(alice, monday, 2, moral_distress=None, made_difference=0)  # unanswered now, and lower
    row = CheckInRollup.objects.get(user=alice)
    assert (row.moral_distress_sum, row.moral_distress_answers) == (0, 0)
    assert (row.made_difference_sum, row.made_difference_answers) == (4, 2)
    assert snapshot(alice) == rebuilt_snapshot(alice)


def test_a_week_across_two_months_has_one_part_in_each(alice):
    save(alice, SPLIT_WEEK_DAY, 1, builtin("grounding"))  # Wednesday 29 April
    save(alice, SPLIT_WEEK_DAY + timedelta(days=3), 3, builtin("grounding"))  # Saturday 2 May

    parts = CheckInRollup.objects.filter(user=alice).order_by("month")
    assert [(p.week, p.month, p.checkins) for p in parts] == [
        (date(2026, 4, 27), date(2026, 4, 1), 1),
        (date(2026, 4, 27), date(2026, 5, 1), 1),
    ]
    assert PracticeRollup.objects.filter(user=alice).count() == 2
    assert snapshot(alice) == rebuilt_snapshot(alice)


def test_many_saves_in_any_order_match_a_rebuild_from_the_check_ins(alice, bob):
    rng = random.Random(7)
    practices = list(Practice.objects.filter(organisation__isnull=True))
    start = date(2026, 1, 20)
    for _ in range(60):
        person = rng.choice([alice, bob])
        day = start + timedelta(days=rng.randrange(70))
        save(
            person,
            day,
            rng.randrange(5),
            rng.sample(practices, rng.randrange(3)),
            workload=rng.choice([None, 0, 2, 4]),
            moral_distress=rng.choice([None, 0, 1, 3, 4]),
            made_difference=rng.choice([None, 0, 2, 4]),
            exposure=rng.random() < 0.3,
            day_off=rng.random() < 0.2,
        )
    incremental = snapshot(alice, bob)
    assert incremental[0], "the saves were summed"
    assert incremental == rebuilt_snapshot(alice, bob)
    assert sum(row[3] for row in incremental[0]) == CheckIn.objects.filter(user__in=[alice, bob]).count()


def test_erasing_check_ins_leaves_nothing_of_them_in_any_rollup(alice, bob):
    for person in (alice, bob):
        save(person, date(2026, 3, 10), 3, builtin("humour"))
        save(person, SPLIT_WEEK_DAY, 2, builtin("humour"))

    do_erase_checkins(alice)

    assert not CheckInRollup.objects.filter(user=alice).exists()
    assert not PracticeRollup.objects.filter(user=alice).exists()
    # Nor does a rebuild bring anything back, and other people's sums are untouched.
    assert rebuilt_snapshot(alice) == ([], [])
    assert CheckInRollup.objects.filter(user=bob).count() == 2


def test_erasing_the_account_leaves_nothing_in_any_rollup(alice):
    save(alice, date(2026, 3, 10), 3, builtin("humour"))
    user_id = alice.pk

    do_erase_account(alice)

    assert not CheckInRollup.objects.filter(user_id=user_id).exists()
    assert not PracticeRollup.objects.filter(user_id=user_id).exists()


def test_retention_drops_old_weeks_and_keeps_what_is_left_of_the_cut_off_week(alice, eve, organisation):
    organisation.retention_days = 60
    organisation.save()
    today = date(2026, 6, 30)
    cutoff = today - timedelta(days=60)  # Friday 1 May 2026
    assert cutoff.weekday() == 4
    for day in (cutoff - timedelta(days=30), cutoff - timedelta(days=2), cutoff, cutoff + timedelta(days=2)):
        save(alice, day, 2, builtin("breathing"))
    save(eve, cutoff - timedelta(days=30), 2)  # another organisation without retention

    do_apply_retention(today)

    weeks = CheckInRollup.objects.filter(user=alice).order_by("week", "month")
    assert [(row.week, row.month, row.checkins) for row in weeks] == [
        (monday_of(cutoff), date(2026, 5, 1), 2),  # Friday and Sunday; Wednesday 29 April is gone
    ]
    assert not PracticeRollup.objects.filter(user=alice, month=date(2026, 4, 1)).exists()
    assert snapshot(alice) == rebuilt_snapshot(alice)
    assert CheckInRollup.objects.filter(user=eve).count() == 1


@pytest.mark.postgres
def test_saves_of_one_week_at_the_same_moment_are_all_summed(require_postgres, transactional_db, alice):
    monday = date(2026, 3, 9)
    values = dict.fromkeys(SIGN_FIELDS, 2)

    def saver(offset: int):
        return lambda: do_save_checkin(alice, monday + timedelta(days=offset), values, [], None).created

    for _attempt in range(3):
        CheckIn.objects.filter(user=alice).delete()
        rollup.forget(alice.pk)
        assert race(*(saver(offset) for offset in range(5))) == [True] * 5
        assert CheckInRollup.objects.get(user=alice).checkins == 5


@pytest.mark.postgres
def test_new_days_and_edits_of_one_week_at_the_same_moment_add_up(require_postgres, transactional_db, alice):
    monday = date(2026, 3, 9)
    practices = builtin("breathing", "movement")

    def new_day(offset: int, level: int):
        values = {**dict.fromkeys(SIGN_FIELDS, level), "day_off": offset == 4}
        return lambda: do_save_checkin(alice, monday + timedelta(days=offset), values, practices[:1], 0).created

    def edit_monday(level: int):
        values = dict.fromkeys(SIGN_FIELDS, level)
        return lambda: do_save_checkin(alice, monday, values, practices[1:], 1).created

    for _attempt in range(3):
        CheckIn.objects.filter(user=alice).delete()
        rollup.forget(alice.pk)
        save(alice, monday, 1)
        results = race(new_day(2, 3), new_day(3, 1), new_day(4, 0), edit_monday(4), edit_monday(2))
        assert results == [True, True, True, False, False]
        assert snapshot(alice) == rebuilt_snapshot(alice)
        assert CheckInRollup.objects.get(user=alice).checkins == 4


def test_every_summed_column_of_the_rollup_row_has_one_definition():
    summed = [item.column for item in rollup.SUMS]
    assert len(set(summed)) == len(summed)
    assert set(summed) == set(ROLLUP_COLUMNS) - {"user_id", "week", "month", "checkins", "last_day_off"}
