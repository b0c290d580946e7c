"""Changing the smallest group shown (k): raising it is safe at once, lowering it never is.

A lower k would show cells that were hidden before. If it applied at once, an organisation
admin could lower it, look, and raise it again; and staff would find their figures shown
under a rule they were never told about. So a lower k waits: it applies from the Monday of
the first week whose Sunday is at least K_LOWERING_NOTICE_DAYS after today (the
organisation's date), and everyone in the organisation is emailed what changes and from
which week. Publishing (`supervision.publishing.publish_week`) folds the scheduled value into
`anonymity_k` when it publishes that week. A higher k applies at the next publication.

`do_change_k` is the one way the admin changes k; it records the change in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit
from .emails import send_templated
from .models import AuditEvent, Organisation, User
from .weeks import first_closed_day

logger = logging.getLogger(__name__)

K_LOWERING_NOTICE_DAYS = 14


def first_week_for_lower_k(today: dt.date) -> dt.date:
    """The Monday of the first week whose Sunday is at least K_LOWERING_NOTICE_DAYS after `today`.

    That week closes (Sunday plus the late window) later still, so a lower k always reaches
    its first published week with at least two weeks' notice.
    """
    earliest_sunday = today + dt.timedelta(days=K_LOWERING_NOTICE_DAYS)
    sunday = earliest_sunday + dt.timedelta(days=(6 - earliest_sunday.weekday()) % 7)
    return sunday - dt.timedelta(days=6)


def target_k(organisation: Organisation) -> int:
    """The k the admin has asked for: the scheduled lower k if there is one, else the k in force."""
    if organisation.lowered_k is not None and organisation.lowered_k_from is not None:
        return organisation.lowered_k
    return organisation.anonymity_k


@dataclass(frozen=True)
class KChange:
    action: str  # an AuditEvent.Action value, or "" when nothing changed
    old_k: int
    new_k: int
    applies_from: dt.date | None  # the Monday from which a lower k applies; None: the next publication

    @property
    def changed(self) -> bool:
        return bool(self.action)


def do_change_k(organisation: Organisation, new_k: int, *, actor=None, today: dt.date | None = None) -> KChange:
    """Ask for `new_k` as the organisation's smallest group shown, and save.

    - the same as what is already asked for (the k in force, or the scheduled lower k):
      nothing changes, nobody is emailed again;
    - at least the k in force: it applies at the next publication and any scheduled lowering
      is cancelled;
    - between a scheduled lower k and the k in force: the scheduled value goes up, from the
      same week (a higher value is always safe);
    - anything lower: it is scheduled from `first_week_for_lower_k(today)`.
    Everyone in the organisation is emailed when a lowering is scheduled, changed or cancelled.
    """
    new_k = int(new_k)
    today = today or organisation.today()
    in_force = organisation.anonymity_k
    scheduled = organisation.lowered_k if organisation.lowered_k_from is not None else None
    scheduled_from = organisation.lowered_k_from if scheduled is not None else None
    old_target = target_k(organisation)
    if new_k == old_target:
        return KChange("", old_target, new_k, scheduled_from)

    if new_k >= in_force:
        organisation.anonymity_k = new_k
        organisation.lowered_k = organisation.lowered_k_from = None
        if new_k > in_force:
            change = KChange(AuditEvent.Action.K_RAISED, in_force, new_k, None)
        else:
            change = KChange(AuditEvent.Action.K_LOWERING_CANCELLED, old_target, new_k, None)
    elif scheduled is not None and new_k > scheduled:
        organisation.lowered_k = new_k
        change = KChange(AuditEvent.Action.K_LOWERING_SCHEDULED, old_target, new_k, scheduled_from)
    else:
        applies_from = first_week_for_lower_k(today)
        if scheduled_from is not None:
            applies_from = max(applies_from, scheduled_from)
        organisation.lowered_k = new_k
        organisation.lowered_k_from = applies_from
        change = KChange(AuditEvent.Action.K_LOWERING_SCHEDULED, old_target, new_k, applies_from)

    organisation.save(update_fields=["anonymity_k", "lowered_k", "lowered_k_from"])
    audit.record(
        change.action,
        actor=actor,
        organisation_id=organisation.pk,
        detail={
            "field": "anonymity_k",
            "k_in_force": {"before": in_force, "after": organisation.anonymity_k},
            "scheduled_lower_k": {
                "before": _schedule_detail(scheduled, scheduled_from),
                "after": _schedule_detail(organisation.lowered_k, organisation.lowered_k_from),
            },
            "old": change.old_k,
            "new": change.new_k,
            "applies_from": change.applies_from.isoformat() if change.applies_from else "next publication",
        },
    )
    if change.action == AuditEvent.Action.K_LOWERING_SCHEDULED or scheduled is not None:
        # Staff were told of a lowering, or are told now: they hear of every change to it.
        transaction.on_commit(lambda: tell_everyone(organisation.pk, change, announced_k=scheduled))
    return change


def _schedule_detail(k: int | None, monday: dt.date | None) -> dict | None:
    if k is None or monday is None:
        return None
    return {"k": k, "from_week": monday.isoformat()}


def tell_everyone(organisation_id: int, change: KChange, announced_k: int | None = None) -> int:
    """Email every active person of the organisation what changed and from which week; one email each.

    `announced_k` is the lower k they were told of before this change, if any.
    """
    organisation = Organisation.objects.get(pk=organisation_id)
    people = User.objects.filter(organisation_id=organisation_id, is_active=True).order_by("pk")
    privacy_url = reverse("checkins:privacy")
    lowered = change.action == AuditEvent.Action.K_LOWERING_SCHEDULED
    sent = 0
    for person in people.iterator():
        context = {
            "user": person,
            "organisation": organisation,
            "lowered": lowered,
            "announced_k": announced_k,
            "new_k": change.new_k,
            "k_in_force": organisation.anonymity_k,
            "applies_from": change.applies_from,
            "applies_to": change.applies_from + dt.timedelta(days=6) if change.applies_from else None,
            "first_published_on": first_closed_day(change.applies_from) if change.applies_from else None,
            "privacy_path": privacy_url,
        }
        try:
            send_templated("k-change", person.email, context, language=person.language or None)
        except Exception:  # one unreachable address must not stop everyone else's email
            logger.exception("could not email person %s about a change of k", person.pk)
            continue
        sent += 1
    return sent


def describe_schedule(organisation: Organisation) -> str:
    """A plain sentence about the scheduled change, for the admin page."""
    if organisation.lowered_k is None or organisation.lowered_k_from is None:
        return _(
            "No change is scheduled. The smallest group shown is %(k)d: a team's figures appear only "
            "when at least %(k)d different people checked in."
        ) % {"k": organisation.anonymity_k}
    return _(
        "From the week of Monday %(monday)s, the smallest group shown will be %(new)d instead of %(old)d. "
        "Weeks before it keep %(old)d; that week is first published on %(published)s. Everyone in the "
        "organisation was emailed about it."
    ) % {
        "monday": date_format(organisation.lowered_k_from, "j F Y"),
        "new": organisation.lowered_k,
        "old": organisation.anonymity_k,
        "published": date_format(first_closed_day(organisation.lowered_k_from), "j F Y"),
    }
