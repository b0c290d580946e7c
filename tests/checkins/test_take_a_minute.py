"""Take a minute: Pause, Reset and Nourish outside the daily check-in, private to the person."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Organisation
from checkins.actions import do_apply_retention, do_erase_checkins
from checkins.models import FREE_TEXT_MAX_LENGTH, MeaningfulMoment, Practice, PracticeUse

from ..conftest import TwoStepClient
from .conftest import make_checkin

pytestmark = pytest.mark.django_db


def signed_in(user) -> TwoStepClient:
    client = TwoStepClient()
    client.force_login(user)
    return client


@pytest.fixture
def builtin(db) -> list[Practice]:
    """The built-in practices a migration made (a transactional test that ran earlier may have flushed them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("checkins.migrations.0003_builtin_practices").add_builtin_practices(apps, None)
    return list(Practice.objects.filter(organisation=None))


def test_the_pause_reads_as_plain_steps_and_loads_its_pacer_as_a_file(alice):
    body = signed_in(alice).get(reverse("checkins:minute_pause")).content.decode()
    assert body.count("<li>") >= 3
    assert "about four counts" in body
    assert 'id="pacer" hidden' in body  # shown by the script only
    assert "/static/js/minute.js" in body
    assert "<script>" not in body


def test_reset_shows_each_practice_with_its_description_in_the_readers_language(alice, builtin):
    client = signed_in(alice)
    english = client.get(reverse("checkins:minute_reset")).content.decode()
    assert "Noticing five things you can see, hear or touch." in english
    spanish = client.get(reverse("checkins:minute_reset"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Fijarte en cinco cosas que puedes ver, oír o tocar." in spanish


def test_reset_offers_the_organisations_own_practices_and_never_another_organisations(alice, other_organisation):
    Practice.objects.create(
        organisation=alice.organisation, key="river", name="River walk", description="Ten minutes by the water."
    )
    Practice.objects.create(organisation=other_organisation, key="hill", name="Hill climb")
    body = signed_in(alice).get(reverse("checkins:minute_reset")).content.decode()
    assert "River walk" in body and "Ten minutes by the water." in body
    assert "Hill climb" not in body


def test_noting_a_practice_keeps_one_note_per_day(alice, builtin):
    client = signed_in(alice)
    grounding = next(p for p in builtin if p.key == "grounding")
    for _ in range(2):
        response = client.post(reverse("checkins:minute_reset"), {"practice": str(grounding.pk)})
        assert response.status_code == 302
    assert list(PracticeUse.objects.values_list("user_id", "local_date", "practice_id")) == [
        (alice.pk, alice.local_today(), grounding.pk)
    ]
    assert "Noted for today" in client.get(reverse("checkins:minute_reset")).content.decode()


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1"])
def test_an_unknown_practice_gets_a_clear_message_and_nothing_is_noted(alice, value):
    response = signed_in(alice).post(reverse("checkins:minute_reset"), {"practice": value})
    assert response.status_code == 400
    assert "Please pick one below" in response.content.decode()
    assert not PracticeUse.objects.exists()


def test_another_organisations_practice_cannot_be_noted(alice, other_organisation):
    hill = Practice.objects.create(organisation=other_organisation, key="hill", name="Hill climb")
    response = signed_in(alice).post(reverse("checkins:minute_reset"), {"practice": str(hill.pk)})
    assert response.status_code == 400
    assert not PracticeUse.objects.exists()


def test_nourish_shows_one_of_your_own_moments_from_a_check_in(alice):
    make_checkin(alice, alice.local_today() - dt.timedelta(days=3), nourish="The boy laughed at my joke")
    body = signed_in(alice).get(reverse("checkins:minute_nourish")).content.decode()
    assert "The boy laughed at my joke" in body


def test_a_moment_written_here_is_stored_encrypted_and_comes_back_only_to_its_author(alice, bob, carol):
    response = signed_in(alice).post(reverse("checkins:minute_nourish"), {"text": "A family found a flat"})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM checkins_meaningfulmoment")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and "flat" not in stored
    assert "A family found a flat" in signed_in(alice).get(reverse("checkins:minute_nourish")).content.decode()
    make_checkin(carol, carol.local_today(), nourish="Carol's own moment")
    for other in (bob, carol):
        body = signed_in(other).get(reverse("checkins:minute_nourish")).content.decode()
        assert "A family found a flat" not in body


def test_show_another_skips_the_moment_on_screen(alice):
    first = MeaningfulMoment.objects.create(user=alice, local_date=alice.local_today(), text="FIRST-MOMENT")
    MeaningfulMoment.objects.create(user=alice, local_date=alice.local_today(), text="SECOND-MOMENT")
    client = signed_in(alice)
    for _ in range(5):
        body = client.get(reverse("checkins:minute_nourish"), {"not": f"m{first.pk}"}).content.decode()
        assert "SECOND-MOMENT" in body and "FIRST-MOMENT" not in body


def test_an_empty_moment_is_refused_kindly(alice):
    response = signed_in(alice).post(reverse("checkins:minute_nourish"), {"text": "   "})
    assert response.status_code == 400
    assert "nothing has to be kept" in response.content.decode()
    assert not MeaningfulMoment.objects.exists()


def test_an_overlong_moment_is_refused_and_every_word_typed_is_kept(alice):
    text = "word " * (FREE_TEXT_MAX_LENGTH // 5) + "LAST-WORDS"
    response = signed_in(alice).post(reverse("checkins:minute_nourish"), {"text": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your words are still here" in body
    assert "LAST-WORDS" in body
    assert not MeaningfulMoment.objects.exists()


def test_erasing_my_check_ins_erases_what_take_a_minute_kept(alice, builtin):
    MeaningfulMoment.objects.create(user=alice, local_date=alice.local_today(), text="gone")
    PracticeUse.objects.create(user=alice, local_date=alice.local_today(), practice=builtin[0])
    do_erase_checkins(alice)
    assert not MeaningfulMoment.objects.filter(user=alice).exists()
    assert not PracticeUse.objects.filter(user=alice).exists()


def test_retention_deletes_old_moments_and_notes_with_the_check_ins(alice, eve, builtin):
    Organisation.objects.filter(pk=alice.organisation_id).update(retention_days=30)
    today = dt.date(2026, 3, 18)
    old, recent = today - dt.timedelta(days=40), today - dt.timedelta(days=5)
    for day in (old, recent):
        MeaningfulMoment.objects.create(user=alice, local_date=day, text="m")
        PracticeUse.objects.create(user=alice, local_date=day, practice=builtin[0])
    MeaningfulMoment.objects.create(user=eve, local_date=old, text="elsewhere keeps everything")
    do_apply_retention(today)
    assert list(MeaningfulMoment.objects.filter(user=alice).values_list("local_date", flat=True)) == [recent]
    assert list(PracticeUse.objects.values_list("local_date", flat=True)) == [recent]
    assert MeaningfulMoment.objects.filter(user=eve).exists()


def test_the_saved_page_offers_a_minute_after_distressing_exposure_only(alice):
    client = signed_in(alice)
    today, yesterday = alice.local_today(), alice.local_today() - dt.timedelta(days=1)
    make_checkin(alice, today, exposure=True)
    make_checkin(alice, yesterday, exposure=False)
    minute = f'href="{reverse("checkins:minute")}"'
    hard = client.get(reverse("checkins:saved"), {"date": today.isoformat()}).content.decode()
    assert "You marked something especially distressing" in hard and minute in hard
    calm = client.get(reverse("checkins:saved"), {"date": yesterday.isoformat()}).content.decode()
    assert "You marked something especially distressing" not in calm


def test_my_json_download_includes_what_take_a_minute_kept_and_nobody_elses(alice, bob, builtin):
    MeaningfulMoment.objects.create(user=alice, local_date=dt.date(2026, 3, 2), text="ALICE-MOMENT")
    MeaningfulMoment.objects.create(user=bob, local_date=dt.date(2026, 3, 2), text="BOB-MOMENT")
    PracticeUse.objects.create(user=alice, local_date=dt.date(2026, 3, 3), practice=builtin[0])
    response = signed_in(alice).get(reverse("checkins:export", args=["json"]))
    payload = json.loads(b"".join(response) if response.streaming else response.content)
    assert payload["take_a_minute"] == {
        "meaningful_moments": [{"date": "2026-03-02", "text": "ALICE-MOMENT"}],
        "practices_noted": [{"date": "2026-03-03", "practice": builtin[0].key}],
    }
