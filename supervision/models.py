from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, User
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

    checkin = models.OneToOneField(
        CheckIn, on_delete=models.CASCADE, related_name="share", verbose_name=_("check-in")
    )
    share_ratings = models.BooleanField(_("share my ratings and scores"), default=False)
    share_practices = models.BooleanField(_("share the Reset practices I used"), default=False)
    wants_to_talk = models.BooleanField(_("I'd like to talk"), default=False)
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
        return self.share_ratings or self.share_practices or self.wants_to_talk

    def withdraw(self) -> None:
        self.withdrawn_at = timezone.now()
        self.share_ratings = self.share_practices = self.wants_to_talk = False
        self.save(update_fields=["withdrawn_at", "share_ratings", "share_practices", "wants_to_talk", "updated_at"])


def supervisors_of(person: User) -> models.QuerySet[User]:
    teams = Membership.objects.current().filter(user=person, role=Membership.Role.MEMBER).values("team_id")
    return (
        User.objects.filter(
            memberships__team_id__in=teams,
            memberships__role=Membership.Role.SUPERVISOR,
            memberships__ended_on__isnull=True,
            is_active=True,
        )
        .exclude(pk=person.pk)
        .distinct()
    )


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
