"""What happens to a leaver's check-ins (accounts.leavers marks them as left).

On leaving, the organisation's retention rule is applied to their check-ins at once. While
their access window lasts they may download or erase their own data; when it closes, the
account is closed and their check-ins are erased (published weeks are stored and do not change).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts import audit
from accounts.leavers import access_closes_on, end_sessions, person_left
from accounts.memberships import person_ref
from accounts.models import AuditEvent, User

from . import rollup
from .models import CheckIn


def _delete_checkins(checkins) -> int:
    CheckIn.practices.through.objects.filter(checkin__in=checkins).delete()
    _, per_model = checkins.delete()
    return per_model.get(CheckIn._meta.label, 0)


def apply_retention_to(person: User, today_utc: date) -> int:
    """Delete the person's check-ins older than their organisation's retention period."""
    organisation = person.organisation
    if organisation is None or organisation.retention_days is None:
        return 0
    cutoff = today_utc - timedelta(days=organisation.retention_days)
    deleted = _delete_checkins(CheckIn.objects.filter(user=person, local_date__lt=cutoff))
    if deleted:
        rollup.rebuild(User.objects.filter(pk=person.pk), end=cutoff)
    return deleted


def do_close_leaver(person: User) -> int:
    """Close a leaver's account: no more sign-in, and their check-ins erased. Returns check-ins erased."""
    with transaction.atomic():
        rollup.forget(person.pk)
        erased = _delete_checkins(CheckIn.objects.filter(user=person))
        person.is_active = False
        person.save(update_fields=["is_active"])
        end_sessions(person)
        audit.record(
            AuditEvent.Action.LEAVER_CLOSED,
            organisation_id=person.organisation_id,
            detail={"person": person_ref(person), "left_on": str(person.left_on)},
        )
    return erased


def do_close_leavers(today: date) -> int:
    """Close every leaver whose access window has passed; returns how many were closed."""
    closed = 0
    for person in User.objects.filter(left_on__isnull=False, is_active=True).select_related("organisation"):
        closes_on = access_closes_on(person)
        if closes_on is not None and closes_on <= today:
            do_close_leaver(person)
            closed += 1
    return closed


@receiver(person_left, dispatch_uid="checkins_leaver_rules")
def apply_rules_to_leaver(sender, person: User, **kwargs) -> None:
    apply_retention_to(person, timezone.now().date())
    closes_on = access_closes_on(person)
    if closes_on is not None and person.left_on is not None and closes_on <= person.left_on:
        do_close_leaver(person)
