"""Invitations sent in bulk (an import, a resend to many) go through Celery, throttled to a pace
the mail server accepts (settings.INVITATION_RATE_LIMIT, per worker)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .emails import TRANSIENT_ERRORS
from .invitations import send_invitation
from .models import User


@shared_task(
    name="accounts.send_invitation",
    rate_limit=settings.INVITATION_RATE_LIMIT,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=5,
)
def send_invitation_task(user_id: int, invited_by_id: int | None = None) -> bool:
    """Email one invitation, unless the person has accepted, left or been removed since it was queued."""
    person = User.objects.select_related("organisation").filter(pk=user_id, is_active=True, left_on=None).first()
    if person is None or person.has_accepted_invitation:
        return False
    invited_by = User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
    send_invitation(person, invited_by=invited_by)
    return True
