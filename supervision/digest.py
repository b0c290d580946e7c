"""The weekly supervisor digest: a newly published week's figures and prompts, per supervised team.

It is sent once per published week: the publication is claimed by a conditional update
(`digest_sent_at` from empty to now) and only the process that claimed it sends, so two
beats, two workers or a retried task never send it twice. It reads only stored cells.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.emails import send_templated
from accounts.models import AuditEvent, Membership

from . import dashboard
from .anonymity import Period, team_unit
from .models import Publication
from .publishing import PublishedGrid, published_grid
from .trends import MEASURES

# Digests wait for the working day in the organisation's time zone.
DIGEST_HOUR = 7


def team_summary(grid: PublishedGrid, team) -> dict:
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


def send_digest(publication: Publication) -> int:
    """Email every active supervisor in the publication's organisation about its week; how many were sent."""
    organisation = publication.organisation
    period = Period.week_of(publication.week)
    memberships = (
        Membership.objects.current()
        .filter(role=Membership.Role.SUPERVISOR, user__is_active=True, team__organisation=organisation)
        .select_related("user", "team")
        .order_by("user_id", "team__name")
    )
    teams_of: dict = defaultdict(list)
    for membership in memberships:
        teams_of[membership.user].append(membership.team)
    if not teams_of:
        return 0
    units = [team_unit(team.pk) for teams in teams_of.values() for team in teams]
    grid = published_grid(organisation, [period.previous(), period], units)
    for supervisor, teams in teams_of.items():
        sections = [team_summary(grid, team) for team in teams]
        send_templated(
            "digest",
            supervisor.email,
            {"supervisor": supervisor, "sections": sections, "period": period.label},
            language=supervisor.language or None,
        )
        for section in sections:
            audit.record(
                AuditEvent.Action.DIGEST_SENT,
                team=section["team"],
                period=section["period"],
                detail={"recipient": supervisor.pk, "published": bool(section["figures"])},
            )
    return len(teams_of)


def send_due_digests(now: dt.datetime | None = None, *, any_hour: bool = False) -> int:
    """Send the digest of each organisation's newest published week, once; returns emails sent.

    Only the newest week has a digest: weeks published while catching up are not mailed.
    """
    now = now or timezone.now()
    newest = Publication.objects.values("organisation_id").annotate(week=Max("week"))
    sent = 0
    for row in newest:
        publication = (
            Publication.objects.filter(organisation_id=row["organisation_id"], week=row["week"], digest_sent_at=None)
            .select_related("organisation")
            .first()
        )
        if publication is None:
            continue
        if not any_hour and now.astimezone(publication.organisation.tz).hour < DIGEST_HOUR:
            continue
        claimed = Publication.objects.filter(pk=publication.pk, digest_sent_at=None).update(digest_sent_at=now)
        if claimed:
            sent += send_digest(publication)
    return sent
