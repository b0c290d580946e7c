"""Demo shares and published weeks for `seed_demo`.

Two Child Protection staff share a recent check-in with Sam, and every closed week of the
demo history is published, as the "Publish closed weeks" task would. Idempotent, and a
no-op until check-in history exists (seeded by checkins/demo.py).
"""

from __future__ import annotations

from accounts.demo import demo_email
from checkins.models import CheckIn

from .models import SharedCheckIn
from .publishing import publish_due

# (handle, share ratings and practices, would like to talk)
DEMO_SHARES = (("ana", True, False), ("ben", False, True))


def extend(organisation) -> None:
    _share(organisation)
    publish_due(organisations=[organisation])


def _share(organisation) -> None:
    for handle, share_values, wants_to_talk in DEMO_SHARES:
        latest = (
            CheckIn.objects.filter(user__email=demo_email(handle), user__organisation=organisation)
            .order_by("-local_date")
            .first()
        )
        if latest is None or SharedCheckIn.objects.filter(checkin__user=latest.user).exists():
            continue
        SharedCheckIn.objects.create(
            checkin=latest, share_ratings=share_values, share_practices=share_values, wants_to_talk=wants_to_talk
        )
