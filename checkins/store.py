"""Writing one check-in and its rollups on PostgreSQL in as few statements as the database allows.

Used by `checkins.actions.do_save_checkin` (which decides when; the rules are there). A first
save, and an edit that reads the person's other days, take the person's row first
(`FOR NO KEY UPDATE`, which does not block the foreign-key checks of rows pointing at the
person), so such an edit sees every other save of theirs committed.

* `insert`: ONE statement, in autocommit its own transaction: the check-in, its practice links,
  its part of the week's `CheckInRollup` (added to, as `rollup.add_checkin` does) and its
  `PracticeRollup` rows. When a row for that day is already there the whole statement fails on
  the unique constraint and nothing is written.
* `read` + `update`: two statements. The first reads the saved check-in and its practices; the
  second changes the check-in, its links and the rollups by the difference between the old and
  the new answers (additions commute with concurrent saves of other days), only if the row is
  still at the version read (compare and set: the caller reads again and retries when it is
  not). Only a change that can lower a maximum or empty a set reads the person's other
  check-ins of that part of the week (the latest day off when "day off" is unticked; whether
  another day still used a practice that was unticked); that rare one runs in a transaction
  after taking the person's row, like a first save.

Both leave the rollups equal to `rollup.rebuild` (tests/checkins/test_rollup.py).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import OuterRef

from accounts.weeks import monday_of

from .models import CheckIn, CheckInRollup, PracticeRollup

_LINKS = CheckIn.practices.through
_ROLLUP = CheckInRollup._meta.db_table
_PRACTICE_ROLLUP = PracticeRollup._meta.db_table
_CHECKIN = CheckIn._meta.db_table
_USER = CheckIn._meta.get_field("user").related_model._meta.db_table
# Everything a first save writes, in table order (the primary key comes from the database).
_INSERT_FIELDS = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]
_SUMS = ("sts_index_sum", "intrusion_sum", "avoidance_sum", "arousal_sum", "exhaustion_sum", "high", "exposure",
         "workload_sum", "workload_answers")


def _part(day: date) -> tuple[date, date, date, date]:
    """(week, month, first day, last day) of the part of the ISO week of `day` that lies in its month."""
    monday, first_of_month = monday_of(day), day.replace(day=1)
    last_of_month = day.replace(day=monthrange(day.year, day.month)[1])
    return monday, first_of_month, max(monday, first_of_month), min(monday + timedelta(days=6), last_of_month)


def _sums(checkin: CheckIn) -> list:
    """What one check-in adds to its part of the week, in `_SUMS` order."""
    return [
        checkin.sts_index, checkin.intrusion_score, checkin.avoidance_score, checkin.arousal_score,
        checkin.exhaustion_score, int(checkin.band == CheckIn.Band.HIGH), int(checkin.exposure),
        checkin.workload or 0, int(checkin.workload is not None),
    ]


def _prep(field_name: str, value):
    return CheckIn._meta.get_field(field_name).get_db_prep_save(value, connection)


def insert(checkin: CheckIn, practice_ids: Iterable[int]) -> int:
    """Insert a new check-in (not yet saved, scores refreshed) with its links and rollups; returns its id.

    Raises IntegrityError (nothing written) when the person already has a check-in that day.
    """
    ids = sorted(set(practice_ids))
    week, month, _first, _last = _part(checkin.local_date)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _INSERT_FIELDS)
    values = [field.get_db_prep_save(field.pre_save(checkin, add=True), connection) for field in _INSERT_FIELDS]
    sums = [_prep_sum(name, value) for name, value in zip(_SUMS, _sums(checkin), strict=True)]
    day_off = checkin.local_date if checkin.day_off else None
    sql = f"""
WITH person AS (SELECT id FROM {_USER} WHERE id = %s FOR NO KEY UPDATE),
c AS (INSERT INTO {_CHECKIN} ({columns}) SELECT {", ".join(["%s"] * len(values))} FROM person RETURNING id),
links AS (INSERT INTO {_LINKS._meta.db_table} (checkin_id, practice_id)
          SELECT c.id, p FROM c, unnest(%s::bigint[]) AS p),
r AS (INSERT INTO {_ROLLUP} AS r (user_id, week, month, checkins, {", ".join(_SUMS)}, last_day_off)
      SELECT %s, %s, %s, 1, {", ".join(["%s"] * len(_SUMS))}, %s::date FROM c
      ON CONFLICT (user_id, week, month) DO UPDATE SET checkins = r.checkins + 1,
      {", ".join(f"{name} = r.{name} + excluded.{name}" for name in _SUMS)},
      last_day_off = GREATEST(r.last_day_off, excluded.last_day_off)),
pr AS (INSERT INTO {_PRACTICE_ROLLUP} (user_id, week, month, practice_id)
       SELECT %s, %s, %s, p FROM c, unnest(%s::bigint[]) AS p
       ON CONFLICT (user_id, week, month, practice_id) DO NOTHING)
SELECT id FROM c"""
    part = [checkin.user_id, week, month]
    with connection.cursor() as cursor:
        cursor.execute(sql, [checkin.user_id, *values, ids, *part, *sums, day_off, *part, ids])
        checkin.pk = cursor.fetchone()[0]
    checkin._state.adding = False
    return checkin.pk


def _prep_sum(name: str, value):
    field = CheckInRollup._meta.get_field(name)
    return field.get_db_prep_save(value, connection)


def read(user_id: int, local_date: date) -> tuple[CheckIn, set[int]] | None:
    """The saved check-in of that day and its practice ids, read together (one statement); None when none is saved."""
    practices = _LINKS.objects.filter(checkin_id=OuterRef("pk")).values("practice_id")
    checkin = (
        CheckIn.objects.annotate(practice_ids=ArraySubquery(practices))
        .filter(user_id=user_id, local_date=local_date)
        .first()
    )
    if checkin is None:
        return None
    return checkin, set(checkin.practice_ids)


def update(old: CheckIn, new: CheckIn, old_practices: set[int], new_practices: set[int]) -> bool:
    """Write `new` over `old` (as `read` returned it) and move the rollups by the difference, if the row is
    still at `old.version`; False (nothing written) when another save changed it in between.

    `new` is the same row with the answers replaced, its scores refreshed and its version moved on.
    """
    week, month, first, last = _part(new.local_date)
    part = [new.user_id, week, month]
    fields = [field for field in _INSERT_FIELDS if field.name not in ("user", "local_date", "created_at")]
    sets = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    values = [field.get_db_prep_save(field.pre_save(new, add=False), connection) for field in fields]
    delta = [_prep_sum(name, b - a) for name, a, b in zip(_SUMS, _sums(old), _sums(new), strict=True)]
    added, removed = sorted(new_practices - old_practices), sorted(old_practices - new_practices)
    others = f"SELECT id FROM {_CHECKIN} WHERE user_id = %s AND local_date BETWEEN %s AND %s AND id <> %s"
    others_params = [new.user_id, first, last, new.pk]
    if new.day_off:
        last_day_off, day_off_params = "GREATEST(last_day_off, %s::date)", [new.local_date]
    elif old.day_off:
        last_day_off = f"(SELECT MAX(local_date) FROM {_CHECKIN} WHERE id IN ({others}) AND day_off)"
        day_off_params = others_params
    else:
        last_day_off, day_off_params = "last_day_off", []
    links = _LINKS._meta.db_table
    sql = f"""
WITH c AS (UPDATE {_CHECKIN} SET {sets} WHERE id = %s AND version = %s RETURNING id),
gone AS (DELETE FROM {links} WHERE checkin_id IN (SELECT id FROM c) AND practice_id = ANY(%s::bigint[])),
links AS (INSERT INTO {links} (checkin_id, practice_id) SELECT c.id, p FROM c, unnest(%s::bigint[]) AS p),
r AS (UPDATE {_ROLLUP} SET {", ".join(f"{name} = {name} + %s" for name in _SUMS)}, last_day_off = {last_day_off}
      WHERE user_id = %s AND week = %s AND month = %s AND EXISTS (SELECT 1 FROM c)),
pr AS (INSERT INTO {_PRACTICE_ROLLUP} (user_id, week, month, practice_id)
       SELECT %s, %s, %s, p FROM c, unnest(%s::bigint[]) AS p
       ON CONFLICT (user_id, week, month, practice_id) DO NOTHING),
unused AS (DELETE FROM {_PRACTICE_ROLLUP} pr WHERE pr.user_id = %s AND pr.week = %s AND pr.month = %s
           AND pr.practice_id = ANY(%s::bigint[]) AND EXISTS (SELECT 1 FROM c)
           AND NOT EXISTS (SELECT 1 FROM {links} l WHERE l.practice_id = pr.practice_id
                           AND l.checkin_id IN ({others})))
SELECT COUNT(*) FROM c"""
    params = [
        *values, new.pk, old.version,
        removed,
        added,
        *delta, *day_off_params, *part,
        *part, added,
        *part, removed, *others_params,
    ]
    if day_off_params is others_params or removed:
        # It reads the person's other days: take the person's row first, so that the statement's
        # snapshot (taken after the lock) includes every other save of theirs.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {_USER} WHERE id = %s FOR NO KEY UPDATE", [new.user_id])
            cursor.execute(sql, params)
            return cursor.fetchone()[0] == 1
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] == 1
