"""Support now: the organisation's contacts in the reader's language, a fallback when there are none,
one tap from every staff page, and an admin that asks for both contacts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Organisation
from checkins.models import IntroSeen

from ..conftest import TwoStepClient

pytestmark = pytest.mark.django_db

FALLBACK_EN = "call your local emergency number"
FALLBACK_ES = "llama al número de emergencias de tu zona"
NO_SUPPORT_EN = "has not added a support contact here yet"


def page(user, language: str = "en") -> str:
    client = TwoStepClient()
    client.force_login(user)
    response = client.get(reverse("support"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_without_contacts_it_shows_the_fallback_in_each_language(alice):
    english = page(alice)
    assert FALLBACK_EN in english
    assert NO_SUPPORT_EN in english
    spanish = page(alice, "es")
    assert FALLBACK_ES in spanish
    assert FALLBACK_EN not in spanish


def test_it_shows_the_organisations_contacts_and_keeps_the_emergency_line(alice, organisation):
    organisation.support_contact = "Staff care line 0800 111 222"
    organisation.crisis_contact = "24-hour crisis line 0800 999 000"
    organisation.save()
    body = page(alice)
    assert "Staff care line 0800 111 222" in body
    assert "24-hour crisis line 0800 999 000" in body
    assert NO_SUPPORT_EN not in body
    # Even with a crisis line set, the emergency number stays: a crisis line is not an ambulance.
    assert FALLBACK_EN in body


def test_a_spanish_reader_gets_the_spanish_contacts_and_the_main_ones_where_none_are_given(alice, organisation):
    organisation.support_contact = "Staff care line"
    organisation.crisis_contact = "Crisis line"
    organisation.support_contact_es = "Línea de apoyo al personal"
    organisation.save()
    spanish = page(alice, "es")
    assert "Línea de apoyo al personal" in spanish
    assert "Staff care line" not in spanish
    assert "Crisis line" in spanish
    english = page(alice, "en")
    assert "Staff care line" in english
    assert "Línea de apoyo" not in english


def test_people_see_only_their_own_organisations_contacts(alice, eve, organisation, other_organisation):
    organisation.support_contact = "RIVERSIDE-SUPPORT"
    organisation.save()
    other_organisation.support_contact = "ELSEWHERE-SUPPORT"
    other_organisation.save()
    assert "ELSEWHERE-SUPPORT" not in page(alice)
    assert "RIVERSIDE-SUPPORT" not in page(eve)
    assert "ELSEWHERE-SUPPORT" in page(eve)


def test_every_staff_page_has_support_now_in_its_menu(alice, bob):
    IntroSeen.objects.create(user=alice)
    client = TwoStepClient()
    client.force_login(alice)
    href = f'href="{reverse("support")}"'
    for name in ("checkins:today", "checkins:history", "checkins:guide", "checkins:minute", "profile"):
        assert href in client.get(reverse(name)).content.decode(), name
    supervisor = TwoStepClient()
    supervisor.force_login(bob)
    assert href in supervisor.get(reverse("supervision:share")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("support"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def root_client(root):
    client = TwoStepClient()
    client.force_login(root)
    return client


def test_creating_an_organisation_asks_for_both_contacts(root_client):
    add = reverse("admin:accounts_organisation_add")
    # What the add form sends as it stands (language and the leaver window keep their defaults).
    data = {
        "name": "Hillside",
        "time_zone": "Europe/London",
        "language": "en",
        "anonymity_k": "5",
        "leaver_access_days": "30",
    }
    response = root_client.post(add, data)
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Hillside").exists()
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"support_contact", "crisis_contact"}

    data.update({"support_contact": "Care line", "crisis_contact": "Crisis line", "crisis_contact_es": "Línea"})
    response = root_client.post(add, data)
    assert response.status_code == 302
    created = Organisation.objects.get(name="Hillside")
    assert created.contacts_for("es") == ("Care line", "Línea")


def test_the_organisation_page_warns_while_a_contact_is_empty(organisation, olivia):
    client = TwoStepClient()
    client.force_login(olivia)
    change = reverse("admin:accounts_organisation_change", args=[organisation.pk])

    def warnings() -> list[str]:
        response = client.get(change)
        assert response.status_code == 200
        return [str(m) for m in get_messages(response.wsgi_request) if "Support now" in str(m)]

    assert len(warnings()) == 1
    organisation.support_contact = "Care line"
    organisation.save()
    assert len(warnings()) == 1
    organisation.crisis_contact = "Crisis line"
    organisation.save()
    assert warnings() == []
