"""Team actions ("you said, we did"): recorded by a team's supervisors or its organisation's admins,
shown to the team, on its charts, in the digest and the export, and kept in the audit log."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.models import AuditEvent, Membership, Team, User

from .models import TeamAction

# How far ahead an action may be dated: a plan for next week is fine, not next year.
MAX_DAYS_AHEAD = 31


class TeamActionForm(forms.ModelForm):
    class Meta:
        model = TeamAction
        fields = ["done_on", "description"]
        widgets = {
            "done_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.TextInput(attrs={"maxlength": 160, "autocomplete": "off"}),
        }
        labels = {"done_on": _("When"), "description": _("What the team or organisation did")}
        help_texts = {
            "description": _(
                "About the team, never about one person: do not name or describe anyone. "
                "For example: “rotated the two hardest cases”, “protected Friday afternoons for admin”, "
                "“cover arranged for leave”."
            ),
        }

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["done_on"].initial = today

    def clean_done_on(self) -> dt.date:
        day = self.cleaned_data["done_on"]
        if day > self.today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Please choose a date within the next month."))
        if day < self.today - dt.timedelta(days=366):
            raise forms.ValidationError(_("Please choose a date within the last year."))
        return day

    def clean_description(self) -> str:
        text = " ".join(self.cleaned_data["description"].split())
        if not text:
            raise forms.ValidationError(_("Please say in a few words what was done."))
        return text


def can_record(user: User, team: Team) -> bool:
    """A current supervisor of the team, or an admin of its organisation."""
    if user.is_org_admin and user.organisation_id == team.organisation_id:
        return True
    return Membership.objects.current().filter(user=user, team=team, role=Membership.Role.SUPERVISOR).exists()


def _detail(action: TeamAction) -> dict:
    return {
        "team": {"id": action.team_id, "name": action.team.name},
        "action": action.pk,
        "done_on": action.done_on.isoformat(),
        "description": action.description,
    }


@transaction.atomic
def do_record(team: Team, actor: User, done_on: dt.date, description: str) -> TeamAction:
    action = TeamAction.objects.create(team=team, created_by=actor, done_on=done_on, description=description)
    audit.record(AuditEvent.Action.TEAM_ACTION_RECORDED, actor=actor, team=team, detail=_detail(action))
    return action


@transaction.atomic
def do_delete(action: TeamAction, actor: User) -> None:
    audit.record(AuditEvent.Action.TEAM_ACTION_DELETED, actor=actor, team=action.team, detail=_detail(action))
    action.delete()
