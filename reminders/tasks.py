from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.emails import TRANSIENT_ERRORS, send_templated
from checkins.models import CheckIn, DayMark

from . import dispatch, links, scheduling
from .models import Delivery, ReminderPreference

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
BACKOFF_FACTOR = 30  # seconds: 30, 60, 120, 240, 480 (+ jitter), capped below
BACKOFF_MAX = 30 * 60
# A batch running longer than this passes the rest on (CELERY_TASK_SOFT_TIME_LIMIT is 4 minutes).
BATCH_SECONDS = 60


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    """The beat tick (every minute): queue today's due reminders. Returns how many it queued."""
    report = dispatch.dispatch_due()
    return len(report.created) + len(report.requeued) - len(report.waiting)


class RetryLater(Exception):
    """A transient failure: the row is pending again and should be tried again after `countdown` seconds."""

    def __init__(self, cause: Exception, countdown: float) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.countdown = countdown


@shared_task(bind=True, name="reminders.send_reminder", ignore_result=True, max_retries=MAX_RETRIES)
def send_reminder(self, delivery_id: int) -> str:
    """Send one reminder, retrying it with a backoff while the mail server fails."""
    try:
        return deliver(delivery_id, retries=self.request.retries)
    except RetryLater as later:
        raise self.retry(exc=later.cause, countdown=later.countdown) from later.cause


@shared_task(name="reminders.send_reminders", ignore_result=True)
def send_reminders(delivery_ids: list[int]) -> dict[str, int]:
    """Send the reminders one dispatch queued together, one after the other.

    A transient failure is retried for that delivery alone (as a `send_reminder` task), so the
    others are not sent again. A batch that runs long passes the rest on in a new message, well
    within the task time limit.
    """
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for position, delivery_id in enumerate(delivery_ids):
        if position and time.monotonic() - started > BATCH_SECONDS:
            rest = delivery_ids[position:]
            Delivery.objects.filter(pk__in=rest, status=Delivery.Status.PENDING).update(enqueued_at=timezone.now())
            dispatch.enqueue(rest)
            outcomes["passed on"] += len(rest)
            break
        try:
            outcomes[deliver(delivery_id, retries=0)] += 1
        except RetryLater as later:
            _retry_alone(delivery_id, later)
            outcomes["retrying"] += 1
    return dict(outcomes)


def _retry_alone(delivery_id: int, later: RetryLater) -> None:
    try:
        send_reminder.apply_async((delivery_id,), countdown=later.countdown, retries=1)
    except (KombuOperationalError, ConnectionError, OSError) as exc:
        # The row is pending: requeue_lost queues it again once the broker is back.
        logger.warning("Could not queue a retry of reminder delivery %s: %s", delivery_id, exc)


def deliver(delivery_id: int, retries: int) -> str:
    """Send one reminder. Only the call that moves the row from pending to sending sends it.

    `retries`: how many times this delivery was already retried after a transient failure.
    Raises RetryLater when the failure is worth another try.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, attempted_at=now
    )
    if not claimed:
        return "not pending"
    delivery = Delivery.objects.select_related("user", "user__organisation").get(pk=delivery_id)
    reason, schedules = _reason_not_to_send(delivery, now)
    if reason == "quiet":
        # Back to pending: a later tick queues it again once the quiet hours are over (same day only).
        _finish(delivery_id, Delivery.Status.PENDING, error="Quiet hours", enqueued_at=now)
        return "quiet hours"
    if reason:
        _finish(delivery_id, Delivery.Status.SKIPPED, error=reason)
        return "skipped"
    try:
        send_reminder_email(delivery, schedules)
    except TRANSIENT_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"
        if retries >= MAX_RETRIES:
            _finish(delivery_id, Delivery.Status.FAILED, error=error)
            return "failed"
        countdown = get_exponential_backoff_interval(BACKOFF_FACTOR, retries, BACKOFF_MAX, full_jitter=False)
        _finish(delivery_id, Delivery.Status.PENDING, error=error, enqueued_at=now + timedelta(seconds=countdown))
        raise RetryLater(exc, countdown) from exc
    except Exception as exc:
        logger.exception("Reminder delivery %s failed", delivery_id)
        _finish(delivery_id, Delivery.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _finish(delivery_id, Delivery.Status.SENT, error="", sent_at=timezone.now())
    return "sent"


def _finish(delivery_id: int, status: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(status=status, **fields)


def _reason_not_to_send(delivery: Delivery, now) -> tuple[str, list]:
    """Things may have changed since the row was queued: the day, a check-in, a preference."""
    user = delivery.user
    if not user.is_active:
        return "The account is not active.", []
    if user.local_today(now) != delivery.local_date:
        return "The day passed before it could be sent.", []
    if CheckIn.objects.filter(user=user, local_date=delivery.local_date).exists():
        return "Already checked in.", []
    if DayMark.objects.filter(user=user, local_date=delivery.local_date).exists():
        return "The day is noted as a rough day or a day off.", []
    preference = ReminderPreference.objects.filter(user=user).first()
    rule = preference.as_rule() if preference else scheduling.PreferenceRule()
    if rule.stopped or rule.snoozed_on(delivery.local_date):
        return "Reminders are paused, snoozed or stopped.", []
    if scheduling.in_quiet_hours(rule, now.astimezone(user.tz).time()):
        return "quiet", []
    schedules = dispatch.coverage([user])[user.pk]
    if not schedules:
        return "No active schedule covers this person any more.", []
    return "", schedules


def send_reminder_email(delivery: Delivery, schedules) -> None:
    user = delivery.user
    # A team's own message comes before the organisation-wide one.
    messages = [s.message for s in sorted(schedules, key=lambda s: s.team_id is None) if s.message]
    stop = links.stop_url(user.pk)
    send_templated(
        "reminder",
        user.email,
        {
            "user": user,
            "message": messages[0] if messages else "",
            "checkin_url": links.absolute(reverse("checkins:today")),
            "rough_day_url": links.absolute(reverse("checkins:today") + "#quick-day"),
            "minute_url": links.absolute(reverse("checkins:minute")),
            "preferences_url": links.absolute(reverse("reminders:preferences")),
            "snooze_day_url": links.snooze_url(user.pk, "day"),
            "snooze_week_url": links.snooze_url(user.pk, "week"),
            "stop_url": stop,
            "link_days": links.LINK_MAX_AGE.days,
        },
        language=user.language or settings.LANGUAGE_CODE,
        headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
