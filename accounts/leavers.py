"""People who leave the organisation.

Marking someone as left ends their memberships (dated, through accounts.memberships), so
reminders and team figures stop counting them from their next week; stops invitations;
signs them out everywhere; and tells the apps above (`person_left`), which apply the
organisation's retention rule to their check-ins. For `Organisation.leaver_access_days`
they can still sign in, only to download or erase their own data; then the account is
closed and their check-ins erased (checkins.leavers). docs/admins.md explains the choice.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from . import audit, memberships
from .models import AuditEvent, User

# Sent inside the transaction that marks `person` as left; receivers act on their own data.
person_left = Signal()


def access_closes_on(person: User) -> dt.date | None:
    """The last day a leaver can still sign in to their own data (None if they have not left)."""
    if person.left_on is None:
        return None
    days = person.organisation.leaver_access_days if person.organisation is not None else 0
    return person.left_on + dt.timedelta(days=days)


def end_sessions(person: User) -> int:
    """Sign the person out on every device: delete each unexpired session that belongs to them."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def do_mark_left(person: User, *, actor=None) -> bool:
    """Mark `person` as having left today (the organisation's date); False if they already had."""
    if person.left_on is not None:
        return False
    organisation = person.organisation
    today = organisation.today() if organisation else timezone.now().date()
    with transaction.atomic():
        for membership in person.memberships.current().select_related("user", "team__organisation"):
            memberships.do_end_membership(membership, actor=actor, ended_on=max(today, membership.started_on))
        person.left_on = today
        # A leaver keeps no admin rights, even during the days they may still sign in.
        person.is_org_admin = False
        person.is_staff = person.is_superuser
        person.save(update_fields=["left_on", "is_org_admin", "is_staff"])
        audit.record(
            AuditEvent.Action.PERSON_LEFT,
            actor=actor,
            organisation_id=person.organisation_id,
            detail={
                "person": memberships.person_ref(person),
                "on": today.isoformat(),
                "access_until": str(access_closes_on(person)),
            },
        )
        end_sessions(person)
        person_left.send(sender=User, person=person)
    return True
