from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team, validate_time_zone

from . import scheduling

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
WEEKDAY_SHORT = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def validate_weekdays(value: str) -> None:
    if any(d not in scheduling.WEEKDAY_DIGITS for d in value) or len(set(value)) != len(value):
        raise ValidationError(
            _("Days are written as digits 0 (Monday) to 6 (Sunday), each at most once, e.g. 01234."),
            code="invalid_weekdays",
        )


def describe_weekdays(value: str) -> str:
    days = sorted(scheduling.parse_weekdays(value))
    if days == [0, 1, 2, 3, 4]:
        return str(_("Monday to Friday"))
    if days == list(range(7)):
        return str(_("every day"))
    return ", ".join(str(WEEKDAY_SHORT[d]) for d in days)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")


class ReminderSchedule(models.Model):
    """When an organisation (or one of its teams) invites its staff to check in."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reminder_schedules", verbose_name=_("organisation")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_schedules",
        verbose_name=_("team"),
        help_text=_("Leave empty to remind every staff member of the organisation."),
    )
    weekdays = models.CharField(_("days"), max_length=7, default="01234", validators=[validate_weekdays])
    local_time = models.TimeField(_("time of day"), help_text=_("For example 16:30."))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Leave empty to use the organisation's time zone."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    message = models.CharField(
        _("short message"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Added to the reminder, e.g. “Team huddle is on Thursday.” Keep it kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        ordering = ["organisation__name", "local_time"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(weekdays=""), name="reminderschedule_has_a_day"),
        ]

    def __str__(self) -> str:
        scope = self.team.name if self.team is not None else _("Whole organisation")
        return f"{scope} · {describe_weekdays(self.weekdays)} · {self.local_time:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if not self.weekdays:
            raise ValidationError({"weekdays": _("Pick at least one day.")})
        if self.team is not None and self.organisation_id and self.team.organisation_id != self.organisation_id:
            raise ValidationError({"team": _("Pick a team of this organisation.")})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or self.organisation.time_zone)

    def as_rule(self) -> scheduling.ScheduleRule:
        return scheduling.ScheduleRule(scheduling.parse_weekdays(self.weekdays), self.local_time, self.tz)


class ReminderPreference(models.Model):
    """One person's own settings, and the dispatcher's cursor for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("person"),
    )
    local_time = models.TimeField(
        _("my time"), null=True, blank=True, help_text=_("Leave empty to use your team's time.")
    )
    weekdays = models.CharField(
        _("my days"),
        max_length=7,
        blank=True,
        validators=[validate_weekdays],
        help_text=_("Leave all unticked to use your team's days."),
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    snoozed_until = models.DateField(
        _("snoozed until"), null=True, blank=True, help_text=_("No reminders up to and including this day.")
    )
    paused = models.BooleanField(_("pause reminders"), default=False)
    opted_out = models.BooleanField(_("no reminders at all"), default=False)
    # UTC. When the dispatcher should next look at this person; NULL when nothing is planned.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")
        indexes = [
            # dispatch_due: `next_reminder_at <= now` among people who still want reminders.
            models.Index(
                fields=["next_reminder_at", "user"],
                name="reminderpref_due_idx",
                condition=models.Q(next_reminder_at__isnull=False, paused=False, opted_out=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def as_rule(self) -> scheduling.PreferenceRule:
        return scheduling.PreferenceRule(
            at=self.local_time,
            weekdays=scheduling.parse_weekdays(self.weekdays) if self.weekdays else None,
            quiet_start=self.quiet_start,
            quiet_end=self.quiet_end,
            snoozed_until=self.snoozed_until,
            paused=self.paused,
            opted_out=self.opted_out,
        )


class Delivery(models.Model):
    """One reminder for one person and one local date: at most one, whatever the ticks, workers or retries."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Daily reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries", verbose_name=_("person")
    )
    local_date = models.DateField(_("date"), help_text=_("The day in the person's own time zone."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REMINDER)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("queued"), default=timezone.now)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-local_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date", "kind"], name="delivery_one_per_person_day_kind"),
        ]
        indexes = [
            # dispatch_due's sweep: pending rows whose message may be lost, sends interrupted midway.
            models.Index(
                fields=["enqueued_at"],
                name="delivery_unfinished_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            # The deliveries log counts by day and status.
            models.Index(fields=["local_date", "status"], name="delivery_day_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.local_date.isoformat()} · {self.get_status_display()}"
