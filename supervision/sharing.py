"""Consent-based sharing of one check-in with the author's supervisors."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated
from checkins.models import CheckIn

from .models import SharedCheckIn, supervisors_of


@transaction.atomic
def do_share(checkin: CheckIn, *, ratings: bool, practices: bool, wants_to_talk: bool) -> SharedCheckIn | None:
    """Record what the author chose; nothing chosen means withdrawn. Returns the active share, if any."""
    share = SharedCheckIn.objects.select_for_update().filter(checkin=checkin).first()
    if not (ratings or practices or wants_to_talk):
        if share is not None and share.withdrawn_at is None:
            share.withdraw()
        return None
    asked_before = share is not None and share.withdrawn_at is None and share.wants_to_talk
    share = share or SharedCheckIn(checkin=checkin)
    share.share_ratings, share.share_practices, share.wants_to_talk = ratings, practices, wants_to_talk
    share.withdrawn_at = None
    share.save()
    if wants_to_talk and not asked_before:
        person = checkin.user
        transaction.on_commit(lambda: send_talk_request(person))
    return share


def do_withdraw(checkin: CheckIn) -> None:
    share = SharedCheckIn.objects.filter(checkin=checkin, withdrawn_at__isnull=True).first()
    if share is not None:
        share.withdraw()


def send_talk_request(person) -> int:
    """Tell the person's supervisors they would like to talk: their name and a link, no values."""
    link = reverse("supervision:shared")
    sent = 0
    for supervisor in supervisors_of(person):
        send_templated(
            "talk-request",
            supervisor.email,
            {"person_name": str(person), "supervisor": supervisor, "path": link, "sent_at": timezone.now()},
            language=supervisor.language or None,
        )
        sent += 1
    return sent
