"""One check-in per person per *local* date: the person's time zone decides the day."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from checkins.models import CheckIn

from .conftest import form_data, make_checkin

URL = reverse("checkins:today")


def _post_at(client, moment: datetime, **data):
    with time_machine.travel(moment, tick=False):
        # Sign in again at that moment: sessions end after 8 idle hours.
        client.force_login(User.objects.get(email="alice@example.org"))
        response = client.post(URL, form_data(**data))
    assert response.status_code == 302
    return response


def _dates(user) -> list[date]:
    return sorted(CheckIn.objects.filter(user=user).values_list("local_date", flat=True))


def test_the_database_refuses_a_second_row_for_the_same_local_date(alice):
    make_checkin(alice, date(2026, 3, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_checkin(alice, date(2026, 3, 20))


def test_just_after_midnight_in_auckland_is_already_the_next_day(alice_client, alice):
    alice.time_zone = "Pacific/Auckland"
    alice.save()
    _post_at(alice_client, datetime(2026, 3, 20, 11, 30, tzinfo=UTC))  # 00:30 on 21 March in Auckland
    assert _dates(alice) == [date(2026, 3, 21)]


def test_one_minute_either_side_of_midnight_in_los_angeles_makes_two_days(alice_client, alice):
    alice.time_zone = "America/Los_Angeles"
    alice.save()
    _post_at(alice_client, datetime(2026, 3, 21, 6, 59, tzinfo=UTC))  # 23:59 on 20 March (PDT)
    _post_at(alice_client, datetime(2026, 3, 21, 7, 0, 30, tzinfo=UTC), level=2)  # 00:00:30 on 21 March
    _post_at(alice_client, datetime(2026, 3, 21, 20, 0, tzinfo=UTC), level=3)  # later on 21 March: an edit
    assert _dates(alice) == [date(2026, 3, 20), date(2026, 3, 21)]
    assert CheckIn.objects.get(user=alice, local_date=date(2026, 3, 21)).intrusive_thoughts == 3


def test_the_short_spring_forward_day_in_london_is_one_day(alice_client, alice):
    # 29 March 2026: the clocks go forward at 01:00 GMT, so the day has 23 hours.
    _post_at(alice_client, datetime(2026, 3, 29, 0, 5, tzinfo=UTC))  # 00:05 GMT
    _post_at(alice_client, datetime(2026, 3, 29, 22, 55, tzinfo=UTC), level=2)  # 23:55 BST, same day
    assert _dates(alice) == [date(2026, 3, 29)]
    _post_at(alice_client, datetime(2026, 3, 29, 23, 5, tzinfo=UTC))  # 00:05 BST on 30 March
    assert _dates(alice) == [date(2026, 3, 29), date(2026, 3, 30)]


def test_the_long_fall_back_day_in_london_is_one_day(alice_client, alice):
    # 25 October 2026: the clocks go back at 01:00 GMT, so the day has 25 hours.
    _post_at(alice_client, datetime(2026, 10, 24, 23, 5, tzinfo=UTC))  # 00:05 BST on 25 October
    _post_at(alice_client, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), level=2)  # 01:30 GMT, the repeated hour
    _post_at(alice_client, datetime(2026, 10, 25, 23, 55, tzinfo=UTC), level=3)  # 23:55 GMT
    assert _dates(alice) == [date(2026, 10, 25)]
    assert CheckIn.objects.get(user=alice).version == 3


def test_the_late_window_follows_the_persons_time_zone(alice_client, alice):
    alice.time_zone = "Pacific/Kiritimati"  # UTC+14
    alice.save()
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        # It is already 21 March in Kiritimati: 21 is today, 19 is the oldest day allowed.
        assert alice_client.get(URL + "?date=2026-03-21").status_code == 200
        assert alice_client.get(URL + "?date=2026-03-19").status_code == 200
        assert alice_client.get(URL + "?date=2026-03-18").status_code == 400
        assert alice_client.get(URL + "?date=2026-03-22").status_code == 400
