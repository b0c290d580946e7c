"""Consent-based sharing of one check-in with the author's supervisors."""

from __future__ import annotations

from django.db import transaction

from checkins.models import CheckIn

from .models import SharedCheckIn


@transaction.atomic
def do_share(checkin: CheckIn, *, ratings: bool, practices: bool) -> SharedCheckIn | None:
    """Record what the author chose; nothing chosen means withdrawn. Returns the active share, if any."""
    share = SharedCheckIn.objects.select_for_update().filter(checkin=checkin).first()
    if not (ratings or practices):
        if share is not None and share.withdrawn_at is None:
            share.withdraw()
        return None
    share = share or SharedCheckIn(checkin=checkin)
    share.share_ratings, share.share_practices = ratings, practices
    share.withdrawn_at = None
    share.save()
    return share


def do_withdraw(checkin: CheckIn) -> None:
    share = SharedCheckIn.objects.filter(checkin=checkin, withdrawn_at__isnull=True).first()
    if share is not None:
        share.withdraw()
