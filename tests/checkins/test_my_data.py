import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from checkins.models import CheckIn, DayMark, IntroSeen, Practice

from .conftest import make_checkin

Through = CheckIn.practices.through


@pytest.fixture
def history(alice, carol):
    today = alice.local_today()
    first = make_checkin(
        alice,
        today - timedelta(days=1),
        level=2,
        practices=("breathing", "time_outside"),
        nourish='Ünïcode, commas, "quotes"\nand a new line',
        private_note="just mine",
        mood=4,
        stress_locations=["jaw", "chest"],
        exposure=True,
        workload=1,
    )
    second = make_checkin(alice, today, level=0, day_off=True)
    make_checkin(carol, today, nourish="carol's words", practices=("humour",))
    return first, second


def test_my_data_page_counts_and_offers_both_downloads(alice_client, history):
    html = alice_client.get(reverse("checkins:my_data")).content.decode()
    assert "You have 2 check-ins stored" in html
    assert reverse("checkins:export", args=["csv"]) in html
    assert reverse("checkins:export", args=["json"]) in html


def test_json_export_round_trips_every_value(alice_client, history):
    first, second = history
    response = alice_client.get(reverse("checkins:export", args=["json"]))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    payload = json.loads(response.content)
    rows = payload["checkins"]
    assert [row["date"] for row in rows] == [first.local_date.isoformat(), second.local_date.isoformat()]
    row = rows[0]
    assert row["nourish"] == first.nourish and row["private_note"] == "just mine"
    assert row["practices"] == ["breathing", "time_outside"]
    assert row["stress_locations"] == ["jaw", "chest"]
    assert (row["intrusive_thoughts"], row["mood"], row["workload"], row["exposure"]) == (2, 4, 1, True)
    assert row["sts_index"] == "2.00" and row["band"] == "moderate"
    assert rows[1]["day_off"] is True and rows[1]["mood"] is None
    assert payload["days_noted"] == []
    assert "carol's words" not in response.content.decode()


def test_csv_export_speaks_in_the_words_of_the_form(alice_client, alice, history):
    first, _second = history
    DayMark.objects.create(user=alice, local_date=first.local_date - timedelta(days=1), kind="hard_day")
    response = alice_client.get(reverse("checkins:export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 3
    rough, row, day_off = rows
    assert (rough["Noted as"], rough["Emotionally drained"]) == ("Rough day", "")
    assert row["Date"] == first.local_date.isoformat()
    assert row["One moment that meant something today"] == first.nourish
    assert row["What helped you reset today?"] == "Slow breathing; Time outside"
    assert row["Where do you notice stress in your body?"] == "Jaw or face; Chest or breathing"
    assert row["Steering away from some people, places or tasks"] == "2, somewhat"
    assert (row["Mood"], row["Did your workload feel manageable?"]) == ("4, good", "1, barely")
    assert row["Did you hear or see something especially distressing today?"] == "Yes"
    assert (row["Average of the nine signs (0 = not at all, 4 = a lot)"], row["Range"]) == ("2.00", "Noticeable")
    assert day_off["This was a day off"] == "Yes"
    for code in ("rest_guilt", "True", "jaw;", "time_outside"):
        assert code not in content
    assert "carol" not in content


def test_csv_export_is_in_the_persons_language(alice_client, alice, history):
    alice.language = "es"
    alice.save()
    content = alice_client.get(reverse("checkins:export", args=["csv"])).content.decode()
    header = next(csv.reader(io.StringIO(content)))
    assert header[0] == "Fecha" and "Mood" not in header
    assert "2,00" in content


def test_an_unknown_export_format_is_404(alice_client):
    assert alice_client.get(reverse("checkins:export", args=["xml"])).status_code == 404


def test_erasing_needs_the_confirmation_box(alice_client, alice, history):
    response = alice_client.post(reverse("checkins:erase_checkins"))
    assert response.status_code == 400
    assert "Please tick the box" in response.content.decode()
    assert CheckIn.objects.filter(user=alice).count() == 2


def test_erasing_my_checkins_leaves_no_row_behind(alice_client, alice, carol, history):
    response = alice_client.post(reverse("checkins:erase_checkins"), {"confirm": "yes"}, follow=True)
    assert "2 check-ins were erased" in response.content.decode()
    assert not CheckIn.objects.filter(user=alice).exists()
    assert not Through.objects.filter(checkin__user=alice).exists()
    assert Through.objects.count() == 1  # carol's practice link is untouched
    assert CheckIn.objects.filter(user=carol).count() == 1
    assert Practice.objects.filter(organisation=None).count() == 8
    event = AuditEvent.objects.get(action="erasure")
    assert event.actor == alice and event.detail == {"what": "checkins"}


def test_deleting_my_account_needs_the_typed_word(alice_client, alice, history):
    response = alice_client.post(reverse("checkins:erase_account"), {"confirm_word": "yes please"})
    assert response.status_code == 400
    assert "type the word" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


def test_deleting_my_account_removes_everything_and_signs_me_out(alice_client, alice, carol, history):
    alice_pk = alice.pk
    response = alice_client.post(reverse("checkins:erase_account"), {"confirm_word": " Delete "})
    assert response["Location"] == reverse("login")
    assert not User.objects.filter(pk=alice_pk).exists()
    assert not CheckIn.objects.filter(user_id=alice_pk).exists()
    assert not Through.objects.filter(checkin__user_id=alice_pk).exists()
    assert not IntroSeen.objects.filter(user_id=alice_pk).exists()
    assert CheckIn.objects.filter(user=carol).count() == 1
    event = AuditEvent.objects.get(action="erasure")
    assert event.detail == {"what": "account"}
    assert event.actor is None  # the person is gone; the record keeps no values
    assert alice_client.get(reverse("checkins:today"))["Location"].startswith(reverse("login"))


def test_erasing_is_post_only(alice_client, alice, history):
    assert alice_client.get(reverse("checkins:erase_checkins")).status_code == 405
    assert alice_client.get(reverse("checkins:erase_account")).status_code == 405
    assert CheckIn.objects.filter(user=alice).count() == 2


def test_seen_intro_is_kept_when_only_checkins_are_erased(alice_client, alice, history):
    alice_client.post(reverse("checkins:erase_checkins"), {"confirm": "yes"})
    assert IntroSeen.objects.filter(user=alice).exists()
