"""Changing who is in which team, with history kept, an audit entry and a word to the person.

Memberships are dated (`Membership.started_on`, `ended_on`). Nothing here rewrites or deletes
the past: taking someone out of a team ends their membership, moving them ends the old one
and starts a new one the same day, and changing a role does the same within the team. Each
verb records one audit event with the before and after, and a person who joins a team is
emailed which team it is, how many members it has and who supervises it.

The admin (accounts/admin.py) calls these verbs; nothing else should change memberships.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse

from . import audit
from .emails import send_templated
from .models import AuditEvent, Membership, Team, User
from .places import team_facts
from .weeks import first_whole_week

logger = logging.getLogger(__name__)


class MembershipError(Exception):
    """A membership change that cannot be made, with a message for the admin."""


def person_ref(user: User) -> dict:
    """How the audit log names a person: id, email and the name shown in the admin."""
    return {"id": user.pk, "email": user.email, "name": str(user)}


def _team(team: Team) -> dict:
    return {"id": team.pk, "name": team.name}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def membership_detail(membership: Membership) -> dict:
    """What the audit log keeps about a membership: who, which team, role and dates. No check-in data."""
    return {
        "membership_id": membership.pk,
        "person": person_ref(membership.user),
        "team": _team(membership.team),
        "role": membership.role,
        "from": _day(membership.started_on),
        "until": _day(membership.ended_on),
    }


def _record(action: str, membership: Membership, actor, **extra) -> None:
    audit.record(
        action,
        actor=actor,
        organisation_id=membership.team.organisation_id,
        team=membership.team,
        detail={**membership_detail(membership), **extra},
    )


def do_start_membership(
    user: User,
    team: Team,
    role: str = Membership.Role.MEMBER,
    *,
    actor=None,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    notify: bool = True,
) -> Membership:
    """Put `user` in `team` from `started_on` (default: the organisation's today) and tell them."""
    started_on = started_on or team.organisation.today()
    membership = Membership(user=user, team=team, role=role, started_on=started_on, ended_on=ended_on)
    return do_add_membership(membership, actor=actor, notify=notify)


def do_add_membership(membership: Membership, *, actor=None, notify: bool = True) -> Membership:
    """Save a new membership (from a form), record it, and tell the person if it is current."""
    if membership.user.organisation_id != membership.team.organisation_id:
        raise MembershipError("A person can only join teams of their own organisation.")
    if membership.started_on is None:
        membership.started_on = membership.team.organisation.today()
    membership.full_clean()
    membership.save()
    _record(AuditEvent.Action.MEMBERSHIP_STARTED, membership, actor)
    if notify and membership.is_current:
        notify_on_commit(membership)
    return membership


def do_end_membership(membership: Membership, *, actor=None, ended_on: dt.date | None = None) -> bool:
    """End a current membership on `ended_on` (default: the organisation's today); False if it had ended."""
    if not membership.is_current:
        return False
    ended_on = ended_on or membership.team.organisation.today()
    if ended_on < membership.started_on:
        raise MembershipError("A membership cannot end before it starts.")
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    _record(
        AuditEvent.Action.MEMBERSHIP_ENDED, membership, actor, before={"until": None}, after={"until": _day(ended_on)}
    )
    return True


def _end_for_replacement(membership: Membership, today: dt.date) -> None:
    """End a membership today to start another in its place; a row that started today ends today too."""
    membership.ended_on = max(today, membership.started_on)
    membership.save(update_fields=["ended_on"])


def do_move_membership(membership: Membership, new_team: Team, *, actor=None, notify: bool = True) -> Membership:
    """Move a person from their team to `new_team` in one step, with the same role.

    The old membership ends today (the organisation's date) and the new one starts today,
    so neither team's past weeks change and the person counts in the new team from its
    first whole week.
    """
    old_team = membership.team
    if not membership.is_current:
        raise MembershipError("This membership has already ended.")
    if new_team.pk == old_team.pk:
        raise MembershipError("The person is already in this team.")
    if new_team.organisation_id != old_team.organisation_id:
        raise MembershipError("A person can only move to a team of their own organisation.")
    if Membership.objects.current().filter(user_id=membership.user_id, team=new_team).exists():
        raise MembershipError("The person is already in that team.")
    today = old_team.organisation.today()
    with transaction.atomic():
        _end_for_replacement(membership, today)
        new = Membership.objects.create(user=membership.user, team=new_team, role=membership.role, started_on=today)
    audit.record(
        AuditEvent.Action.MEMBERSHIP_MOVED,
        actor=actor,
        organisation_id=new_team.organisation_id,
        team=new_team,
        detail={
            "person": person_ref(membership.user),
            "role": membership.role,
            "from_team": _team(old_team),
            "to_team": _team(new_team),
            "on": today.isoformat(),
            "before": {
                "membership_id": membership.pk,
                "team": old_team.name,
                "from": _day(membership.started_on),
                "until": None,
            },
            "after": [
                {
                    "membership_id": membership.pk,
                    "team": old_team.name,
                    "from": _day(membership.started_on),
                    "until": _day(membership.ended_on),
                },
                {"membership_id": new.pk, "team": new_team.name, "from": _day(new.started_on), "until": None},
            ],
        },
    )
    if notify:
        notify_on_commit(new, moved_from=old_team)
    return new


def do_change_role(membership: Membership, role: str, *, actor=None) -> Membership:
    """Change a person's role in a team: the membership ends today and one with the new role starts today."""
    if not membership.is_current:
        raise MembershipError("This membership has already ended.")
    if role == membership.role:
        return membership
    old_role = membership.role
    today = membership.team.organisation.today()
    with transaction.atomic():
        _end_for_replacement(membership, today)
        new = Membership.objects.create(user=membership.user, team=membership.team, role=role, started_on=today)
    _record(
        AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED,
        new,
        actor,
        before={"membership_id": membership.pk, "role": old_role, "from": _day(membership.started_on), "until": None},
        after=[
            {
                "membership_id": membership.pk,
                "role": old_role,
                "from": _day(membership.started_on),
                "until": _day(membership.ended_on),
            },
            {"membership_id": new.pk, "role": role, "from": _day(new.started_on), "until": None},
        ],
    )
    return new


def do_change_membership_dates(
    membership: Membership, *, started_on: dt.date, ended_on: dt.date | None, actor=None
) -> bool:
    """Correct the dates of a membership (already validated); False if they are unchanged.

    Published weeks are stored, so a correction only affects weeks not yet published.
    """
    before = {"from": _day(membership.started_on), "until": _day(membership.ended_on)}
    after = {"from": _day(started_on), "until": _day(ended_on)}
    if before == after:
        return False
    was_current = membership.is_current
    membership.started_on = started_on
    membership.ended_on = ended_on
    membership.full_clean()
    membership.save(update_fields=["started_on", "ended_on"])
    action = AuditEvent.Action.MEMBERSHIP_ENDED if was_current and ended_on else AuditEvent.Action.MEMBERSHIP_CHANGED
    _record(action, membership, actor, before=before, after=after)
    return True


def do_delete_membership(membership: Membership, *, actor=None) -> None:
    """Delete a membership outright (superusers only: it erases history)."""
    detail = membership_detail(membership)
    team = membership.team
    membership.delete()
    audit.record(
        AuditEvent.Action.MEMBERSHIP_DELETED,
        actor=actor,
        organisation_id=team.organisation_id,
        team=team,
        detail=detail,
    )


# --- Telling the person ---------------------------------------------------------------------


def notify_on_commit(membership: Membership, moved_from: Team | None = None) -> None:
    membership_id, moved_from_name = membership.pk, moved_from.name if moved_from else None
    transaction.on_commit(lambda: tell_person_about_team(membership_id, moved_from_name))


def tell_person_about_team(membership_id: int, moved_from: str | None = None) -> bool:
    """Email the person which team they joined, how many members it has and who supervises it."""
    membership = Membership.objects.select_related("user", "team__organisation").filter(pk=membership_id).first()
    if membership is None or not membership.is_current or not membership.user.is_active:
        return False
    team, person = membership.team, membership.user
    organisation = team.organisation
    members, supervisors = team_facts([team])[team.pk]
    k = organisation.anonymity_k
    context = {
        "user": person,
        "team": team,
        "organisation": organisation,
        "role": membership.role,
        "is_supervisor": membership.role == Membership.Role.SUPERVISOR,
        "moved_from": moved_from,
        "members": members,
        "supervisors": supervisors,
        "groups": list(team.groups.order_by("name").values_list("name", flat=True)),
        "k": k,
        "too_small": members < k,
        "first_week": first_whole_week(membership.started_on),
        "privacy_path": reverse("checkins:privacy"),
    }
    try:
        send_templated("team-joined", person.email, context, language=person.language or None)
    except Exception:  # the change is made and audited; a mail server problem must not undo it
        logger.exception("could not email person %s about joining team %s", person.pk, team.pk)
        return False
    return True
