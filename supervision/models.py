from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from checkins.models import CheckIn


class SharedCheckInQuerySet(models.QuerySet):
    def active(self) -> SharedCheckInQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def visible_to_supervisor(self, supervisor: User) -> SharedCheckInQuerySet:
        """Active shares by members of any team this person supervises."""
        supervised = Membership.objects.filter(user=supervisor, role=Membership.Role.SUPERVISOR).values("team_id")
        members = Membership.objects.filter(team_id__in=supervised, role=Membership.Role.MEMBER).values("user_id")
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
    teams = Membership.objects.filter(user=person, role=Membership.Role.MEMBER).values("team_id")
    return (
        User.objects.filter(
            memberships__team_id__in=teams, memberships__role=Membership.Role.SUPERVISOR, is_active=True
        )
        .exclude(pk=person.pk)
        .distinct()
    )
