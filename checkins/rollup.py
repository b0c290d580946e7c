"""Per-person weekly sums of check-ins, so team trends never have to read every check-in.

`CheckInRollup` and `PracticeRollup` hold, for each person and each part of an ISO week
that lies in one calendar month, what the team figures are made of. They are rebuilt from
the check-ins themselves, whole weeks at a time, by the same statements whoever calls:

* `add_checkin` when a new check-in is inserted: its values are added to its part of the week
  (one upsert; additions commute, so concurrent saves need no lock);
* `refresh_week` after an existing check-in is changed (inside the same transaction, with
  the person's row locked so that two rebuilds of one week cannot interleave);
* `forget` when a person erases their check-ins (the rows go with the account anyway);
* `rebuild` after check-ins are loaded or deleted in bulk (demo data, retention, the
  migration that introduced the tables, `make bench`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet

from accounts.models import User
from accounts.weeks import monday_of

from .models import SCORE_FIELDS, CheckIn, CheckInRollup, PracticeRollup

EARLIEST = date(1, 1, 1)
LATEST = date(9999, 12, 31)

# The Monday of a date's ISO week and the first day of its month, in each database's SQL.
_WEEK = {
    "postgresql": "(c.local_date - (EXTRACT(ISODOW FROM c.local_date)::integer - 1))",
    "sqlite": "date(c.local_date, '-' || ((CAST(strftime('%%w', c.local_date) AS integer) + 6) %% 7) || ' days')",
}
_MONTH = {
    "postgresql": "CAST(date_trunc('month', c.local_date) AS date)",
    "sqlite": "date(c.local_date, 'start of month')",
}


@dataclass(frozen=True)
class Sum:
    """A column of `CheckInRollup` that adds up its check-ins: what one check-in adds (`add`, in Python,
    for the saves that add one at a time) and the same over all the check-ins `c` of a part of a week
    (`sql`, for `rebuild`). tests/checkins/test_rollup.py checks that the two agree."""

    column: str
    add: Callable[[CheckIn], Any]
    sql: str


def _score(name: str) -> Sum:
    return Sum(f"{name.removesuffix('_score')}_sum", lambda checkin: getattr(checkin, name), f"SUM(c.{name})")


def _optional_answer(name: str) -> tuple[Sum, Sum]:
    """The sum of an optional answer and how many gave it (a mean over the answers only)."""
    return (
        Sum(f"{name}_sum", lambda checkin: getattr(checkin, name) or 0, f"COALESCE(SUM(c.{name}), 0)"),
        Sum(f"{name}_answers", lambda checkin: int(getattr(checkin, name) is not None), f"COUNT(c.{name})"),
    )


# Every summed column, in table order: the scores (not the band), the heavy days, the days of
# exposure, then the optional answers.
SUMS: tuple[Sum, ...] = (
    *(_score(name) for name in SCORE_FIELDS if name != "band"),
    Sum(
        "high",
        lambda checkin: int(checkin.band == CheckIn.Band.HIGH),
        f"SUM(CASE WHEN c.band = '{CheckIn.Band.HIGH.value}' THEN 1 ELSE 0 END)",
    ),
    Sum("exposure", lambda checkin: int(checkin.exposure), "SUM(CASE WHEN c.exposure THEN 1 ELSE 0 END)"),
    *_optional_answer("workload"),
    *_optional_answer("moral_distress"),
    *_optional_answer("made_difference"),
)
SUM_COLUMNS = ", ".join(item.column for item in SUMS)


def added(checkin: CheckIn) -> list:
    """What one check-in adds to its part of the week, in `SUMS` order."""
    return [item.add(checkin) for item in SUMS]


def _field(name: str) -> Field:
    field = CheckInRollup._meta.get_field(name)
    assert isinstance(field, Field), name
    return field


_SUM_FIELDS = [_field(item.column) for item in SUMS]


def db_values(sums: Iterable) -> list:
    """Sums (or differences of sums) in `SUMS` order, as the database takes them."""
    return [field.get_db_prep_save(value, connection) for field, value in zip(_SUM_FIELDS, sums, strict=True)]


_INSERT_CHECKINS = f"""
INSERT INTO {{rollup}} (user_id, week, month, checkins, {SUM_COLUMNS}, last_day_off)
SELECT c.user_id, {{week}}, {{month}}, COUNT(*), {", ".join(item.sql for item in SUMS)},
       MAX(CASE WHEN c.day_off THEN c.local_date END)
FROM checkins_checkin c
WHERE {{where}}
GROUP BY c.user_id, {{week}}, {{month}}
"""
_INSERT_PRACTICES = """
INSERT INTO {rollup} (user_id, week, month, practice_id)
SELECT DISTINCT c.user_id, {week}, {month}, cp.practice_id
FROM checkins_checkin c JOIN checkins_checkin_practices cp ON cp.checkin_id = c.id
WHERE {where}
"""


def _statements(where: str) -> list[str]:
    vendor = connection.vendor if connection.vendor in _WEEK else "postgresql"
    parts = {"week": _WEEK[vendor], "month": _MONTH[vendor], "where": where}
    return [
        _INSERT_CHECKINS.format(rollup=CheckInRollup._meta.db_table, **parts),
        _INSERT_PRACTICES.format(rollup=PracticeRollup._meta.db_table, **parts),
    ]


# Each summed column of one check-in's row, added to the part's row when there is one already.
ADD_SUMS_ON_CONFLICT = ", ".join(f"{item.column} = r.{item.column} + excluded.{item.column}" for item in SUMS)
_ADD_CHECKIN = f"""
INSERT INTO {{rollup}} AS r (user_id, week, month, checkins, {SUM_COLUMNS}, last_day_off)
VALUES (%s, %s, %s, 1, {", ".join(["%s"] * len(SUMS))}, %s)
ON CONFLICT (user_id, week, month) DO UPDATE SET
    checkins = r.checkins + 1,
    {ADD_SUMS_ON_CONFLICT},
    last_day_off = CASE WHEN r.last_day_off IS NULL OR excluded.last_day_off > r.last_day_off
                        THEN excluded.last_day_off ELSE r.last_day_off END
"""
_ADD_PRACTICES = """
INSERT INTO {rollup} (user_id, week, month, practice_id) VALUES {values}
ON CONFLICT (user_id, week, month, practice_id) DO NOTHING
"""


def add_checkin(checkin, practice_ids: Iterable[int]) -> None:
    """Add a newly inserted check-in to its person's part of the week (inside the inserting transaction)."""
    day = checkin.local_date
    part = [checkin.user_id, monday_of(day), day.replace(day=1)]
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD_CHECKIN.format(rollup=CheckInRollup._meta.db_table),
            [
                part[0],
                *(ops.adapt_datefield_value(d) for d in part[1:]),
                *db_values(added(checkin)),
                ops.adapt_datefield_value(day) if checkin.day_off else None,
            ],
        )
        ids = sorted(set(practice_ids))
        if ids:
            values = ", ".join(["(%s, %s, %s, %s)"] * len(ids))
            params = [value for practice_id in ids for value in (*part, practice_id)]
            cursor.execute(_ADD_PRACTICES.format(rollup=PracticeRollup._meta.db_table, values=values), params)


def refresh_week(user_id: int, day: date) -> None:
    """Rebuild one person's rows for the ISO week of `day`, inside the transaction that saved a check-in.

    The person's row is locked first, so two saves of the same week (two devices, two days)
    rebuild one after the other, each from what the other committed.
    """
    monday = monday_of(day)
    # NO KEY UPDATE: it serialises rebuilds without blocking the foreign-key checks of a
    # concurrent insert's check-in (FOR UPDATE would, and deadlock with its rollup upsert).
    no_key = connection.features.has_select_for_no_key_update
    list(User.objects.select_for_update(no_key=no_key).filter(pk=user_id).values_list("pk", flat=True))
    for model in (CheckInRollup, PracticeRollup):
        model.objects.filter(user_id=user_id, week=monday).delete()
    with connection.cursor() as cursor:
        for sql in _statements("c.user_id = %s AND c.local_date BETWEEN %s AND %s"):
            cursor.execute(sql, [user_id, monday, monday + timedelta(days=6)])


def forget(user_id: int) -> None:
    """Delete every row of one person (their check-ins are being erased)."""
    for model in (CheckInRollup, PracticeRollup):
        model.objects.filter(user_id=user_id).delete()


def rebuild(people: QuerySet | None = None, start: date = EARLIEST, end: date = LATEST) -> None:
    """Rebuild the whole weeks from `start` to `end` for these people (a User queryset; everyone when None)."""
    first = monday_of(start)
    last = end if end == LATEST else monday_of(end) + timedelta(days=6)
    where, params = "c.local_date BETWEEN %s AND %s", [first, last]
    old = [model.objects.filter(week__range=(first, last)) for model in (CheckInRollup, PracticeRollup)]
    if people is not None:
        old = [queryset.filter(user__in=people.values("pk")) for queryset in old]
        people_sql, people_params = people.order_by().values("pk").query.sql_with_params()
        where += f" AND c.user_id IN ({people_sql})"
        params += list(people_params)
    for queryset in old:
        queryset.delete()
    with connection.cursor() as cursor:
        for sql in _statements(where):
            cursor.execute(sql, params)
