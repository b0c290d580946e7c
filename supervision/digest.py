"""The weekly supervisor digest: a newly published week's figures and prompts, per supervised team.

Exactly once per supervisor and published week, in the style of reminder deliveries:

1. Once the newest published week of an organisation is due (07:00 in its time zone), one tick
   claims the publication (`digests_created_at` from empty to now) and, in the same transaction,
   inserts one `DigestDelivery` per active supervisor under a unique (publication, supervisor)
   constraint.
2. Every tick sends the pending rows: a send first claims its row by a conditional update from
   pending to sending, so two beats, two workers or a retried task never send one twice.
3. A row left in sending (a worker killed mid-send) is marked failed after INTERRUPTED_AFTER and
   never sent again: it may have gone out. Pending rows left by a killed worker are sent by the
   next tick.

It reads only stored cells.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts import audit
from accounts.emails import TRANSIENT_ERRORS, send_templated
from accounts.models import AuditEvent, Membership, Team, User

from . import dashboard, prompts
from .anonymity import Period, team_unit
from .models import DigestDelivery, Publication, TeamAction
from .publishing import PublishedGrid, published_grid

logger = logging.getLogger(__name__)

# Digests wait for the working day in the organisation's time zone.
DIGEST_HOUR = 7
# A row still being sent after this long was interrupted (a killed worker): it is given up, not resent.
INTERRUPTED_AFTER = dt.timedelta(minutes=15)
# A mail server or network failure puts the row back to pending for the next tick, this many times in all.
MAX_ATTEMPTS = 3
# The digest lists the team actions of the last few weeks, so a quiet week still shows what was done.
RECENT_ACTION_WEEKS = 4


def team_summary(grid: PublishedGrid, team, actions=()) -> dict:
    unit = team_unit(team.pk)
    last = grid.periods[-1]
    published = grid.cell(unit, last, "people").published
    return {
        "team": team,
        "period": last.label,
        "week": dashboard.week_label(last),
        "published": published,
        "people": dashboard.cell_text(grid, unit, last, "people")["text"] if published else "",
        "prompts": prompts.prompts(grid, unit) if published else [],
        "readings": [line for line in dashboard.readings(grid, unit) if line["reading"]] if published else [],
        "actions": [
            {"day": date_format(action.done_on, "j M Y"), "description": action.description} for action in actions
        ],
        "path": reverse("supervision:team_dashboard", args=[team.pk]),
    }


def recent_actions(teams: list[Team], last: Period) -> dict[int, list[TeamAction]]:
    """Each team's actions of the last RECENT_ACTION_WEEKS weeks up to the digest's week, oldest first."""
    since = last.start - dt.timedelta(weeks=RECENT_ACTION_WEEKS - 1)
    found: dict[int, list[TeamAction]] = {team.pk: [] for team in teams}
    for action in TeamAction.objects.filter(team__in=teams, done_on__gte=since, done_on__lte=last.end).order_by(
        "done_on", "pk"
    ):
        found[action.team_id].append(action)
    return found


def supervised_teams(organisation_id: int, supervisor_ids: list[int] | None = None) -> dict[int, list[Team]]:
    """{supervisor id: teams, by name} for the organisation's active supervisors whose membership has not ended."""
    memberships = Membership.objects.current().filter(
        role=Membership.Role.SUPERVISOR, user__is_active=True, team__organisation_id=organisation_id
    )
    if supervisor_ids is not None:
        memberships = memberships.filter(user_id__in=supervisor_ids)
    teams_of: dict[int, list[Team]] = defaultdict(list)
    for membership in memberships.select_related("team").order_by("user_id", "team__name", "team_id"):
        if membership.team not in teams_of[membership.user_id]:
            teams_of[membership.user_id].append(membership.team)
    return dict(teams_of)


def email_digest(publication: Publication, supervisor: User, teams: list[Team], grid: PublishedGrid) -> None:
    """Email one supervisor the publication's week for their teams, and record it in the audit log."""
    period = Period.week_of(publication.week)
    actions = recent_actions(teams, period)
    with translation.override(supervisor.language or settings.LANGUAGE_CODE):
        sections = [team_summary(grid, team, actions[team.pk]) for team in teams]
        week = dashboard.week_label(period)
    send_templated(
        "digest",
        supervisor.email,
        {"supervisor": supervisor, "sections": sections, "period": period.label, "week": week},
        language=supervisor.language or None,
    )
    for section in sections:
        audit.record(
            AuditEvent.Action.DIGEST_SENT,
            team=section["team"],
            period=section["period"],
            detail={"recipient": supervisor.pk, "published": section["published"]},
        )


def digest_grid(publication: Publication) -> PublishedGrid:
    """The stored cells a digest of this week reads: every team of the organisation, that week and the one before."""
    period = Period.week_of(publication.week)
    team_ids = Team.objects.filter(organisation_id=publication.organisation_id).values_list("pk", flat=True)
    return published_grid(publication.organisation, [period.previous(), period], [team_unit(pk) for pk in team_ids])


def create_deliveries(publication: Publication, now: dt.datetime) -> int:
    """Create the week's rows, one per active supervisor, once; how many were created (0 if already done)."""
    with transaction.atomic():
        claimed = Publication.objects.filter(pk=publication.pk, digests_created_at=None).update(digests_created_at=now)
        if not claimed:
            return 0
        supervisors = supervised_teams(publication.organisation_id)
        DigestDelivery.objects.bulk_create(
            [DigestDelivery(publication=publication, supervisor_id=pk, created_at=now) for pk in supervisors],
            ignore_conflicts=True,
        )
    return len(supervisors)


def _finish(delivery_id: int, status: str, **fields) -> None:
    DigestDelivery.objects.filter(pk=delivery_id, status=DigestDelivery.Status.SENDING).update(status=status, **fields)


def deliver(delivery_id: int, now: dt.datetime, grids: dict[int, PublishedGrid] | None = None) -> str:
    """Send one supervisor's digest. Only the call that moves the row from pending to sending sends it."""
    grids = {} if grids is None else grids
    claimed = DigestDelivery.objects.filter(pk=delivery_id, status=DigestDelivery.Status.PENDING).update(
        status=DigestDelivery.Status.SENDING, attempts=F("attempts") + 1, attempted_at=now
    )
    if not claimed:
        return "not pending"
    delivery = DigestDelivery.objects.select_related("publication__organisation", "supervisor").get(pk=delivery_id)
    publication = delivery.publication
    if Publication.objects.filter(organisation_id=publication.organisation_id, week__gt=publication.week).exists():
        _finish(delivery_id, DigestDelivery.Status.SKIPPED, error="A newer week was published before it was sent.")
        return "skipped"
    teams = supervised_teams(publication.organisation_id, [delivery.supervisor_id]).get(delivery.supervisor_id)
    if not teams:
        _finish(
            delivery_id, DigestDelivery.Status.SKIPPED, error="No longer supervises a team, or the account is inactive."
        )
        return "skipped"
    try:
        if publication.pk not in grids:
            grids[publication.pk] = digest_grid(publication)
        email_digest(publication, delivery.supervisor, teams, grids[publication.pk])
    except TRANSIENT_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"
        retry = delivery.attempts < MAX_ATTEMPTS
        _finish(delivery_id, DigestDelivery.Status.PENDING if retry else DigestDelivery.Status.FAILED, error=error)
        return "retrying" if retry else "failed"
    except Exception as exc:
        logger.exception("Digest delivery %s failed", delivery_id)
        _finish(delivery_id, DigestDelivery.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _finish(delivery_id, DigestDelivery.Status.SENT, error="", sent_at=timezone.now())
    return "sent"


def fail_interrupted(now: dt.datetime) -> int:
    """Give up on sends interrupted midway: they may have gone out, so they are never sent again."""
    return DigestDelivery.objects.filter(
        status=DigestDelivery.Status.SENDING, attempted_at__lt=now - INTERRUPTED_AFTER
    ).update(
        status=DigestDelivery.Status.FAILED, error="Interrupted while sending; not retried so it is never sent twice."
    )


def send_pending(now: dt.datetime) -> int:
    """Send every pending digest; how many were sent."""
    grids: dict[int, PublishedGrid] = {}
    pending = DigestDelivery.objects.filter(status=DigestDelivery.Status.PENDING).order_by("publication_id", "pk")
    return sum(deliver(pk, now, grids) == "sent" for pk in pending.values_list("pk", flat=True))


def send_due_digests(now: dt.datetime | None = None, *, any_hour: bool = False) -> int:
    """Create the digests of each organisation's newest published week once it is due, then send
    every pending one; returns emails sent.

    Only the newest week has a digest: weeks published while catching up are not mailed.
    """
    now = now or timezone.now()
    fail_interrupted(now)
    newest = Publication.objects.values("organisation_id").annotate(week=Max("week"))
    for row in newest:
        publication = (
            Publication.objects.filter(
                organisation_id=row["organisation_id"], week=row["week"], digests_created_at=None
            )
            .select_related("organisation")
            .first()
        )
        if publication is None:
            continue
        if not any_hour and now.astimezone(publication.organisation.tz).hour < DIGEST_HOUR:
            continue
        create_deliveries(publication, now)
    return send_pending(now)
