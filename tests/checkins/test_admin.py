from checkins.models import Practice

from .conftest import login

URL = "/admin/checkins/practice/"


def test_org_admins_see_builtin_practices_read_only(client, olivia):
    login(client, olivia)
    breathing = Practice.objects.get(organisation=None, key="breathing")
    assert "Slow breathing" in client.get(URL).content.decode()
    page = client.get(f"{URL}{breathing.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(f"{URL}{breathing.pk}/change/", {"key": "breathing", "name": "Changed", "order": 1})
    breathing.refresh_from_db()
    assert breathing.name == "Slow breathing"
    assert client.post(f"{URL}{breathing.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Practice.objects.filter(pk=breathing.pk).exists()


def test_org_admins_add_practices_for_their_own_organisation(client, olivia, organisation):
    login(client, olivia)
    response = client.post(f"{URL}add/", {"key": "garden", "name": "Garden", "order": 5, "is_active": "on"})
    assert response.status_code == 302
    practice = Practice.objects.get(key="garden")
    assert practice.organisation == organisation
    assert Practice.offered_to(organisation.pk).filter(key="garden").exists()


def test_a_clashing_key_is_a_form_error_not_a_crash(client, olivia, organisation):
    Practice.objects.create(organisation=organisation, key="garden", name="Garden")
    login(client, olivia)
    response = client.post(f"{URL}add/", {"key": "garden", "name": "Garden again", "order": 5})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_org_admins_never_see_another_organisations_practices(client, oscar, organisation):
    theirs = Practice.objects.create(organisation=organisation, key="garden", name="Riverside garden")
    login(client, oscar)
    assert "Riverside garden" not in client.get(URL).content.decode()
    assert client.get(f"{URL}{theirs.pk}/change/").status_code == 404


def test_superusers_can_change_builtin_practices(client, root):
    login(client, root)
    other = Practice.objects.get(organisation=None, key="other")
    response = client.post(
        f"{URL}{other.pk}/change/", {"key": "other", "name": "Anything else", "order": 90, "is_active": "on"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "Anything else"


def test_members_cannot_open_the_practice_admin(client, alice):
    login(client, alice)
    assert client.get(URL).status_code == 302  # to the admin sign-in


def test_organisation_practices_are_offered_only_to_their_organisation(organisation, other_organisation):
    Practice.objects.create(organisation=organisation, key="garden", name="Garden")
    assert Practice.offered_to(other_organisation.pk).filter(key="garden").count() == 0
    assert Practice.offered_to(organisation.pk).count() == 9
