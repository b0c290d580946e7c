"""Two edits of the same check-in at the same moment (two devices, both opened at the same version)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, Practice

from ..checkins.conftest import form_data
from ..races import race

pytestmark = pytest.mark.postgres

TOLD = "the earlier edit was replaced"


def as_saved(checkin: CheckIn) -> dict:
    return {
        **{name: getattr(checkin, name) for name in (*SIGN_FIELDS, "mood", "nourish", "private_note")},
        "practices": sorted(checkin.practices.values_list("pk", flat=True)),
    }


def as_sent(form: dict) -> dict:
    return {
        **{name: int(form[name]) for name in (*SIGN_FIELDS, "mood")},
        "nourish": form["nourish"],
        "private_note": form["private_note"],
        "practices": sorted(form["practices"]),
    }


def save_at_once(user, forms: dict[str, dict]) -> dict[str, str]:
    """POST each form from its own signed-in device at the same moment; the page each device ends on."""
    devices = {}
    for device in forms:
        devices[device] = Client()
        devices[device].force_login(user)

    def save(device: str):
        def work() -> str:
            response = devices[device].post(reverse("checkins:today"), forms[device], follow=True)
            assert response.status_code == 200
            return response.content.decode()

        return work

    return dict(zip(forms, race(*(save(device) for device in forms)), strict=True))


def test_two_edits_at_once_leave_one_whole_version_and_tell_the_device_whose_save_replaced_the_other(
    require_postgres, transactional_db, alice
):
    IntroSeen.objects.create(user=alice)
    practices = list(Practice.objects.filter(organisation__isnull=True).order_by("pk").values_list("pk", flat=True))
    first = Client()
    first.force_login(alice)
    for _round in range(4):
        CheckIn.objects.filter(user=alice).delete()
        assert first.post(reverse("checkins:today"), form_data(level=2, nourish="first")).status_code == 302
        version = str(CheckIn.objects.get(user=alice).version)
        forms = {
            "phone": form_data(
                level=1,
                mood="1",
                nourish="from the phone",
                private_note="phone",
                practices=practices[:2],
                version=version,
            ),
            "laptop": form_data(
                level=4,
                mood="5",
                nourish="from the laptop",
                private_note="laptop",
                practices=practices[2:4],
                version=version,
            ),
        }
        pages = save_at_once(alice, forms)

        checkin = CheckIn.objects.get(user=alice)
        assert checkin.version == int(version) + 2
        # One of the two whole versions, never a mix...
        (winner,) = [device for device, form in forms.items() if as_saved(checkin) == as_sent(form)]
        # ...and the device whose save replaced the other's is told so; the other saved first, untold.
        (loser,) = set(forms) - {winner}
        assert TOLD in pages[winner]
        assert TOLD not in pages[loser]
