from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Team, User
from checkins.models import CheckIn


class SharedCheckInQuerySet(models.QuerySet):
    def active(self) -> SharedCheckInQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def visible_to_supervisor(self, supervisor: User) -> SharedCheckInQuerySet:
        """Active shares by members of any team this person supervises."""
        current = Membership.objects.current()
        supervised = current.filter(user=supervisor, role=Membership.Role.SUPERVISOR).values("team_id")
        members = current.filter(team_id__in=supervised, role=Membership.Role.MEMBER).values("user_id")
        return self.active().filter(checkin__user_id__in=members).exclude(checkin__user=supervisor)


class SharedCheckIn(models.Model):
    """One check-in its author chose to show their supervisors. Never the free text.

    Deleting the check-in (erasure) deletes the share with it.
    """

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="share", verbose_name=_("check-in"))
    share_ratings = models.BooleanField(_("share my ratings and scores"), default=False)
    share_practices = models.BooleanField(_("share the Reset practices I used"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = SharedCheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared check-in")
        verbose_name_plural = _("shared check-ins")
        ordering = ["-checkin__local_date"]
        indexes = [
            # "Shared with me" lists the active shares, newest first.
            models.Index(
                fields=["-created_at"], condition=models.Q(withdrawn_at__isnull=True), name="share_active_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkin.local_date:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.shares_anything

    @property
    def shares_anything(self) -> bool:
        return self.share_ratings or self.share_practices

    def withdraw(self) -> None:
        self.withdrawn_at = timezone.now()
        self.share_ratings = self.share_practices = False
        self.save(update_fields=["withdrawn_at", "share_ratings", "share_practices", "updated_at"])


class Publication(models.Model):
    """One organisation's closed week, decided once (`supervision.publishing`) and never changed.

    Every team, group and organisation figure a supervisor or admin sees for that week is a
    `PublishedUnit` of it. Created only when the week can no longer change (its last day plus
    the check-in edit window, in the organisation's time zone).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="publications", verbose_name=_("organisation")
    )
    week = models.DateField(_("week starting"))
    k = models.PositiveSmallIntegerField(_("smallest group shown"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    # When the week's digest deliveries (one `DigestDelivery` per supervisor) were created;
    # empty until then. Set once, by the tick that creates them.
    digests_created_at = models.DateTimeField(_("digests prepared"), null=True, blank=True)

    class Meta:
        verbose_name = _("published week")
        verbose_name_plural = _("published weeks")
        ordering = ["organisation", "-week"]
        constraints = [
            # Two publishers at once (two beats, a retried task) publish a week once.
            models.UniqueConstraint(fields=["organisation", "week"], name="publication_one_per_organisation_week"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.week.isoformat()}"


class PublishedUnit(models.Model):
    """One unit's (team, group or organisation) stored cells for one published week.

    `values` maps a measure to its rounded value as shown; `hidden` maps a measure to the
    reason it is withheld. Each rests on at least k people, so nothing here identifies anyone,
    and nothing ever rewrites it: not an erasure, a membership change or a change of k.
    """

    class Kind(models.TextChoices):
        TEAM = "team", _("team")
        GROUP = "group", _("group of teams")
        ORGANISATION = "organisation", _("organisation")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="units")
    week = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    unit_id = models.BigIntegerField()
    label = models.CharField(max_length=200)
    members = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    hidden = models.JSONField(default=dict)
    # For the change rule only: per basis, keyed digests (`publishing.digest_of`) of the people
    # who counted in this unit, when at least k did. Kept only until the next week is published,
    # which compares with them and then clears them; never shown, and not readable as ids.
    contributor_digests = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "kind", "unit_id"], name="published_unit_once_per_week"),
        ]
        indexes = [
            # A team dashboard reads one unit's weeks, whatever the size of the organisation.
            models.Index(fields=["kind", "unit_id", "week"], name="published_unit_series_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.week.isoformat()}"


class DigestDelivery(models.Model):
    """One supervisor's digest of one published week: at most one, whatever the beats, workers or retries.

    Rows are created first, under the unique constraint; a send claims its row by moving it from
    pending to sending, so only one process sends it. A row left in sending by a killed worker is
    marked failed after a while and never sent again. Never shown to supervisors.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="digest_deliveries", verbose_name=_("published week")
    )
    supervisor = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="digest_deliveries", verbose_name=_("supervisor")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-publication__week", "supervisor_id"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "supervisor"], name="digest_one_per_supervisor_week"),
        ]
        indexes = [
            # Each tick looks for rows still to send and sends interrupted midway.
            models.Index(
                fields=["status"], name="digest_unfinished_idx", condition=models.Q(status__in=["pending", "sending"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication.week.isoformat()} · {self.get_status_display()}"


class TeamAction(models.Model):
    """Something a team or its organisation did about what the figures showed ("you said, we did").

    About the team, never about a person: the form says so. Shown on the team's charts, in the
    weekly digest, on the team's "What our team is doing" page and in the team's export.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="actions", verbose_name=_("team"))
    done_on = models.DateField(_("date"))
    description = models.CharField(_("what was done"), max_length=160)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("team action")
        verbose_name_plural = _("team actions")
        ordering = ["-done_on", "-pk"]
        indexes = [
            # A dashboard, digest or team page reads one team's actions over a range of dates.
            models.Index(fields=["team", "done_on"], name="team_action_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.done_on.isoformat()} · {self.description}"


class TalkRequestQuerySet(models.QuerySet):
    def open(self, now=None) -> TalkRequestQuerySet:
        """Requests that have not closed: younger than TalkRequest.OPEN_FOR and not withdrawn."""
        now = now or timezone.now()
        return self.filter(created_at__gt=now - TalkRequest.OPEN_FOR, withdrawn_at__isnull=True)


class TalkRequest(models.Model):
    """Someone asked one person (a supervisor of their teams, or their organisation's support
    person) for a conversation. Tied to no check-in and carrying none of their answers.

    Only the two of them ever see it. It closes on its own after OPEN_FOR.
    """

    OPEN_FOR = dt.timedelta(days=14)
    NOTE_LENGTH = 200

    requester = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="talk_requests_made", verbose_name=_("asked by")
    )
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="talk_requests_received", verbose_name=_("asked")
    )
    note = models.CharField(_("one line, if you like"), max_length=NOTE_LENGTH, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("“I'll be in touch”"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = TalkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("talk request")
        verbose_name_plural = _("talk requests")
        ordering = ["-created_at"]
        indexes = [
            # "Talk requests" lists a recipient's requests, newest first; the person's own page lists theirs.
            models.Index(fields=["recipient", "-created_at"], name="talk_request_recipient_idx"),
            models.Index(fields=["requester", "-created_at"], name="talk_request_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}"

    @property
    def closes_at(self) -> dt.datetime:
        return self.created_at + self.OPEN_FOR

    def is_open(self, now=None) -> bool:
        return self.withdrawn_at is None and (now or timezone.now()) < self.closes_at
