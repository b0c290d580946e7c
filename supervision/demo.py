"""Demo shares, team actions and published weeks for `seed_demo`.

Two Child Protection staff share a recent check-in with Sam; Sam's team has two recent team
actions (on its charts and on the team's "What our team is doing" page); and every closed week
of the demo history is published, as the "Publish closed weeks" task would. Talk requests are
left to the tester (Ana asks, Sam answers). Idempotent, and a no-op until check-in history
exists (seeded by checkins/demo.py).
"""

from __future__ import annotations

import datetime as dt

from accounts.demo import demo_email
from accounts.models import Team
from checkins.models import CheckIn

from .models import SharedCheckIn, TeamAction
from .publishing import publish_due

# (handle, share ratings, share practices)
DEMO_SHARES = (("ana", True, True), ("ben", False, True))
DEMO_ACTION_TEAM = "Child Protection"
# (days ago, what was done): about the team, never a person.
DEMO_ACTIONS = (
    (30, "Rotated the two hardest cases across the team"),
    (12, "Protected Friday afternoons for admin and catching up"),
)


def extend(organisation) -> None:
    _share(organisation)
    if CheckIn.objects.filter(user__organisation=organisation).exists():
        _actions(organisation)
    publish_due(organisations=[organisation])


def _share(organisation) -> None:
    for handle, ratings, practices in DEMO_SHARES:
        latest = (
            CheckIn.objects.filter(user__email=demo_email(handle), user__organisation=organisation)
            .order_by("-local_date")
            .first()
        )
        if latest is None or SharedCheckIn.objects.filter(checkin__user=latest.user).exists():
            continue
        SharedCheckIn.objects.create(checkin=latest, share_ratings=ratings, share_practices=practices)


def _actions(organisation) -> None:
    team = Team.objects.filter(organisation=organisation, name=DEMO_ACTION_TEAM).first()
    if team is None or team.actions.exists():
        return
    supervisor = team.memberships.filter(user__email=demo_email("sam")).first()
    today = organisation.today()
    TeamAction.objects.bulk_create(
        [
            TeamAction(
                team=team,
                done_on=today - dt.timedelta(days=days),
                description=text,
                created_by=supervisor.user if supervisor else None,
            )
            for days, text in DEMO_ACTIONS
        ]
    )
