"""Signed, expiring links in reminder emails: snooze a day, snooze a week, stop reminders.

The token is the only credential: whoever holds the email may use its links, without
signing in, for `LINK_MAX_AGE`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "reminders.links"
LINK_MAX_AGE = timedelta(days=14)
SNOOZE_DAYS = {"day": 1, "week": 7}


def make_token(user_id: int, action: str) -> str:
    return signing.dumps({"u": user_id, "a": action}, salt=SALT, compress=True)


def read_token(token: str, action: str) -> int | None:
    """The person a token was made for, or None if it is forged, expired or for another action."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("a") != action or not isinstance(payload.get("u"), int):
        return None
    return payload["u"]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def stop_url(user_id: int) -> str:
    return absolute(reverse("reminders:stop", args=[make_token(user_id, "stop")]))


def snooze_url(user_id: int, length: str) -> str:
    return absolute(reverse("reminders:snooze", args=[length, make_token(user_id, f"snooze-{length}")]))
