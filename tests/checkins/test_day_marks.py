"""Rough days and days off noted in one tap, and leave periods, all without ratings."""

from datetime import timedelta

from django.urls import reverse

from checkins.models import CheckIn, CheckInRollup, DayMark

from .conftest import make_checkin

MARK = reverse("checkins:mark_day")
DAYS_OFF = reverse("checkins:days_off")
TODAY = reverse("checkins:today")


def test_a_rough_day_is_noted_in_one_post_without_ratings_and_says_ratings_can_follow(alice_client, alice):
    response = alice_client.post(MARK, {"kind": "hard_day"}, follow=True)
    mark = DayMark.objects.get(user=alice)
    assert mark.local_date == alice.local_today() and mark.kind == "hard_day"
    assert not CheckIn.objects.filter(user=alice).exists()
    html = response.content.decode()
    assert "Noted as a rough day." in html and "add the ratings any time in the next 2 days" in html
    # The form is still there for ratings later, and the buttons give way to a way back.
    assert 'name="intrusive_thoughts"' in html and 'value="clear"' in html and 'id="rough-day"' not in html


def test_a_rough_day_never_reaches_the_weekly_rollups(alice_client, alice):
    make_checkin(alice, alice.local_today() - timedelta(days=1), level=2)
    before = list(CheckInRollup.objects.filter(user=alice).values())
    alice_client.post(MARK, {"kind": "hard_day"})
    assert list(CheckInRollup.objects.filter(user=alice).values()) == before


def test_i_was_off_today_then_take_it_back(alice_client, alice):
    alice_client.post(MARK, {"kind": "day_off"})
    assert DayMark.objects.get(user=alice).kind == "day_off"
    alice_client.post(MARK, {"kind": "clear"})
    assert not DayMark.objects.filter(user=alice).exists()


def test_a_day_outside_the_edit_window_or_junk_is_refused_kindly(alice_client, alice):
    old = alice.local_today() - timedelta(days=10)
    assert alice_client.post(MARK, {"kind": "hard_day", "date": old.isoformat()}).status_code == 400
    assert alice_client.post(MARK, {"kind": "hard_day", "date": "not-a-date"}).status_code == 400
    response = alice_client.post(MARK, {"kind": "something"}, follow=True)
    assert response.status_code == 200 and not DayMark.objects.exists()


def test_a_leave_period_marks_each_day_off_keeps_a_rough_day_and_can_be_removed(alice_client, alice):
    today = alice.local_today()
    DayMark.objects.create(user=alice, local_date=today + timedelta(days=2), kind="hard_day")
    response = alice_client.post(
        DAYS_OFF,
        {
            "action": "record",
            "first_day": (today + timedelta(days=1)).isoformat(),
            "last_day": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    kinds = dict(DayMark.objects.filter(user=alice).values_list("local_date", "kind"))
    assert len(kinds) == 5 and kinds[today + timedelta(days=2)] == "hard_day"
    html = alice_client.get(DAYS_OFF).content.decode()
    assert "Remove" in html
    alice_client.post(
        DAYS_OFF,
        {
            "action": "cancel",
            "first": (today + timedelta(days=1)).isoformat(),
            "last": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert list(DayMark.objects.filter(user=alice).values_list("kind", flat=True)) == ["hard_day"]


def test_a_leave_period_backwards_or_too_long_keeps_what_was_typed(alice_client, alice):
    today = alice.local_today()
    data = {"action": "record", "first_day": (today + timedelta(days=5)).isoformat(), "last_day": today.isoformat()}
    response = alice_client.post(DAYS_OFF, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "comes before the first day" in html and data["first_day"] in html
    response = alice_client.post(
        DAYS_OFF,
        {"action": "record", "first_day": today.isoformat(), "last_day": (today + timedelta(days=200)).isoformat()},
    )
    assert response.status_code == 400 and "at most 92 days" in response.content.decode()
    assert alice_client.post(DAYS_OFF, {"action": "cancel", "first": "x", "last": "y"}).status_code == 302
    assert not DayMark.objects.exists()


def test_erasing_my_checkins_erases_my_day_marks_too(alice_client, alice):
    alice_client.post(MARK, {"kind": "hard_day"})
    alice_client.post(reverse("checkins:erase_checkins"), {"confirm": "yes"})
    assert not DayMark.objects.filter(user=alice).exists()
