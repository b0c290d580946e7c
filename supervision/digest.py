"""The weekly supervisor digest: last week's published figures and prompts, per supervised team."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from accounts import audit
from accounts.emails import send_templated
from accounts.models import AuditEvent, Membership

from . import dashboard
from .anonymity import Grid, closed_periods, publishable_cells, team_unit
from .trends import MEASURES


def team_summary(grid: Grid, team) -> dict:
    unit = team_unit(team.pk)
    last = grid.periods[-1]
    figures = []
    if grid.cell(unit, last, "people").published:
        for row_cell, measure in zip(dashboard.table(grid, unit)["rows"][-1]["cells"], MEASURES, strict=True):
            if not row_cell["suppressed"]:
                figures.append({"label": measure.label, "text": row_cell["text"]})
    return {
        "team": team,
        "period": last.label,
        "figures": figures,
        "prompts": dashboard.prompts(grid, unit) if figures else [],
        "changes": dashboard.changes(grid, unit) if figures else [],
        "path": reverse("supervision:team_dashboard", args=[team.pk]),
    }


def send_weekly_digests(now: dt.datetime | None = None) -> int:
    """One email per active supervisor; returns how many were sent."""
    memberships = (
        Membership.objects.filter(role=Membership.Role.SUPERVISOR, user__is_active=True)
        .select_related("user", "team__organisation")
        .order_by("user_id", "team__name")
    )
    teams_of: dict = defaultdict(list)
    for membership in memberships:
        teams_of[membership.user].append(membership.team)
    grids: dict[int, Grid] = {}
    sent = 0
    for supervisor, teams in teams_of.items():
        sections = []
        for team in teams:
            organisation = team.organisation
            if organisation.pk not in grids:
                grids[organisation.pk] = publishable_cells(organisation, closed_periods(organisation, 2, now=now), now)
            sections.append(team_summary(grids[organisation.pk], team))
        send_templated(
            "digest",
            supervisor.email,
            {"supervisor": supervisor, "sections": sections, "period": sections[0]["period"]},
            language=supervisor.language or None,
        )
        for section in sections:
            audit.record(
                AuditEvent.Action.DIGEST_SENT,
                team=section["team"],
                period=section["period"],
                detail={"recipient": supervisor.pk, "published": bool(section["figures"])},
            )
        sent += 1
    return sent
