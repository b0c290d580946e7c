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


def team_facts(teams) -> dict[int, tuple[int, list[str]]]:
    """For each team: how many members it has today, and its active supervisors' names (sorted)."""
    facts: dict[int, tuple[int, list[str]]] = {team.pk: (0, []) for team in teams}
    current = Membership.objects.current().filter(team__in=teams)
    members = current.filter(role=Membership.Role.MEMBER).values_list("team_id").annotate(count=Count("id"))
    for team_id, count in members.order_by():
        facts[team_id] = (count, facts[team_id][1])
    supervising = current.filter(role=Membership.Role.SUPERVISOR, user__is_active=True).select_related("user")
    for membership in supervising:
        facts[membership.team_id][1].append(str(membership.user))
    for _count, names in facts.values():
        names.sort(key=str.lower)
    return facts


def where_i_count(user: User) -> list[Place]:
    """The person's current teams (as a member), then the groups of teams those belong to."""
    if not user.is_authenticated:
        return []
    teams = list(
        Team.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.MEMBER, memberships__ended_on__isnull=True
        ).order_by("name")
    )
    facts = team_facts(teams)
    places = [Place(team.name, facts[team.pk][0], "team", facts[team.pk][1]) for team in teams]
    groups = TeamGroup.objects.filter(teams__in=teams).distinct().order_by("name").prefetch_related("teams")
    # Each person once per group, however many of its teams they are in.
    people = dict(
        Membership.objects.current()
        .filter(team__groups__in=groups, role=Membership.Role.MEMBER)
        .values_list("team__groups")
        .annotate(count=Count("user_id", distinct=True))
        .order_by()
    )
    for group in groups:
        teams_in = sorted(team.name for team in group.teams.all())
        places.append(Place(group.name, people.get(group.pk, 0), "group", teams=teams_in))
    return places
