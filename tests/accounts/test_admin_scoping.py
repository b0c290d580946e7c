import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Team, User


@pytest.fixture
def admin_client_olivia(client, olivia):
    client.force_login(olivia)
    return client


def test_an_organisation_admin_lists_only_their_own_teams(admin_client_olivia, team_a, outside_team):
    body = admin_client_olivia.get(reverse("admin:accounts_team_changelist")).content.decode()
    assert team_a.name in body
    assert outside_team.name not in body


@pytest.mark.parametrize(
    "model, fixture",
    [
        ("team", "outside_team"),
        ("user", "eve"),
        ("organisation", "other_organisation"),
        ("membership", "eve_membership"),
    ],
)
def test_an_organisation_admin_cannot_open_or_change_another_organisations_rows(
    admin_client_olivia, request, model, fixture
):
    obj = request.getfixturevalue(fixture)
    for view in ("change", "delete", "history"):
        url = reverse(f"admin:accounts_{model}_{view}", args=[obj.pk])
        assert admin_client_olivia.get(url).status_code in (403, 404), url
    post = admin_client_olivia.post(reverse(f"admin:accounts_{model}_change", args=[obj.pk]), {"name": "Hijacked"})
    assert post.status_code in (403, 404)
    changelist = admin_client_olivia.get(reverse(f"admin:accounts_{model}_changelist")).content.decode()
    assert str(obj) not in changelist


@pytest.fixture
def eve_membership(eve):
    return Membership.objects.get(user=eve)


def test_an_organisation_admin_sees_their_own_people(admin_client_olivia, alice, eve):
    body = admin_client_olivia.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "alice@example.org" in body
    assert "eve@example.net" not in body


def test_a_member_has_no_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_adding_a_person_invites_them_into_the_admins_organisation(
    admin_client_olivia, organisation, other_organisation
):
    response = admin_client_olivia.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Newhire@Example.org",
            "display_name": "New Hire",
            "time_zone": "Europe/Madrid",
            "language": "es",
            "organisation": other_organisation.pk,  # ignored: not offered to an org admin
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(email="newhire@example.org")
    assert person.organisation == organisation
    assert not person.has_usable_password()
    assert not person.is_superuser
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newhire@example.org"]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_an_organisation_admin_can_add_a_team_and_a_membership(admin_client_olivia, organisation, alice):
    response = admin_client_olivia.post(
        reverse("admin:accounts_team_add"),
        {
            "name": "Outreach",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": alice.pk,
            "memberships-0-role": "member",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    team = Team.objects.get(name="Outreach")
    assert team.organisation == organisation
    assert team.memberships.get().user == alice


def test_the_team_form_does_not_offer_people_of_another_organisation(admin_client_olivia, alice, eve):
    body = admin_client_olivia.get(reverse("admin:accounts_membership_add")).content.decode()
    assert "alice@example.org" in body or "Alice Member" in body or "autocomplete" in body
    assert "eve@example.net" not in body and "Eve Outsider" not in body


def test_autocomplete_does_not_leak_people_of_another_organisation(admin_client_olivia, alice, eve):
    response = admin_client_olivia.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "membership", "field_name": "user", "term": "e"},
    )
    assert response.status_code == 200
    assert "eve@example.net" not in response.content.decode()
    assert "Eve Outsider" not in response.content.decode()


def test_a_superuser_sees_every_organisation(client, root, team_a, outside_team):
    client.force_login(root)
    body = client.get(reverse("admin:accounts_team_changelist")).content.decode()
    assert team_a.name in body and outside_team.name in body
