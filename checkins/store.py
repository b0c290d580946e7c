"""Writing one check-in and its rollups on PostgreSQL in as few statements as the database allows.

Used by `checkins.actions.do_save_checkin` (which decides when; the rules are there).

* `insert`: ONE statement, in autocommit its own transaction: the check-in, its practice links,
  its part of the week's `CheckInRollup` (added to, as `rollup.add_checkin` does) and its
  `PracticeRollup` rows. When a row for that day is already there the whole statement fails on
  the unique constraint and nothing is written.
* `read` + `update`: two statements. The first reads the saved check-in and its practices; the
  second changes the check-in, its links and the rollups by the difference between the old and
  the new answers (additions commute with concurrent saves of other days), only if the row is
  still at the version read (compare and set: the caller reads again and retries when it is
  not).

Concurrency without locking the person: every statement changes the part's `CheckInRollup` row
before it touches the part's `PracticeRollup` rows (the practice rows are written from the
rollup row's RETURNING, so the order is fixed). Only an edit that can lower a maximum or empty a
set reads the person's other check-ins of that part of the week (the latest day off when "day
off" is unticked; whether another day still used a practice that was unticked); that rare edit
first takes the part's rollup row in a statement of its own, inside a transaction, so its
reading statement's snapshot is taken after every other save of that part that got there
first has committed, and every save that comes later waits for it and then applies its own
difference on top.

Both leave the rollups equal to `rollup.rebuild` (tests/checkins/test_rollup.py).
"""

from __future__ import annotations

import functools
from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction

from accounts.weeks import monday_of

from . import rollup
from .models import CheckIn, CheckInRollup, PracticeRollup

_LINKS = CheckIn.practices.through
_ROLLUP = CheckInRollup._meta.db_table
_PRACTICE_ROLLUP = PracticeRollup._meta.db_table
_CHECKIN = CheckIn._meta.db_table
# Everything a first save writes, in table order (the primary key comes from the database).
_INSERT_FIELDS = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]


def _part(day: date) -> tuple[date, date, date, date]:
    """(week, month, first day, last day) of the part of the ISO week of `day` that lies in its month."""
    monday, first_of_month = monday_of(day), day.replace(day=1)
    last_of_month = day.replace(day=monthrange(day.year, day.month)[1])
    return monday, first_of_month, max(monday, first_of_month), min(monday + timedelta(days=6), last_of_month)


def _quoted(field: models.Field) -> str:
    assert field.column is not None, field.name
    return connection.ops.quote_name(field.column)


_LINKS_TABLE = _LINKS._meta.db_table
_UPDATE_FIELDS = [field for field in _INSERT_FIELDS if field.name not in ("user", "local_date", "created_at")]
# What `read` selects: the row as the form saved it, and its practice ids.
_READ_FIELDS = [field for field in CheckIn._meta.concrete_fields]
_CONVERTERS = [getattr(field, "from_db_value", None) for field in _READ_FIELDS]


@functools.cache
def _insert_sql(with_practices: bool) -> str:
    columns = ", ".join(_quoted(field) for field in _INSERT_FIELDS)
    practices = f"""
links AS (INSERT INTO {_LINKS_TABLE} (checkin_id, practice_id) SELECT c.id, p FROM c, unnest(%s::bigint[]) AS p),
pr AS (INSERT INTO {_PRACTICE_ROLLUP} (user_id, week, month, practice_id)
       SELECT %s, %s, %s, p FROM r, unnest(%s::bigint[]) AS p
       ON CONFLICT (user_id, week, month, practice_id) DO NOTHING),"""
    return f"""
WITH c AS (INSERT INTO {_CHECKIN} ({columns}) VALUES ({", ".join(["%s"] * len(_INSERT_FIELDS))}) RETURNING id),
r AS (INSERT INTO {_ROLLUP} AS r (user_id, week, month, checkins, {rollup.SUM_COLUMNS}, last_day_off)
      SELECT %s, %s, %s, 1, {", ".join(["%s"] * len(rollup.SUMS))}, %s::date FROM c
      ON CONFLICT (user_id, week, month) DO UPDATE SET checkins = r.checkins + 1,
      {rollup.ADD_SUMS_ON_CONFLICT},
      last_day_off = GREATEST(r.last_day_off, excluded.last_day_off) RETURNING 1),{practices if with_practices else ""}
done AS (SELECT 1)
SELECT id FROM c"""


def insert(checkin: CheckIn, practice_ids: Iterable[int]) -> int:
    """Insert a new check-in (not yet saved, scores refreshed) with its links and rollups; returns its id.

    Raises IntegrityError (nothing written) when the person already has a check-in that day.
    """
    ids = sorted(set(practice_ids))
    week, month, _first, _last = _part(checkin.local_date)
    part = [checkin.user_id, week, month]
    values = [field.get_db_prep_save(field.pre_save(checkin, add=True), connection) for field in _INSERT_FIELDS]
    params = [*values, *part, *rollup.db_values(rollup.added(checkin)), checkin.local_date if checkin.day_off else None]
    if ids:
        params += [ids, *part, ids]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(bool(ids)), params)
        checkin.pk = cursor.fetchone()[0]
    checkin._state.adding = False
    return checkin.pk


@functools.cache
def _read_sql() -> str:
    columns = ", ".join(f"c.{_quoted(field)}" for field in _READ_FIELDS)
    return (
        f"SELECT {columns}, ARRAY(SELECT practice_id FROM {_LINKS_TABLE} WHERE checkin_id = c.id) "
        f"FROM {_CHECKIN} c WHERE c.user_id = %s AND c.local_date = %s"
    )


def read(user_id: int, local_date: date) -> tuple[CheckIn, set[int]] | None:
    """The saved check-in of that day and its practice ids, read together (one statement); None when none is saved."""
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(), [user_id, local_date])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        value if convert is None else convert(value, None, connection)
        for value, convert in zip(row[:-1], _CONVERTERS, strict=True)
    ]
    return CheckIn.from_db(connection.alias, [field.attname for field in _READ_FIELDS], values), set(row[-1])


@functools.cache
def _update_sql(last_day_off: str, with_added: bool, with_removed: bool) -> str:
    sets = ", ".join(f"{_quoted(field)} = %s" for field in _UPDATE_FIELDS)
    others = f"SELECT id FROM {_CHECKIN} WHERE user_id = %s AND local_date BETWEEN %s AND %s AND id <> %s"
    last_day_off = {
        "keep": "last_day_off",
        "set": "GREATEST(last_day_off, %s::date)",
        "recount": f"(SELECT MAX(local_date) FROM {_CHECKIN} WHERE id IN ({others}) AND day_off)",
    }[last_day_off]
    added = f"""
links AS (INSERT INTO {_LINKS_TABLE} (checkin_id, practice_id) SELECT c.id, p FROM c, unnest(%s::bigint[]) AS p),
pr AS (INSERT INTO {_PRACTICE_ROLLUP} (user_id, week, month, practice_id)
       SELECT %s, %s, %s, p FROM r, unnest(%s::bigint[]) AS p
       ON CONFLICT (user_id, week, month, practice_id) DO NOTHING),"""
    removed = f"""
gone AS (DELETE FROM {_LINKS_TABLE} WHERE checkin_id IN (SELECT id FROM c) AND practice_id = ANY(%s::bigint[])),
unused AS (DELETE FROM {_PRACTICE_ROLLUP} pr WHERE pr.user_id = %s AND pr.week = %s AND pr.month = %s
           AND pr.practice_id = ANY(%s::bigint[]) AND EXISTS (SELECT 1 FROM r)
           AND NOT EXISTS (SELECT 1 FROM {_LINKS_TABLE} l WHERE l.practice_id = pr.practice_id
                           AND l.checkin_id IN ({others}))),"""
    return f"""
WITH c AS (UPDATE {_CHECKIN} SET {sets} WHERE id = %s AND version = %s RETURNING id),
r AS (UPDATE {_ROLLUP} SET {", ".join(f"{item.column} = {item.column} + %s" for item in rollup.SUMS)},
      last_day_off = {last_day_off}
      WHERE user_id = %s AND week = %s AND month = %s AND EXISTS (SELECT 1 FROM c) RETURNING 1),{
        added if with_added else ""
    }{removed if with_removed else ""}
done AS (SELECT 1)
SELECT COUNT(*) FROM c"""


def update(old: CheckIn, new: CheckIn, old_practices: set[int], new_practices: set[int]) -> bool:
    """Write `new` over `old` (as `read` returned it) and move the rollups by the difference, if the row is
    still at `old.version`; False (nothing written) when another save changed it in between.

    `new` is the same row with the answers replaced, its scores refreshed and its version moved on.
    """
    week, month, first, last = _part(new.local_date)
    part: list[Any] = [new.user_id, week, month]
    others = [new.user_id, first, last, new.pk]
    values = [field.get_db_prep_save(field.pre_save(new, add=False), connection) for field in _UPDATE_FIELDS]
    delta = rollup.db_values(b - a for a, b in zip(rollup.added(old), rollup.added(new), strict=True))
    added, removed = sorted(new_practices - old_practices), sorted(old_practices - new_practices)
    params: list[Any] = [*values, new.pk, old.version, *delta]
    if new.day_off:
        last_day_off = "set"
        params.append(new.local_date)
    elif old.day_off:
        last_day_off = "recount"
        params += others
    else:
        last_day_off = "keep"
    params += part
    if added:
        params += [added, *part, added]
    if removed:
        params += [removed, *part, removed, *others]
    sql = _update_sql(last_day_off, bool(added), bool(removed))
    if last_day_off == "recount" or removed:
        # It reads the person's other days: take the part's rollup row first (see above).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {_ROLLUP} WHERE user_id = %s AND week = %s AND month = %s FOR UPDATE", part)
            cursor.execute(sql, params)
            return cursor.fetchone()[0] == 1
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] == 1
