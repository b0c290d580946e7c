"""Who gets a reminder, and when: the database side of scheduling.py.

`reschedule` keeps `ReminderPreference.next_reminder_at` up to date when a schedule, a
preference, a membership or a time zone changes. `dispatch_due` is the beat tick: in
batches with a constant number of queries, it inserts `Delivery` rows under their unique
constraint and enqueues a send only for the rows its own batch inserted.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from celery import current_app
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import Membership, User
from checkins.models import CheckIn, DayMark

from . import scheduling
from .models import Channel, Delivery, ReminderPreference, ReminderSchedule

logger = logging.getLogger(__name__)

# A pending row whose message has not been picked up after this long is queued again.
LOST_AFTER = timedelta(minutes=5)
# A send still "sending" after this long was interrupted (worker killed mid-send). It is
# marked failed, never sent again: a person may get no reminder that day, never two.
INTERRUPTED_AFTER = timedelta(minutes=15)
# Deliveries per send message: see enqueue().
SEND_CHUNK = 500
# The send task, defined in reminders.tasks. Imports run one way (tasks imports this module), so
# enqueue() finds the task by its registered name, as a worker does, instead of importing tasks.
SEND_TASK = "reminders.send_reminders"


def batch_size() -> int:
    # SQLite allows 999 parameters per statement: keep a batch's insert (7 per row) in one statement.
    # PostgreSQL gets its rows as two arrays, whatever their length.
    return 80 if connection.vendor == "sqlite" else 10_000


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _covering(
    schedules: list[ReminderSchedule], organisation_id: int | None, teams: Collection[int]
) -> list[ReminderSchedule]:
    """The schedules that cover a member of `teams` in that organisation (none for someone in no team)."""
    if not teams:
        return []
    return [s for s in schedules if s.organisation_id == organisation_id and (s.team_id is None or s.team_id in teams)]


def _user_in(model: type[models.Model], user_ids: list[int]) -> Q | RawSQL:
    """`user_id IN (…)`. On PostgreSQL as one array parameter: Django prepares each value of an IN
    list one by one, which took longer than the query itself for a batch of thousands."""
    if connection.vendor != "postgresql":
        return Q(user_id__in=user_ids)
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name('user_id')}"
    return RawSQL(f"{column} = ANY(%s::bigint[])", (user_ids,), output_field=models.BooleanField())


def _member_teams(user_ids: list[int]) -> dict[int, set[int]]:
    teams: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in (
        Membership.objects.current()
        .filter(_user_in(Membership, user_ids), role=Membership.Role.MEMBER)
        .values_list("user_id", "team_id")
    ):
        teams[user_id].add(team_id)
    return teams


def _active_schedules(organisation_ids: Collection[int]) -> list[ReminderSchedule]:
    return list(
        ReminderSchedule.objects.filter(organisation_id__in=organisation_ids, is_active=True).select_related(
            "organisation"
        )
    )


def coverage(users: Iterable[User]) -> dict[int, list[ReminderSchedule]]:
    """Active schedules covering each person (as a member of a team), in two queries."""
    users = list(users)
    member_teams = _member_teams([u.pk for u in users])
    schedules = _active_schedules({u.organisation_id for u in users if u.organisation_id})
    return {u.pk: _covering(schedules, u.organisation_id, member_teams.get(u.pk, ())) for u in users}


def rules(schedules: list[ReminderSchedule]) -> list[scheduling.ScheduleRule]:
    return [s.as_rule() for s in schedules]


def reschedule(user_ids: Iterable[int], now: datetime | None = None) -> None:
    """Recompute the next reminder instant of these people (creating their preference row if covered)."""
    now = now or timezone.now()
    ids = sorted(set(user_ids))
    for chunk in _chunks(ids, batch_size()):
        users = list(User.objects.filter(pk__in=chunk).select_related("organisation"))
        covered = coverage(users)
        preferences = ReminderPreference.objects.filter(user_id__in=chunk).in_bulk(field_name="user_id")
        missing = [ReminderPreference(user=u) for u in users if covered[u.pk] and u.pk not in preferences]
        if missing:
            ReminderPreference.objects.bulk_create(missing, ignore_conflicts=True)
            preferences = ReminderPreference.objects.filter(user_id__in=chunk).in_bulk(field_name="user_id")
        changed = []
        for user in users:
            preference = preferences.get(user.pk)
            if preference is None:
                continue
            following = None
            if user.is_active:
                following = scheduling.next_reminder_at(rules(covered[user.pk]), preference.as_rule(), user.tz, now)
            if following != preference.next_reminder_at:
                changed.append((preference.pk, following))
        _set_next_reminders(changed)


def reschedule_organisation(organisation_id: int) -> None:
    reschedule(User.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True))


def enqueue(delivery_ids: list[int]) -> list[int]:
    """Queue the sends, a few hundred per message, over one broker connection; if the broker is
    unreachable, stop for this tick. Returns the ids not handed to the broker (still waiting).

    A message per delivery made publishing most of a tick's time (`make bench`); a message per
    few hundred still lets several workers share a large tick. The rows stay pending, so
    `requeue_lost` queues them again once the broker is back. Publishing is retried only briefly
    (CELERY_TASK_PUBLISH_RETRY_POLICY), so a tick never hangs on it.
    """
    send_reminders = _send_task()
    queued = 0
    try:
        with send_reminders.app.producer_or_acquire() as producer:
            for chunk in _chunks(delivery_ids, SEND_CHUNK):
                send_reminders.apply_async((chunk,), producer=producer, argsrepr=f"[{len(chunk)} deliveries]")
                queued += len(chunk)
    except (KombuOperationalError, ConnectionError, OSError) as exc:
        logger.warning(
            "Task queue unreachable (%s): %d reminders stay pending until a later tick",
            exc,
            len(delivery_ids) - queued,
        )
        return list(delivery_ids[queued:])
    return []


def _send_task():
    """The registered `reminders.send_reminders` task. A process that has not loaded the task
    modules yet (a management command) loads them the way a worker does: Celery's autodiscovery."""
    if SEND_TASK not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[SEND_TASK]


@dataclass
class DispatchReport:
    batches: int = 0
    considered: int = 0
    created: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    # Of created and requeued, the ones the broker could not take: still pending, queued again
    # by a tick once LOST_AFTER has passed.
    waiting: list[int] = field(default_factory=list)


def dispatch_due(now: datetime | None = None, *, size: int | None = None, force: bool = False) -> DispatchReport:
    """One tick. `force` treats everyone covered as due now (send_due_reminders --now)."""
    now = now or timezone.now()
    size = size or batch_size()
    report = DispatchReport()
    report.requeued = requeue_lost(now, report.waiting)
    last_user_id = 0
    while True:
        last_user_id, considered, created = _dispatch_batch(now, last_user_id, size, force, report.waiting)
        if not considered:
            return report
        report.batches += 1
        report.considered += considered
        report.created.extend(created)


def _dispatch_batch(
    now: datetime, after_user_id: int, size: int, force: bool, waiting: list[int]
) -> tuple[int, int, list[int]]:
    due = ReminderPreference.objects.filter(
        user_id__gt=after_user_id, user__is_active=True, paused=False, opted_out=False
    )
    if not force:
        due = due.filter(next_reminder_at__lte=now)
    # Tuples, not model instances: a tick may go through a whole organisation.
    fields = [
        "pk",
        "user_id",
        "user__organisation_id",
        "user__time_zone",
        "next_reminder_at",
        "local_time",
        "weekdays",
        "quiet_start",
        "quiet_end",
        "snoozed_until",
    ]
    rows = list(due.order_by("user_id").values_list(*fields)[:size])
    if not rows:
        return after_user_id, 0, []
    schedules = _active_schedules({row[2] for row in rows if row[2]})
    # With organisation-wide schedules only, membership of any team is what counts, and
    # `reschedule` checked it when it planned these reminders (a membership change plans again,
    # and the send checks once more): no need to look the teams up.
    member_teams = _member_teams([row[1] for row in rows]) if any(s.team_id for s in schedules) else None
    # In a large organisation most people share their teams' schedules, their preferences and
    # their time zone: decide once per distinct combination. Who already checked in today, or
    # already has today's reminder, is left out by the insert itself (_insert_deliveries); for
    # them the next instant worked out here is tomorrow's, as it would be had they been left out
    # here, except during quiet hours or before today's time, when they are looked at again later.
    decisions: dict[tuple, scheduling.Decision] = {}
    new_rows: list[tuple[int, date]] = []
    changed: list[tuple[int, datetime | None]] = []
    for pk, user_id, organisation_id, zone_name, next_at, *preference_fields in rows:
        teams = frozenset(member_teams.get(user_id, ())) if member_teams is not None else None
        key = (organisation_id, teams, zone_name, *preference_fields)
        decision = decisions.get(key)
        if decision is None:
            covering = (
                _covering(schedules, organisation_id, teams)
                if teams is not None
                else [s for s in schedules if s.organisation_id == organisation_id]
            )
            decision = decisions[key] = scheduling.decide(
                rules(covering),
                _preference_rule(*preference_fields),
                ZoneInfo(zone_name),
                now,
                done_today=False,
                force=force,
            )
        if decision.send_for is not None:
            new_rows.append((user_id, decision.send_for))
        if decision.next_at != next_at:
            changed.append((pk, decision.next_at))
    with transaction.atomic():
        created = _insert_deliveries(new_rows, now)
        _set_next_reminders(changed)
        transaction.on_commit(lambda: waiting.extend(enqueue(created)))
    return rows[-1][1], len(rows), created


def _preference_rule(local_time, weekdays, quiet_start, quiet_end, snoozed_until) -> scheduling.PreferenceRule:
    # Only people who are neither paused nor opted out are dispatched (see _dispatch_batch).
    return ReminderPreference(
        local_time=local_time,
        weekdays=weekdays,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        snoozed_until=snoozed_until,
    ).as_rule()


def _insert_deliveries(rows: list[tuple[int, date]], now: datetime) -> list[int]:
    """Insert pending deliveries, except for people who already checked in that day or noted it
    without ratings (a rough day, a day off, leave); return the ids of the rows this statement created.

    Someone who already has that day's reminder keeps it (the unique constraint), and another
    dispatcher may have inserted some of these rows first: only the rows returned here are ours
    to send.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(Delivery._meta.db_table)
    checkins = connection.ops.quote_name(CheckIn._meta.db_table)
    marks = connection.ops.quote_name(DayMark._meta.db_table)
    columns = "user_id, local_date, kind, channel, status, attempts, error, created_at, enqueued_at"
    stamp = connection.ops.adapt_datetimefield_value(now)
    constants = [Delivery.Kind.REMINDER.value, Channel.EMAIL.value, Delivery.Status.PENDING.value, stamp, stamp]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per local date (a batch has one or two): the people as one array of
            # ids, which is cheaper to send than a date for each of them.
            created: list[int] = []
            for day, user_ids in _grouped(rows).items():
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT v.user_id, %s, %s, %s, %s, 0, '', %s, %s "
                    f"FROM unnest(%s::bigint[]) AS v(user_id) WHERE NOT EXISTS (SELECT 1 FROM {checkins} c "
                    "WHERE c.user_id = v.user_id AND c.local_date = %s) "
                    f"AND NOT EXISTS (SELECT 1 FROM {marks} m WHERE m.user_id = v.user_id AND m.local_date = %s) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    [day, *constants, user_ids, day, day],
                )
                created += [row[0] for row in cursor.fetchall()]
            return created
        else:
            people, days = [user_id for user_id, _day in rows], {day for _user, day in rows}
            checked_in = {
                *CheckIn.objects.filter(user_id__in=people, local_date__in=days).values_list("user_id", "local_date"),
                *DayMark.objects.filter(user_id__in=people, local_date__in=days).values_list("user_id", "local_date"),
            }
            rows = [row for row in rows if row not in checked_in]
            if not rows:
                return []
            values = ", ".join(["(%s, %s, %s, %s, %s, 0, '', %s, %s)"] * len(rows))
            params = [
                value
                for user_id, day in rows
                for value in (user_id, connection.ops.adapt_datefield_value(day), *constants)
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id", params
            )
        return [row[0] for row in cursor.fetchall()]


def _set_next_reminders(changes: list[tuple[int, datetime | None]]) -> None:
    """Store each preference's next reminder instant (pk, instant) in one statement."""
    if not changes:
        return
    if connection.vendor != "postgresql":
        ReminderPreference.objects.bulk_update(
            [ReminderPreference(pk=pk, next_reminder_at=at) for pk, at in changes], ["next_reminder_at"]
        )
        return
    # One statement per distinct instant (people who share a schedule share it): ids only.
    with connection.cursor() as cursor:
        for instant, pks in _grouped(changes).items():
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(ReminderPreference._meta.db_table)} "
                "SET next_reminder_at = %s WHERE id = ANY(%s::bigint[])",
                [instant, pks],
            )


def _grouped(pairs: list[tuple[int, Any]]) -> dict[Any, list[int]]:
    """{value: [ids]} from (id, value) pairs."""
    grouped: dict[Any, list[int]] = defaultdict(list)
    for pk, value in pairs:
        grouped[value].append(pk)
    return grouped


def requeue_lost(now: datetime, waiting: list[int] | None = None) -> list[int]:
    """Queue again pending rows whose message was lost; give up on sends interrupted midway.

    The ids the broker could not take are added to `waiting`."""
    waiting = [] if waiting is None else waiting
    Delivery.objects.filter(status=Delivery.Status.SENDING, attempted_at__lt=now - INTERRUPTED_AFTER).update(
        status=Delivery.Status.FAILED, error="Interrupted while sending; not retried so it is never sent twice."
    )
    requeued = []
    stale = Delivery.objects.filter(status=Delivery.Status.PENDING, enqueued_at__lt=now - LOST_AFTER).select_related(
        "user"
    )
    for delivery in stale[: batch_size()]:
        if delivery.user.local_today(now) != delivery.local_date:
            Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SKIPPED, error="The day passed before it could be sent."
            )
            continue
        # Claim the re-enqueue, so two ticks running together queue it once.
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.PENDING, enqueued_at=delivery.enqueued_at
        ).update(enqueued_at=now)
        if claimed:
            logger.info("Re-enqueuing reminder delivery %s: its message seems lost", delivery.pk)
            requeued.append(delivery.pk)
    transaction.on_commit(lambda: waiting.extend(enqueue(requeued)))
    return requeued
