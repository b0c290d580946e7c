"""Invitation links: signed, expiring, and usable once.

The token carries the person's id and a fingerprint of their current password
hash. Setting a password changes the hash, so the link stops working after its
first use; the signature's timestamp makes it expire after INVITATION_MAX_AGE.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
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
    if not isinstance(payload, dict):
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(str(payload.get("p", "")), _password_fingerprint(user)):
        return None
    return user


def send_invitation(user: User, invited_by: User | None = None) -> None:
    link = settings.SITE_URL + reverse("accept_invitation", args=[make_invitation_token(user)])
    send_templated(
        "invitation",
        user.email,
        {
            "user": user,
            "invited_by": invited_by,
            "organisation": user.organisation,
            "link": link,
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
        language=user.language or None,
    )
