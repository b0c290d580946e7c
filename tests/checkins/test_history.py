import re
from datetime import timedelta

import pytest
from django.urls import reverse

from checkins.models import DayMark

from .conftest import login, make_checkin

HISTORY = reverse("checkins:history")


def test_history_without_checkins_explains_and_invites(alice_client):
    html = alice_client.get(HISTORY).content.decode()
    assert "After a few check-ins, your charts and trends will appear here" in html
    assert "<svg viewBox" not in html


def test_history_shows_charts_with_title_desc_caption_table_and_marks(alice_client, alice):
    today = alice.local_today()
    for offset in range(10):
        make_checkin(
            alice,
            today - timedelta(days=offset),
            level=offset % 3,
            exposure=offset == 2,
            day_off=offset == 4,
            practices=("breathing",),
        )
    html = alice_client.get(HISTORY).content.decode()
    # the average, mood, energy, the four groups of signs and the two optional questions
    assert html.count('role="img"') == 9
    for title in (
        "Your average of the nine signs",
        "Your mood",
        "Your energy",
        "Drained, body carrying it, guilty about resting",
        "Your work made a difference",
    ):
        assert 'class="h6 chart-title" id="chart-' in html and f">{title}</h4>" in html
    assert '<title id="chart-index-title">Your average of the nine signs</title>' in html
    assert '<desc id="chart-index-desc">' in html
    assert "10 check-ins" in html
    assert 'class="mark-exposure"' in html and 'class="mark-day-off"' in html
    assert "<details" in html and "<table" in html
    assert html.count("Our own reflection scale, not a validated measure, not a diagnosis.") == 1
    assert "Lighter is an average below 1.00; noticeable is 1.00 up to 2.50; heavy is 2.50 or more." in html
    visible = re.sub(r'(id|aria-labelledby|aria-describedby|href|for)="[^"]*"', "", html).lower()
    assert not any(word in visible for word in ("sts index", "intrusion", "arousal", "high band"))
    assert "Slow breathing" in html  # what seems to help you
    assert 'big-number">4</span> days since your last day off' in html


@pytest.mark.parametrize(("weeks", "shown"), [("4", 4), ("12", 12), ("52", 52), ("7", 4), ("abc", 4), ("", 4)])
def test_history_range_is_4_12_or_52_weeks_and_falls_back_to_4(alice_client, alice, weeks, shown):
    make_checkin(alice, alice.local_today())
    response = alice_client.get(HISTORY, {"weeks": weeks})
    assert response.status_code == 200
    assert response.context["weeks"] == shown


def test_older_checkins_link_to_a_read_only_detail_and_recent_ones_to_the_form(alice_client, alice):
    today = alice.local_today()
    recent = make_checkin(alice, today - timedelta(days=1))
    old = make_checkin(alice, today - timedelta(days=10), nourish="the old moment")
    html = alice_client.get(HISTORY).content.decode()
    assert reverse("checkins:detail", args=[old.pk]) in html
    assert f"?date={recent.local_date.isoformat()}" in html
    detail = alice_client.get(reverse("checkins:detail", args=[old.pk])).content.decode()
    assert "the old moment" in detail
    assert "Change this check-in" not in detail
    assert detail.count("Our own reflection scale, not a validated measure, not a diagnosis.") == 1


def test_early_warning_panel_shows_the_organisations_contacts(alice_client, alice, organisation):
    organisation.support_contact = "Wellbeing line 0800 111"
    organisation.crisis_contact = "Crisis line 116 123"
    organisation.save()
    today = alice.local_today()
    for offset in range(3):
        make_checkin(alice, today - timedelta(days=offset), level=3)
    html = alice_client.get(HISTORY).content.decode()
    assert "Things seem heavy lately" in html
    assert "Wellbeing line 0800 111" in html and "Crisis line 116 123" in html
    assert "reflective supervision" in html


def test_no_early_warning_panel_on_calm_weeks(alice_client, alice, organisation):
    for offset in range(5):
        make_checkin(alice, alice.local_today() - timedelta(days=offset), level=1)
    assert "Things seem heavy lately" not in alice_client.get(HISTORY).content.decode()


def test_alice_sees_only_her_own_checkins(alice_client, alice, carol):
    make_checkin(carol, carol.local_today(), nourish="carol's secret")
    mine = make_checkin(alice, alice.local_today() - timedelta(days=5))
    html = alice_client.get(HISTORY).content.decode()
    assert "carol's secret" not in html
    assert reverse("checkins:detail", args=[mine.pk]) in html


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve", "olivia", "oscar", "root"])
def test_everyone_else_gets_404_for_alices_checkin(client, alice, persona, request):
    checkin = make_checkin(alice, alice.local_today(), nourish="only for alice")
    login(client, request.getfixturevalue(persona))
    response = client.get(reverse("checkins:detail", args=[checkin.pk]))
    assert response.status_code == 404
    assert "only for alice" not in response.content.decode()


def test_alice_gets_404_for_a_checkin_that_is_not_hers(alice_client, carol):
    checkin = make_checkin(carol, carol.local_today())
    assert alice_client.get(reverse("checkins:detail", args=[checkin.pk])).status_code == 404
    assert alice_client.get(reverse("checkins:detail", args=[987654])).status_code == 404


def test_the_saved_page_for_alice_never_shows_carols_day(alice_client, carol):
    make_checkin(carol, carol.local_today())
    url = reverse("checkins:saved") + f"?date={carol.local_today().isoformat()}"
    assert alice_client.get(url).status_code == 404


def test_the_privacy_page_shows_the_organisations_k_and_what_never_reaches_supervisors(alice_client, organisation):
    organisation.anonymity_k = 7
    organisation.save()
    html = alice_client.get(reverse("checkins:privacy")).content.decode()
    assert "Rough days you note without ratings. They are never part of any team average" in html
    assert "What my supervisor can see" in html
    assert "at least 7 different people" in html
    assert "Your individual answers or scores" in html


def test_members_get_the_four_menu_entries_and_others_none(client, alice, bob):
    login(client, alice)
    labels = [item["label"] for item in client.get(reverse("checkins:privacy")).context["nav_items"]]
    checkin_entries = ["Today", "History", "My data", "Who sees what"]
    assert [label for label in labels if label in checkin_entries] == checkin_entries
    client.logout()
    login(client, bob)
    labels = [item["label"] for item in client.get(reverse("checkins:privacy")).context["nav_items"]]
    assert "Today" not in labels


def test_home_sends_a_member_to_todays_checkin(alice_client):
    response = alice_client.get(reverse("home"))
    assert response["Location"] == reverse("checkins:today")


def test_the_crisis_line_is_printed_once_even_when_the_admin_typed_its_label(alice_client, alice, organisation):
    organisation.crisis_contact = "If you feel unsafe or in crisis: call 999 any time."
    organisation.save()
    today = alice.local_today()
    for offset in range(3):
        make_checkin(alice, today - timedelta(days=offset), level=4)
    for url in (HISTORY, reverse("checkins:saved") + f"?date={today.isoformat()}"):
        html = alice_client.get(url).content.decode()
        assert html.count("If you feel unsafe or in crisis") == 1, url
        assert "call 999 any time." in html
        assert html.count("Our own reflection scale, not a validated measure, not a diagnosis.") == 1, url


def test_mood_and_energy_are_charted_on_their_own_scale(alice_client, alice):
    today = alice.local_today()
    make_checkin(alice, today, mood=2, energy=5)
    make_checkin(alice, today - timedelta(days=1), mood=4, energy=None)
    html = alice_client.get(HISTORY).content.decode()
    assert "Your mood on each day you answered" in html and "2 answers, averaging 3.00" in html
    assert "Your energy on each day you answered" in html and "1 answer, averaging 5.00" in html


def test_a_year_is_drawn_as_weekly_means_with_a_range(alice_client, alice):
    today = alice.local_today()
    for offset in range(0, 300, 2):
        make_checkin(alice, today - timedelta(days=offset), level=offset % 4)
    html = alice_client.get(HISTORY, {"weeks": "52"}).content.decode()
    index = html[html.index('id="chart-index-heading"') : html.index('id="chart-mood-heading"')]
    assert "Each point is one week" in index
    points = index.count('class="series-marker')
    assert 40 <= points <= 53
    assert index.count('class="week-range"') == points
    four = alice_client.get(HISTORY).content.decode()
    assert 'class="week-range"' not in four


def test_the_calendar_strip_shows_each_of_the_last_four_weeks_by_state_without_counts(alice_client, alice):
    today = alice.local_today()
    make_checkin(alice, today - timedelta(days=1))
    DayMark.objects.create(user=alice, local_date=today - timedelta(days=2), kind="hard_day")
    DayMark.objects.create(user=alice, local_date=today - timedelta(days=3), kind="day_off")
    html = alice_client.get(HISTORY).content.decode()
    strip = html[html.index('class="calendar-strip"') : html.index("</table>", html.index('class="calendar-strip"'))]
    assert strip.count('class="day day-checked_in') == 1
    assert strip.count('class="day day-hard_day') == 1
    assert strip.count('class="day day-day_off') == 1
    assert strip.count('class="day day-none') >= 25
    assert "streak" not in html.lower() and "missed" not in strip.lower()
    # The rough day is its own entry in the list, with the way to add ratings.
    assert "rough day</span> · ratings can still be added" in html


def test_the_time_off_clock_counts_days_off_noted_without_ratings(alice_client, alice):
    today = alice.local_today()
    make_checkin(alice, today)
    DayMark.objects.create(user=alice, local_date=today - timedelta(days=3), kind="day_off")
    DayMark.objects.create(user=alice, local_date=today + timedelta(days=3), kind="day_off")  # still to come
    html = alice_client.get(HISTORY).content.decode()
    assert 'big-number">3</span> days since your last day off' in html
