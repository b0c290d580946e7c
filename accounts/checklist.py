"""The organisation checklist on the admin index: what a new organisation admin still has to do.

Each app config may define `organisation_checklist(organisation) -> list[ChecklistItem]`, so
accounts never imports the apps above it (reminders adds "a reminder schedule").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Membership, Organisation, User


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    url: str
    order: int = 50


def needs_two_step(people: QuerySet) -> QuerySet:
    """People whose role asks for two-step sign-in: admins and current supervisors still here."""
    supervising = Membership.objects.current().filter(role=Membership.Role.SUPERVISOR).values("user_id")
    return people.filter(Q(is_org_admin=True) | Q(pk__in=supervising), is_active=True, left_on__isnull=True)


def _people_url(query: str = "") -> str:
    return reverse("admin:accounts_user_changelist") + (f"?{query}" if query else "")


def accounts_checklist(organisation: Organisation) -> list[ChecklistItem]:
    people = User.objects.filter(organisation=organisation, is_active=True, left_on__isnull=True)
    staff = people.filter(is_org_admin=False)
    invited = staff.count()
    pending = staff.filter(password__startswith="!").count()
    without_team = staff.exclude(pk__in=Membership.objects.current().values("user_id")).count()
    supervised_teams = (
        organisation.teams.filter(memberships__role=Membership.Role.SUPERVISOR, memberships__ended_on__isnull=True)
        .distinct()
        .count()
    )
    missing_two_step = needs_two_step(people).filter(two_factor_enabled=False).count()
    return [
        ChecklistItem(
            _("Support and crisis contacts are set, so staff know where to turn."),
            bool(organisation.support_contact.strip() and organisation.crisis_contact.strip()),
            reverse("admin:accounts_organisation_change", args=[organisation.pk]),
            order=10,
        ),
        ChecklistItem(
            ngettext("%(count)d team has a supervisor.", "%(count)d teams have a supervisor.", supervised_teams)
            % {"count": supervised_teams},
            supervised_teams > 0,
            reverse("admin:accounts_team_changelist"),
            order=20,
        ),
        ChecklistItem(
            ngettext(
                "%(invited)d person invited, %(accepted)d accepted.",
                "%(invited)d people invited, %(accepted)d accepted.",
                invited,
            )
            % {"invited": invited, "accepted": invited - pending},
            invited > 0 and pending == 0,
            _people_url("invitation=pending") if pending else _people_url(),
            order=40,
        ),
        ChecklistItem(
            ngettext("%(count)d person has no team yet.", "%(count)d people have no team yet.", without_team)
            % {"count": without_team},
            without_team == 0,
            _people_url("place=none"),
            order=45,
        ),
        ChecklistItem(
            ngettext(
                "Two-step sign-in is on for every admin and supervisor, except %(count)d person.",
                "Two-step sign-in is on for every admin and supervisor, except %(count)d people.",
                missing_two_step,
            )
            % {"count": missing_two_step}
            if missing_two_step
            else _("Two-step sign-in is on for every admin and supervisor."),
            missing_two_step == 0,
            _people_url("two_step=missing"),
            order=50,
        ),
    ]


def checklist_for(organisation: Organisation) -> list[ChecklistItem]:
    items = accounts_checklist(organisation)
    for config in apps.get_app_configs():
        provider = getattr(config, "organisation_checklist", None)
        if provider is not None:
            items.extend(provider(organisation))
    return sorted(items, key=lambda item: item.order)
