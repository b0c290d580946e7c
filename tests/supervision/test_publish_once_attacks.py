"""The two attacks of issue 12, replayed through the real admin site and the CSV exports.

1. A supervisor downloads the team CSV, an organisation admin moves one member to another
   team, the supervisor downloads it again: before publish-once, every past week differed by
   exactly that person. Now the past weeks are the same bytes.
2. An organisation admin lowers k to 3, makes a team of the target and two accounts they
   control, exports the organisation CSV, swaps the two accounts for two others and exports
   again: before publish-once, the two exports gave the target's exact week. Now the lower k
   waits for a week at least 14 days away, the new team has nothing for any week before its
   first whole week, and the two exports are the same.

The clock is Wednesday 18 March 2026, noon in London: weeks up to 2026-W11 are published.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin import helpers
from django.urls import reverse

from accounts.models import Membership, Organisation, Team, User
from supervision.models import Publication, PublishedUnit
from tests.conftest import TwoStepClient

from .conftest import OPEN_WEEK_DAY, add_checkins, build_checkin, publish
from .reading import csv_cells, csv_lines_for_weeks, dashboard_tables, organisation_export, team_dashboard, team_export

TODAY = dt.date(2026, 3, 18)
MEMBERSHIPS = reverse("admin:accounts_membership_changelist")
PUBLISHED = {f"2026-W{week:02d}" for week in range(1, 12)} | {f"2025-W{week:02d}" for week in range(12, 53)}


def signed_in(user) -> TwoStepClient:
    client = TwoStepClient()
    client.force_login(user)
    return client


def later(day: dt.datetime):
    return time_machine.travel(day, tick=False)


@pytest.fixture
def as_olivia(olivia) -> TwoStepClient:
    return signed_in(olivia)


def move_in_admin(admin: TwoStepClient, membership: Membership, team: Team, capture) -> None:
    """The membership list's "Move to another team" action, choosing the team on its second page."""
    chosen = {"action": "move_to_another_team", helpers.ACTION_CHECKBOX_NAME: [membership.pk]}
    assert admin.post(MEMBERSHIPS, chosen).status_code == 200
    with capture(execute=True):
        response = admin.post(MEMBERSHIPS, {**chosen, "apply": "yes", "team": team.pk})
    assert response.status_code == 302, response.content.decode()[:2000]


def team_page_data(team: Team, end: tuple[User, ...] = (), add: tuple[User, ...] = ()) -> dict:
    """The admin Team page as posted: its name, every membership row as shown, some ended today, new rows."""
    rows = list(team.memberships.order_by("pk")) if team.pk else []
    data = {
        "name": team.name,
        "memberships-TOTAL_FORMS": str(len(rows) + len(add)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, membership in enumerate(rows):
        ended = membership.ended_on or (TODAY if membership.user in end else None)
        data |= {
            f"memberships-{i}-id": str(membership.pk),
            f"memberships-{i}-team": str(team.pk),
            f"memberships-{i}-user": str(membership.user_id),
            f"memberships-{i}-role": membership.role,
            f"memberships-{i}-started_on": membership.started_on.isoformat(),
            f"memberships-{i}-ended_on": ended.isoformat() if ended else "",
        }
    for i, person in enumerate(add, start=len(rows)):
        data |= {
            f"memberships-{i}-user": str(person.pk),
            f"memberships-{i}-role": Membership.Role.MEMBER,
            f"memberships-{i}-started_on": "",
            f"memberships-{i}-ended_on": "",
        }
    return data


def post_ok(client: TwoStepClient, url: str, data: dict, capture) -> None:
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


# --- 1. Moving one person between teams ------------------------------------------------------


def test_moving_a_member_leaves_both_teams_published_weeks_byte_for_byte_the_same(
    alice, bob, dave, team_a, team_b, team_a_history, team_b_history, as_olivia, django_capture_on_commit_callbacks
):
    publish()
    supervisor_a, supervisor_b = signed_in(bob), signed_in(dave)
    before = {
        "a": team_export(supervisor_a, team_a, weeks=12),
        "b": team_export(supervisor_b, team_b, weeks=12),
        "a52": team_export(supervisor_a, team_a),
        "b52": team_export(supervisor_b, team_b),
        "a_page": dashboard_tables(team_dashboard(supervisor_a, team_a)),
        "b_page": dashboard_tables(team_dashboard(supervisor_b, team_b)),
    }
    assert csv_cells(before["a"])[("Team A", "2026-W11", "people")][2:] == ("6/6", "published")

    moved = Membership.objects.get(user=alice, team=team_a)
    move_in_admin(as_olivia, moved, team_b, django_capture_on_commit_callbacks)
    assert Membership.objects.current().get(user=alice, role=Membership.Role.MEMBER).team == team_b

    # Downloaded again straight away: the same file, byte for byte.
    assert team_export(supervisor_a, team_a, weeks=12) == before["a"]
    assert team_export(supervisor_b, team_b, weeks=12) == before["b"]
    assert dashboard_tables(team_dashboard(supervisor_a, team_a)) == before["a_page"]
    assert dashboard_tables(team_dashboard(supervisor_b, team_b)) == before["b_page"]

    # Three weeks on, with the week of the move and the next ones published: the past is the same.
    with later(dt.datetime(2026, 4, 8, 12, 0, tzinfo=dt.UTC)):
        assert [p.week for p in publish()] == [dt.date(2026, 3, 16), dt.date(2026, 3, 23), dt.date(2026, 3, 30)]
        supervisor_a, supervisor_b = signed_in(bob), signed_in(dave)  # a day's session has long expired
        after_a, after_b = team_export(supervisor_a, team_a), team_export(supervisor_b, team_b)
        page_a = dashboard_tables(team_dashboard(supervisor_a, team_a))
    # The 52 weeks shown now start three weeks later: compare the published weeks both show.
    past = PUBLISHED & {week for _unit, week, _measure in csv_cells(after_a)}
    assert len(past) == 49
    assert csv_lines_for_weeks(after_a, past) == csv_lines_for_weeks(before["a52"], past)
    assert csv_lines_for_weeks(after_b, past) == csv_lines_for_weeks(before["b52"], past)
    for key, row in before["a_page"].items():
        if key[1] in past:
            assert page_a[key] == row, key
    # The week of the move counts her in neither team (she was in each for part of it), and the
    # one-person change in team A is hidden by the change rule rather than shown as a difference.
    assert csv_cells(after_a)[("Team A", "2026-W12", "people")][2:] == ("", "suppressed: change")
    week_of_move = dict(
        PublishedUnit.objects.filter(week=dt.date(2026, 3, 16), kind="team").values_list("unit_id", "members")
    )
    assert (week_of_move[team_a.pk], week_of_move[team_b.pk]) == (5, 6)


# --- 2. The insider: lower k, a team of the target and accounts the admin controls --------------


def invite(admin: TwoStepClient, email: str, capture) -> User:
    post_ok(
        admin,
        reverse("admin:accounts_user_add"),
        {"email": email, "display_name": email.split("@")[0].title(), "time_zone": "Europe/London", "language": ""},
        capture,
    )
    return User.objects.get(email=email)


def lower_k(admin: TwoStepClient, organisation: Organisation, k: int, capture) -> None:
    organisation.refresh_from_db()
    post_ok(
        admin,
        reverse("admin:accounts_organisation_change", args=[organisation.pk]),
        {
            "name": organisation.name,
            "time_zone": organisation.time_zone,
            "anonymity_k": str(k),
            "support_contact": organisation.support_contact,
            "crisis_contact": organisation.crisis_contact,
            "retention_days": organisation.retention_days or "",
            "language": organisation.language,
            "leaver_access_days": organisation.leaver_access_days,
        },
        capture,
    )
    organisation.refresh_from_db()


def test_an_insider_with_a_lower_k_and_a_team_of_their_own_accounts_recovers_nothing(
    organisation, olivia, alice, team_a, team_a_history, as_olivia, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    publish()
    first = organisation_export(as_olivia)

    # Lower k to 3: it waits for the first week whose Sunday is at least 14 days away (30 March),
    # so no published week and neither of the two weeks about to close is decided with it.
    lower_k(as_olivia, organisation, 3, capture)
    assert organisation.anonymity_k == 5
    assert (organisation.lowered_k, organisation.lowered_k_from) == (3, dt.date(2026, 3, 30))
    assert organisation_export(as_olivia) == first

    # A team of the target and two accounts the admin controls, made on the Team page.
    controlled = [invite(as_olivia, f"mallory{i}@example.org", capture) for i in range(4)]
    new_team = team_page_data(Team(organisation=organisation, name="Special project"), add=(alice, *controlled[:2]))
    post_ok(as_olivia, reverse("admin:accounts_team_add"), new_team, capture)
    special = Team.objects.get(name="Special project")
    assert set(special.memberships.current().values_list("user__email", flat=True)) == {
        alice.email,
        "mallory0@example.org",
        "mallory1@example.org",
    }
    with_first_pair = organisation_export(as_olivia)

    # Swap the two accounts for two others.
    post_ok(
        as_olivia,
        reverse("admin:accounts_team_change", args=[special.pk]),
        team_page_data(special, end=tuple(controlled[:2]), add=tuple(controlled[2:])),
        capture,
    )
    assert special.memberships.current().count() == 3
    with_second_pair = organisation_export(as_olivia)

    # The two exports are the same file, and the same as before the team existed for every
    # row that existed then; the new team shows nothing for any published week.
    assert with_second_pair == with_first_pair
    before, now = csv_cells(first), csv_cells(with_second_pair)
    for key, row in before.items():
        assert now[key] == row, key
    special_rows = {key: row for key, row in now.items() if key[0] == "Special project"}
    assert special_rows and all(row[3] == "not published" for row in special_rows.values())

    # Put everything back; weeks go by and are published. The week the team was made in and the
    # next one (closing within 14 days of the lowering) keep k = 5; the team has nobody for a
    # whole week before 23 March, and three people are too few at k = 5.
    post_ok(
        as_olivia,
        reverse("admin:accounts_team_change", args=[special.pk]),
        team_page_data(special, end=tuple(controlled[2:])),
        capture,
    )
    add_checkins([build_checkin(person, OPEN_WEEK_DAY + dt.timedelta(days=7), 0) for person in (alice, *controlled)])
    with later(dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)):
        assert [(p.week, p.k) for p in publish()] == [(dt.date(2026, 3, 16), 5), (dt.date(2026, 3, 23), 5)]
        latest = csv_cells(organisation_export(signed_in(olivia)))
    past = PUBLISHED & {week for _unit, week, _measure in latest}
    assert len(past) == 50
    for key, row in before.items():
        if key[1] in past:
            assert latest[key] == row, key
    for week in ("2026-W12", "2026-W13"):
        assert latest[("Special project", week, "people")][3] == "suppressed: too_few", week
        assert latest[("Special project", week, "sts_index")][2] == ""
    for key, row in latest.items():
        if key[0] == "Special project" and key[1] in past:
            assert row[3] == "not published", key
    assert Publication.objects.get(week=dt.date(2026, 3, 23)).k == 5
