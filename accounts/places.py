"""Where a person counts: the teams and groups of teams whose published figures include them.

Shown to the person themselves ("What my supervisor can see"): team names, how many members
each has today, who supervises it, and the smallest group shown. Nothing about anyone's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from .models import Membership, Team, TeamGroup, User


@dataclass
class Place:
    name: str
    members: int
    kind: str  # "team" or "group"
    supervisors: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)


def where_i_count(user: User) -> list[Place]:
    """The person's current teams (as a member), then the groups of teams those belong to."""
    if not user.is_authenticated:
        return []
    teams = list(
        Team.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.MEMBER, memberships__ended_on__isnull=True
        ).order_by("name")
    )
    members = dict(
        Membership.objects.current()
        .filter(team__in=teams, role=Membership.Role.MEMBER)
        .values_list("team_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    supervisors: dict[int, list[str]] = {}
    supervising = (
        Membership.objects.current()
        .filter(team__in=teams, role=Membership.Role.SUPERVISOR)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    for membership in supervising:
        supervisors.setdefault(membership.team_id, []).append(str(membership.user))
    places = [Place(team.name, members.get(team.pk, 0), "team", supervisors.get(team.pk, [])) for team in teams]
    groups = TeamGroup.objects.filter(teams__in=teams).distinct().order_by("name").prefetch_related("teams")
    for group in groups:
        people = (
            Membership.objects.current()
            .filter(team__in=group.teams.all(), role=Membership.Role.MEMBER)
            .values("user_id")
            .distinct()
            .count()
        )
        places.append(Place(group.name, people, "group", teams=sorted(team.name for team in group.teams.all())))
    return places
