"""A small populated world for the authorization matrix: two organisations, two teams,
every persona, and check-ins carrying distinctive marker text that must never leak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from checkins import rollup
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, MeaningfulMoment
from supervision.models import SharedCheckIn, TalkRequest, TeamAction

PERSONAS = ("anonymous", "alice", "carol", "bob", "dave", "olivia", "oscar", "root")

# Free text is never shown to anyone but its author, shared or not.
MARKERS = {
    "alice": ("MARKER-ALICE-NOURISH-7f3a", "MARKER-ALICE-NOTE-19bc"),
    "carol": ("MARKER-CAROL-NOURISH-44de", "MARKER-CAROL-NOTE-a1f0"),
    "eve": ("MARKER-EVE-NOURISH-0c2b", "MARKER-EVE-NOTE-88e1"),
}
# ...and so are the moments written in "Take a minute", outside any check-in.
MOMENT_MARKERS = {
    "alice": "MARKER-ALICE-MOMENT-5d21",
    "bob": "MARKER-BOB-MOMENT-e7a0",
    "olivia": "MARKER-OLIVIA-MOMENT-3b96",
}


@dataclass
class World:
    people: dict[str, User]
    checkins: dict[str, CheckIn]
    alice_share: SharedCheckIn
    team_a_action: TeamAction
    alice_talk_request: TalkRequest

    def markers_not_of(self, persona: str) -> list[str]:
        return [marker for owner, pair in MARKERS.items() if owner != persona for marker in pair] + [
            marker for owner, marker in MOMENT_MARKERS.items() if owner != persona
        ]


def build_world(people: dict[str, User]) -> World:
    checkins = {}
    for owner, (nourish, note) in MARKERS.items():
        user = people[owner]
        IntroSeen.objects.get_or_create(user=user)
        checkin = CheckIn(
            user=user,
            local_date=user.local_today(timezone.now()) - timedelta(days=1),
            nourish=nourish,
            private_note=note,
            exposure=True,
            workload=1,
            **dict(zip(SIGN_FIELDS, (4, 0, 3, 1, 4, 2, 3, 1, 4), strict=True)),
        )
        checkin.save()
        checkins[owner] = checkin
    for owner, marker in MOMENT_MARKERS.items():
        MeaningfulMoment.objects.create(user=people[owner], local_date=people[owner].local_today(), text=marker)
    # Saved one by one outside the app's own save: sum them for the team trends as bulk loaders do.
    rollup.rebuild(User.objects.filter(pk__in=[checkin.user_id for checkin in checkins.values()]))
    share = SharedCheckIn.objects.create(checkin=checkins["alice"], share_ratings=True)
    bob = people["bob"]
    team_a = bob.memberships.get().team
    action = TeamAction.objects.create(team=team_a, done_on=timezone.now().date(), description="Cover for leave")
    talk = TalkRequest.objects.create(requester=people["alice"], recipient=bob)
    return World(people=people, checkins=checkins, alice_share=share, team_a_action=action, alice_talk_request=talk)
