"""The profile page: a time zone picker people can find their city in, and plain language choices."""

from django.urls import reverse

from accounts.models import User

from ..conftest import make_user

PROFILE = reverse("profile")


def test_time_zones_are_grouped_by_region_with_the_organisations_first(client, organisation):
    person = make_user("newcomer@example.org", organisation=organisation)
    User.objects.filter(pk=person.pk).update(time_zone="UTC")
    client.force_login(person)
    html = client.get(PROFILE).content.decode()
    assert '<optgroup label="Europe">' in html and '<optgroup label="America">' in html
    assert '<option value="Europe/Madrid">Madrid</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in html
    suggested = html[html.index('<optgroup label="Suggested">') :]
    suggested = suggested[: suggested.index("</optgroup>")]
    # An account still on the default UTC is offered the organisation's zone, chosen.
    assert '<option value="Europe/London" selected>Europe/London</option>' in suggested
    assert "America/New_York" not in suggested


def test_a_chosen_time_zone_stays_chosen_and_saves(client, organisation):
    person = make_user("chosen@example.org", organisation=organisation)
    User.objects.filter(pk=person.pk).update(time_zone="Asia/Tokyo")
    client.force_login(person)
    html = client.get(PROFILE).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in html
    response = client.post(PROFILE, {"display_name": "", "time_zone": "America/Mexico_City", "language": "es"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.time_zone, person.language) == ("America/Mexico_City", "es")


def test_the_language_list_has_no_dashes_and_says_what_empty_means(client, organisation):
    person = make_user("lang@example.org", organisation=organisation)
    client.force_login(person)
    html = client.get(PROFILE).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>The same as my browser</option>' in html
    client.post(PROFILE, {"display_name": "", "time_zone": "Europe/London", "language": ""})
    assert User.objects.get(pk=person.pk).language == ""
