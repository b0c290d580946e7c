"""Two submissions of the same day at the same moment (two tabs, a double tap) against PostgreSQL."""

import pytest
from django.test import Client
from django.urls import reverse

from checkins.actions import do_save_checkin
from checkins.models import CheckIn, IntroSeen

from ..races import race
from .conftest import form_data

pytestmark = pytest.mark.postgres


def test_two_concurrent_posts_leave_one_row(require_postgres, transactional_db, alice):
    IntroSeen.objects.create(user=alice)

    def post(level, nourish):
        def work():
            client = Client()
            client.force_login(alice)
            return client.post(reverse("checkins:today"), form_data(level=level, nourish=nourish)).status_code

        return work

    for _attempt in range(3):
        CheckIn.objects.all().delete()
        assert race(post(1, "first"), post(4, "second")) == [302, 302]
        checkin = CheckIn.objects.get(user=alice)
        # Last write wins, and it is one whole submission, never a mix of the two.
        assert (checkin.intrusive_thoughts, checkin.nourish) in {(1, "first"), (4, "second")}
        assert checkin.version == 2


def test_many_concurrent_saves_of_one_day_keep_one_row_and_count_every_version(
    require_postgres, transactional_db, alice
):
    day = alice.local_today()

    def save(level):
        values = {
            field: level
            for field in (
                "intrusive_thoughts",
                "avoidance",
                "sleep_trouble",
                "irritability",
                "emotional_exhaustion",
                "numbness",
                "physical_strain",
                "low_motivation",
                "rest_guilt",
            )
        }
        return lambda: do_save_checkin(alice, day, values, [], loaded_version=0).created

    created = race(*(save(level % 5) for level in range(6)))
    assert created.count(True) == 1
    checkin = CheckIn.objects.get(user=alice)
    assert checkin.version == 6
    assert len(set(checkin.ratings().values())) == 1
