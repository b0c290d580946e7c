from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins.models import CheckIn, IntroSeen, Practice
from tests.conftest import uses_postgres

from .conftest import form_data, login, make_checkin

URL = reverse("checkins:today")


def test_a_first_visit_shows_the_intro_once_then_the_form(client, alice):
    login(client, alice)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("checkins:intro"))
    intro = client.get(response["Location"])
    assert "Supervisors never see your individual answers" in intro.content.decode()
    response = client.post(reverse("checkins:intro"), {"next": URL})
    assert response["Location"] == URL
    assert IntroSeen.objects.filter(user=alice).exists()
    assert client.get(URL).status_code == 200


def test_the_intro_does_not_follow_an_outside_next_link(client, alice):
    login(client, alice)
    response = client.post(reverse("checkins:intro"), {"next": "https://evil.example/"})
    assert response["Location"] == URL


def test_the_nine_ratings_come_first_and_the_optional_parts_fold_under_more_about_today(alice_client):
    html = alice_client.get(URL).content.decode()
    more = html.index('<details class="more-about-today"')
    last_rating = html.index('name="rest_guilt"')
    assert html.index('name="intrusive_thoughts"') < last_rating < more
    folded = html[more : html.index("</details>", html.index('name="private_note"'))]
    for heading in ("Pause", "Reset", "Nourish"):
        assert f">{heading}</h3>" in folded
    for name in ("mood", "energy", "stress_locations", "exposure", "workload", "day_off", "practices", "nourish"):
        assert f'name="{name}"' in folded, name
    assert " open>" not in html[more : more + 60]  # collapsed until wanted
    assert html.count('type="radio" name="intrusive_thoughts"') == 5
    assert html.count('class="rating-row"') == 9
    # Each explanation is one tap away, not always printed.
    assert html.count('<details class="why">') == 9
    assert "<legend" in html and "0 means not at all, 4 means a lot" in html
    assert "9 ratings still to choose." in html
    assert "Up to 2,000 characters" in html
    assert "reflection aid, not a diagnosis" in html
    assert "Time outside" in html  # a built-in practice from the data migration
    assert "<script>" not in html and " onclick=" not in html


def test_saving_creates_one_checkin_with_scores_and_practices(alice_client, alice):
    walk = Practice.objects.get(organisation=None, key="time_outside")
    response = alice_client.post(URL, form_data(level=2, practices=[str(walk.pk)], nourish="A good talk."))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("checkins:saved"))
    checkin = CheckIn.objects.get(user=alice)
    assert checkin.local_date == alice.local_today()
    assert str(checkin.sts_index) == "2.00" and checkin.band == "moderate"
    assert list(checkin.practices.values_list("key", flat=True)) == ["time_outside"]
    assert checkin.nourish == "A good talk."
    saved = alice_client.get(response["Location"]).content.decode()
    assert "Thank you" in saved and "Something to take with you" in saved


def test_opening_today_again_edits_the_same_checkin(alice_client, alice):
    alice_client.post(URL, form_data(level=1))
    page = alice_client.get(URL).content.decode()
    assert "You already checked in for this day" in page
    assert 'name="version" value="1"' in page
    alice_client.post(URL, form_data(level=3, version="1"))
    checkin = CheckIn.objects.get(user=alice)
    assert (checkin.intrusive_thoughts, checkin.version) == (3, 2)


def test_an_edit_from_an_older_tab_replaces_the_whole_checkin_and_says_so(alice_client, alice):
    alice_client.post(URL, form_data(level=1, nourish="first tab", mood="5"))
    alice_client.post(URL, form_data(level=2, nourish="second tab", version="1"))
    response = alice_client.post(URL, form_data(level=4, version="1", mood=None), follow=True)
    assert "the earlier edit was replaced" in response.content.decode()
    checkin = CheckIn.objects.get(user=alice)
    assert (checkin.intrusive_thoughts, checkin.nourish, checkin.mood, checkin.version) == (4, "", None, 3)


def test_a_double_tap_with_the_same_answers_creates_one_row_and_no_warning(alice_client, alice):
    alice_client.post(URL, form_data(level=2))
    response = alice_client.post(URL, form_data(level=2), follow=True)
    assert CheckIn.objects.filter(user=alice).count() == 1
    assert "replaced" not in response.content.decode()


def test_a_blank_form_sent_after_the_day_was_saved_elsewhere_replaces_it_and_says_so(alice_client, alice):
    alice_client.post(URL, form_data(level=1, nourish="from the phone"))
    response = alice_client.post(URL, form_data(level=3, nourish="from the laptop"), follow=True)
    assert "the earlier edit was replaced" in response.content.decode()
    checkin = CheckIn.objects.get(user=alice)
    assert (checkin.intrusive_thoughts, checkin.nourish, checkin.version) == (3, "from the laptop", 2)


def test_saving_a_checkin_reads_the_session_and_user_inserts_one_row_and_sums_its_week(alice_client, alice):
    alice_client.get(URL)  # a first request may renew the session, and caches the practices offered
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.post(URL, form_data(level=2))
    assert response.status_code == 302
    statements = [query["sql"].split(None, 1)[0] for query in queries.captured_queries]
    # Session and user (the roles ride in the session: accounts/roles.py); no practices query (cached).
    # Inside the test's transaction the save shows inside a savepoint; outside one, on PostgreSQL, it is
    # that one statement alone.
    if uses_postgres():
        # One statement: the check-in, its practice links and its week's rollups (checkins/store.py).
        assert statements == ["SELECT", "SELECT", "SAVEPOINT", "WITH", "RELEASE"], statements
    else:
        # The insert, then one upsert adds it to the week's rollup (checkins/rollup.py).
        assert statements == ["SELECT", "SELECT", "SAVEPOINT", "INSERT", "INSERT", "RELEASE"], statements


def test_an_edit_reads_then_writes_in_one_statement_on_postgresql(alice_client, alice, require_postgres):
    breathing = Practice.objects.get(key="breathing", organisation=None)
    alice_client.post(URL, form_data(level=2, practices=[str(breathing.pk)]))
    assert list(CheckIn.objects.get(user=alice).practices.all()) == [breathing]
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.post(URL, form_data(level=3, version=1, practices=[str(breathing.pk)]))
    assert response.status_code == 302
    statements = [query["sql"].split(None, 1)[0] for query in queries.captured_queries]
    # Session, user (roles from the session); the saved check-in with its practices, then one statement
    # that writes the check-in, its links and the rollups' difference if nobody saved the day in between.
    assert statements == ["SELECT", "SELECT", "SELECT", "WITH"], statements
    checkin = CheckIn.objects.get(user=alice)
    assert (checkin.intrusive_thoughts, checkin.version, list(checkin.practices.all())) == (3, 2, [breathing])
    # Unticking a practice asks whether another day of the week still used it: the person's row is taken first.
    with CaptureQueriesContext(connection) as queries:
        alice_client.post(URL, form_data(level=3, version=2))
    assert [query["sql"].split(None, 1)[0] for query in queries.captured_queries][2:] == [
        "SELECT",
        "SAVEPOINT",
        "SELECT",
        "WITH",
        "RELEASE",
    ]
    assert list(CheckIn.objects.get(user=alice).practices.all()) == []


def test_yesterday_can_be_filled_in_late(alice_client, alice):
    yesterday = alice.local_today() - timedelta(days=1)
    response = alice_client.post(f"{URL}?date={yesterday.isoformat()}", form_data())
    assert response.status_code == 302
    assert CheckIn.objects.get(user=alice).local_date == yesterday
    assert alice_client.get(f"{URL}?date={(yesterday - timedelta(days=1)).isoformat()}").status_code == 200


@pytest.mark.parametrize(
    ("offset_days", "message"),
    [(-1, "has not happened yet"), (3, "last 2 days only"), (400, "last 2 days only")],
)
def test_future_and_old_dates_are_refused_with_a_clear_message(alice_client, alice, offset_days, message):
    day = alice.local_today() - timedelta(days=offset_days)
    for response in (
        alice_client.get(f"{URL}?date={day.isoformat()}"),
        alice_client.post(f"{URL}?date={day.isoformat()}", form_data()),
    ):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("junk", ["yesterday", "2026-02-30", "99999-01-01", "%00", "2026-1-1' OR 1=1"])
def test_junk_dates_get_a_clear_message_not_an_error(alice_client, junk):
    response = alice_client.post(URL, form_data(), QUERY_STRING=f"date={junk}")
    assert response.status_code == 400
    assert "could not read that date" in response.content.decode()


TAMPERED = [
    {"intrusive_thoughts": "5"},
    {"intrusive_thoughts": "-1"},
    {"intrusive_thoughts": "abc"},
    {"intrusive_thoughts": None},
    {"mood": "0"},
    {"mood": "6"},
    {"energy": "1.5"},
    {"workload": "9"},
    {"exposure": "maybe"},
    {"stress_locations": ["heart-of-gold"]},
    {"practices": ["999999"]},
    {"practices": ["not-a-number"]},
    {"nourish": "x" * 2001},
    {"private_note": "\x00"},
]


@pytest.mark.parametrize("tamper", TAMPERED)
def test_tampered_posts_get_field_errors_and_keep_what_was_typed(alice_client, alice, tamper):
    data = form_data(level=3, nourish="kept words", private_note="my note")
    data.update(tamper)
    data = {key: value for key, value in data.items() if value is not None}
    response = alice_client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A few answers need another look" in html
    assert not CheckIn.objects.filter(user=alice).exists()
    if "nourish" not in tamper:
        assert "kept words" in html
    assert 'id="id_avoidance_3" required checked' in html
    if "private_note" not in tamper:
        assert "my note" in html


def test_an_oversized_note_says_the_limit_and_keeps_the_text(alice_client):
    response = alice_client.post(URL, form_data(nourish="y" * 2500))
    html = response.content.decode()
    assert "2000 characters or fewer" in html
    assert "y" * 2500 in html


def test_a_tampered_version_still_saves_the_whole_form(alice_client, alice):
    response = alice_client.post(URL, form_data(version="not-a-number"))
    assert response.status_code == 302
    assert CheckIn.objects.filter(user=alice).count() == 1


def test_practices_of_another_organisation_are_refused(alice_client, alice, other_organisation):
    theirs = Practice.objects.create(organisation=other_organisation, key="sauna", name="Sauna")
    response = alice_client.post(URL, form_data(practices=[str(theirs.pk)]))
    assert response.status_code == 200
    assert "not on the list" in response.content.decode()


def test_organisation_practices_are_offered_to_its_people(alice_client, organisation):
    Practice.objects.create(organisation=organisation, key="garden", name="Tending the garden")
    assert "Tending the garden" in alice_client.get(URL).content.decode()


@pytest.mark.parametrize("persona", ["olivia", "root", "oscar"])
def test_people_without_a_member_role_are_told_checkins_are_for_members(client, persona, request):
    login(client, request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Check-ins are for team members" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_saved_page_for_a_day_without_a_checkin_is_404(alice_client, alice):
    assert alice_client.get(reverse("checkins:saved") + "?date=2001-01-01").status_code == 404
    make_checkin(alice, alice.local_today())
    assert alice_client.get(reverse("checkins:saved") + "?date=junk").status_code == 200


def test_the_form_opens_more_about_today_when_an_optional_answer_needs_another_look(alice_client):
    html = alice_client.post(URL, form_data(nourish="x" * 2001)).content.decode()
    assert '<details class="more-about-today" open>' in html
    assert "0 ratings" not in html and "All nine rated. Ready to save." in html


def test_save_says_how_many_ratings_are_still_missing_after_a_partial_post(alice_client):
    html = alice_client.post(URL, form_data(avoidance=None, numbness=None)).content.decode()
    assert "2 ratings still to choose." in html
    assert '<details class="more-about-today">' in html  # the problem is in the ratings, not the folded part


def test_missed_a_day_lists_only_days_not_yet_filled_in(alice_client, alice):
    today = alice.local_today()
    make_checkin(alice, today - timedelta(days=1))
    html = alice_client.get(URL).content.decode()
    nav = html[html.index("Missed a day?") :]
    nav = nav[: nav.index("</nav>")]
    assert f"?date={(today - timedelta(days=1)).isoformat()}" not in nav
    assert f"?date={(today - timedelta(days=2)).isoformat()}" in nav


def test_the_cached_practices_follow_every_admin_change_at_once(alice_client, alice, organisation):
    """Added, renamed, switched off, deleted, a built-in changed: the next page and the next save see it."""
    from checkins.offered import offered_practices

    def shown() -> str:
        return alice_client.get(URL).content.decode()

    shown()  # cached now
    with CaptureQueriesContext(connection) as queries:
        offered_practices(organisation.pk)
    assert not any("checkins_practice" in query["sql"] for query in queries.captured_queries)

    walk = Practice.objects.create(organisation=organisation, key="walk", name="Walk by the river")
    assert "Walk by the river" in shown()
    assert alice_client.post(URL, form_data(practices=[str(walk.pk)])).status_code == 302
    assert list(CheckIn.objects.get(user=alice).practices.all()) == [walk]

    walk.name = "Riverside walk"
    walk.save()
    assert "Riverside walk" in shown() and "Walk by the river" not in shown()

    walk.is_active = False
    walk.save()
    assert "Riverside walk" not in shown()
    refused = alice_client.post(
        f"{URL}?date={(alice.local_today() - timedelta(days=1)).isoformat()}", form_data(practices=[str(walk.pk)])
    )
    assert refused.status_code == 200 and "not on the list" in refused.content.decode()

    builtin = Practice.objects.get(key="breathing", organisation=None)
    builtin.is_active = False
    builtin.save()
    assert f'name="practices" value="{builtin.pk}"' not in shown()
    assert 'name="practices" value=' in shown()  # the others are still offered
    builtin.delete()
    walk.delete()
    assert f'name="practices" value="{walk.pk}"' not in shown()
