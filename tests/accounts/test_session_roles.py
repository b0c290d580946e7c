"""Roles kept in the session (accounts/roles.py): no query while unchanged, never stale after a change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import leavers, memberships, roles
from accounts.models import Membership, Team, User

from ..conftest import PASSWORD, TwoStepClient


def _signed_in_device(user: User) -> Client:
    """A browser that signed in with the password, as a person does (no shortcut through force_login)."""
    device = Client()
    response = device.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return device


def _membership_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"]]


@pytest.fixture(autouse=True)
def _two_step_required(settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True


def test_roles_come_from_the_session_until_a_membership_changes(alice):
    device = _signed_in_device(alice)
    with CaptureQueriesContext(connection) as queries:
        assert device.get(reverse("profile")).status_code == 200
    assert _membership_queries(queries) == []

    alice.memberships.get().delete()
    with CaptureQueriesContext(connection) as queries:
        assert device.get(reverse("profile")).status_code == 200
    assert len(_membership_queries(queries)) == 1, "the changed roles are read again, once"
    with CaptureQueriesContext(connection) as queries:
        device.get(reverse("profile"))
    assert _membership_queries(queries) == []


def test_a_new_supervisor_must_pass_the_second_step_on_every_device_at_the_next_request(alice, team_a):
    phone, laptop = _signed_in_device(alice), _signed_in_device(alice)
    shared = reverse("supervision:shared")
    for device in (phone, laptop):
        assert device.get(reverse("profile")).status_code == 200
        assert device.get(shared).status_code == 404

    memberships.do_change_role(alice.memberships.get(), Membership.Role.SUPERVISOR)

    for device in (phone, laptop):
        response = device.get(shared)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
        assert device.get(reverse("profile"))["Location"].startswith(reverse("two_factor_setup"))


def test_a_removed_role_is_gone_at_the_next_request_on_every_device(client, bob, team_b):
    other = TwoStepClient()
    for device in (client, other):
        device.force_login(bob)  # both pass the second step
    shared = reverse("supervision:shared")
    for device in (client, other):
        assert device.get(shared).status_code == 200
        assert "Team trends" in device.get(reverse("profile")).content.decode()

    memberships.do_move_membership(bob.memberships.get(), team_b)  # same role in another team: still a supervisor
    for device in (client, other):
        assert device.get(shared).status_code == 200

    memberships.do_change_role(bob.memberships.current().get(), Membership.Role.MEMBER)
    for device in (client, other):
        assert device.get(shared).status_code == 404
        assert "Team trends" not in device.get(reverse("profile")).content.decode()


def _ended_by_queryset_update(user: User, team: Team) -> None:
    Membership.objects.filter(user=user).update(ended_on=team.organisation.today())
    roles.moved(user.pk)  # writes that skip model signals say so themselves


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user, team: memberships.do_end_membership(user.memberships.get()), id="ended"),
        pytest.param(lambda user, team: user.memberships.get().delete(), id="deleted"),
        pytest.param(lambda user, team: Team.objects.filter(pk=team.pk).delete(), id="team-deleted"),
        pytest.param(lambda user, team: leavers.do_mark_left(user), id="left"),
        pytest.param(_ended_by_queryset_update, id="queryset-update-then-moved"),
    ],
)
def test_every_way_of_ending_a_supervisors_role_takes_effect_at_once(client, bob, team_a, change):
    client.force_login(bob)
    shared = reverse("supervision:shared")
    assert client.get(shared).status_code == 200
    before = User.objects.get(pk=bob.pk).roles_version

    change(bob, team_a)

    assert User.objects.get(pk=bob.pk).roles_version > before
    response = client.get(shared)
    assert response.status_code in (302, 404)  # 302: a leaver is sent to their own data only
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("two_factor_setup"))


def test_roles_read_on_a_loaded_membership_user_are_forgotten_when_it_changes(alice, team_a):
    membership = Membership.objects.select_related("user").get(user=alice)
    assert membership.user.roles == {Membership.Role.MEMBER}
    memberships.do_change_role(membership, Membership.Role.SUPERVISOR)
    assert membership.user.roles == {Membership.Role.SUPERVISOR}


def test_a_session_holding_roles_of_another_version_reads_them_again(alice):
    device = _signed_in_device(alice)
    session = device.session
    session["_roles"] = [User.objects.get(pk=alice.pk).roles_version + 5, ["supervisor"]]
    session.save()
    assert device.get(reverse("supervision:shared")).status_code == 404
    assert device.session["_roles"] == [User.objects.get(pk=alice.pk).roles_version, ["member"]]


def test_saving_a_person_loaded_before_their_role_changed_keeps_the_change_visible(alice, team_a):
    device = _signed_in_device(alice)
    assert device.get(reverse("supervision:shared")).status_code == 404
    loaded_earlier = User.objects.get(pk=alice.pk)

    memberships.do_change_role(alice.memberships.get(), Membership.Role.SUPERVISOR)
    loaded_earlier.display_name = "Alice A."
    loaded_earlier.save()  # e.g. the profile form of a request that started before the change

    assert User.objects.get(pk=alice.pk).display_name == "Alice A."
    response = device.get(reverse("supervision:shared"))
    assert response["Location"].startswith(reverse("two_factor_setup"))
