"""Who gets a reminder, and when: the database side of scheduling.py.

`reschedule` keeps `ReminderPreference.next_reminder_at` up to date when a schedule, a
preference, a membership or a time zone changes. `dispatch_due` is the beat tick: in
batches with a constant number of queries, it inserts `Delivery` rows under their unique
constraint and enqueues a send only for the rows its own batch inserted.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import Membership, User
from checkins.models import CheckIn

from . import scheduling
from .models import Delivery, ReminderPreference, ReminderSchedule

logger = logging.getLogger(__name__)

# A pending row whose message has not been picked up after this long is queued again.
LOST_AFTER = timedelta(minutes=5)
# A send still "sending" after this long was interrupted (worker killed mid-send). It is
# marked failed, never sent again: a person may get no reminder that day, never two.
INTERRUPTED_AFTER = timedelta(minutes=15)


def batch_size() -> int:
    # SQLite allows 999 parameters per statement: keep a batch's insert in one statement.
    return 80 if connection.vendor == "sqlite" else 500


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def coverage(users: Iterable[User]) -> dict[int, list[ReminderSchedule]]:
    """Active schedules covering each person (as a member of a team), in two queries."""
    users = list(users)
    member_teams: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in Membership.objects.filter(
        user_id__in=[u.pk for u in users], role=Membership.Role.MEMBER
    ).values_list("user_id", "team_id"):
        member_teams[user_id].add(team_id)
    schedules = list(
        ReminderSchedule.objects.filter(
            organisation_id__in={u.organisation_id for u in users if u.organisation_id}, is_active=True
        ).select_related("organisation")
    )
    result: dict[int, list[ReminderSchedule]] = {}
    for user in users:
        teams = member_teams.get(user.pk, set())
        result[user.pk] = [
            s
            for s in schedules
            if teams and s.organisation_id == user.organisation_id and (s.team_id is None or s.team_id in teams)
        ]
    return result


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
                preference.next_reminder_at = following
                changed.append(preference)
        ReminderPreference.objects.bulk_update(changed, ["next_reminder_at"])


def reschedule_organisation(organisation_id: int) -> None:
    reschedule(User.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True))


def _enqueue_all(delivery_ids: list[int]) -> None:
    """Queue the sends over one broker connection; if the broker is unreachable, stop for this tick.

    One connection for the batch: a connection per message doubled the cost (`make bench`).
    The rows stay pending, so `requeue_lost` queues them again once the broker is back. Publishing
    is retried only briefly (CELERY_TASK_PUBLISH_RETRY_POLICY), so a tick never hangs on it.
    """
    from .tasks import send_reminder

    queued = 0
    try:
        with send_reminder.app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                send_reminder.apply_async((delivery_id,), producer=producer)
                queued += 1
    except (KombuOperationalError, ConnectionError, OSError) as exc:
        logger.warning(
            "Task queue unreachable (%s): %d reminders stay pending until a later tick",
            exc,
            len(delivery_ids) - queued,
        )


@dataclass
class DispatchReport:
    batches: int = 0
    considered: int = 0
    created: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


def dispatch_due(now: datetime | None = None, *, size: int | None = None, force: bool = False) -> DispatchReport:
    """One tick. `force` treats everyone covered as due now (send_due_reminders --now)."""
    now = now or timezone.now()
    size = size or batch_size()
    report = DispatchReport()
    report.requeued = requeue_lost(now)
    last_user_id = 0
    while True:
        last_user_id, considered, created = _dispatch_batch(now, last_user_id, size, force)
        if not considered:
            return report
        report.batches += 1
        report.considered += considered
        report.created.extend(created)


def _dispatch_batch(now: datetime, after_user_id: int, size: int, force: bool) -> tuple[int, int, list[int]]:
    due = ReminderPreference.objects.filter(
        user_id__gt=after_user_id, user__is_active=True, paused=False, opted_out=False
    )
    if not force:
        due = due.filter(next_reminder_at__lte=now)
    preferences = list(due.select_related("user").order_by("user_id")[:size])
    if not preferences:
        return after_user_id, 0, []
    users = [p.user for p in preferences]
    ids = [u.pk for u in users]
    covered = coverage(users)
    today = {u.pk: u.local_today(now) for u in users}
    dates = set(today.values())
    done = set(CheckIn.objects.filter(user_id__in=ids, local_date__in=dates).values_list("user_id", "local_date"))
    done |= set(
        Delivery.objects.filter(
            user_id__in=ids, local_date__in=dates, kind=Delivery.Kind.REMINDER
        ).values_list("user_id", "local_date")
    )
    token = uuid.uuid4().hex
    new_rows: list[Delivery] = []
    changed: list[ReminderPreference] = []
    for preference in preferences:
        user = preference.user
        decision = scheduling.decide(
            rules(covered[user.pk]),
            preference.as_rule(),
            user.tz,
            now,
            done_today=(user.pk, today[user.pk]) in done,
            force=force,
        )
        if decision.send_for is not None:
            new_rows.append(
                Delivery(user=user, local_date=decision.send_for, dispatch_token=token, created_at=now, enqueued_at=now)
            )
        if decision.next_at != preference.next_reminder_at:
            preference.next_reminder_at = decision.next_at
            changed.append(preference)
    created: list[int] = []
    with transaction.atomic():
        if new_rows:
            Delivery.objects.bulk_create(new_rows, ignore_conflicts=True)
            # Another dispatcher may have inserted some of these rows first: send only ours.
            created = list(Delivery.objects.filter(dispatch_token=token).values_list("pk", flat=True))
        ReminderPreference.objects.bulk_update(changed, ["next_reminder_at"])
        transaction.on_commit(lambda: _enqueue_all(created))
    return preferences[-1].user_id, len(preferences), created


def requeue_lost(now: datetime) -> list[int]:
    """Queue again pending rows whose message was lost; give up on sends interrupted midway."""
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
    transaction.on_commit(lambda: _enqueue_all(requeued))
    return requeued
