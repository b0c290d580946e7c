import io

from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_email
from accounts.models import Membership, Team, User


def _snapshot() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "checkins", "supervision", "reminders"}
    }


def test_seed_demo_twice_leaves_the_same_rows(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first
    sizes = sorted(Membership.objects.filter(team=team, role="member").count() for team in Team.objects.all())
    assert sizes == [3, 3, 3, 6, 8]  # Night Shelter and the two small teams grouped with it
    assert all(Membership.objects.filter(team=t, role="supervisor").count() == 1 for t in Team.objects.all())
    assert User.objects.filter(is_org_admin=True).count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1
    assert User.objects.get(email=demo_email("ana")).check_password(DEMO_PASSWORD)
    # One hash is shared by everyone seeded, superuser included; nobody's password is left unusable.
    assert all(
        person.check_password(DEMO_PASSWORD) for person in User.objects.filter(email__endswith="@" + DEMO_DOMAIN)
    )


def test_demo_supervisors_can_pass_two_step_sign_in_with_the_demo_code(db):
    from django.test import Client
    from django.urls import reverse

    from accounts.demo import current_demo_code

    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    email = demo_email("sam")
    client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    response = client.post(reverse("two_factor_verify"), {"otp_token": current_demo_code(email)})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    assert current_demo_code(demo_email("ana")) is None  # staff don't need one
    assert current_demo_code("someone@example.org") is None
