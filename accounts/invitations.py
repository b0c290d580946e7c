"""Invitation links: signed, expiring, and usable once.

The token carries the person's id and a fingerprint of their current password
hash. Setting a password changes the hash, so the link stops working after its
first use; the signature's timestamp makes it expire after INVITATION_MAX_AGE.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .emails import send_templated
from .models import User

_SALT = "accounts.invitation"


def _password_fingerprint(user: User) -> str:
    return salted_hmac(_SALT, user.password).hexdigest()[:16]


def make_invitation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "p": _password_fingerprint(user)}, salt=_SALT, compress=True)


def user_for_invitation_token(token: str) -> User | None:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True, left_on=None).first()
    if user is None or not constant_time_compare(str(payload.get("p", "")), _password_fingerprint(user)):
        return None
    return user


def send_invitation(user: User, invited_by: User | None = None) -> None:
    teams = list(
        user.memberships.current().select_related("team").order_by("team__name").values_list("team__name", flat=True)
    )
    link = settings.SITE_URL + reverse("accept_invitation", args=[make_invitation_token(user)])
    send_templated(
        "invitation",
        user.email,
        {
            "user": user,
            "invited_by": invited_by,
            "organisation": user.organisation,
            "teams": teams,
            "link": link,
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
        language=user.language or None,
    )


def queue_invitations(user_ids: list[int], invited_by: User | None = None) -> None:
    """Queue one invitation per person once the current transaction commits (nothing if it rolls back)."""
    from .tasks import send_invitation_task

    invited_by_id = invited_by.pk if invited_by is not None else None
    ids = list(user_ids)

    def enqueue() -> None:
        for user_id in ids:
            send_invitation_task.delay(user_id, invited_by_id)

    transaction.on_commit(enqueue)
