import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from supervision.models import SharedCheckIn

from .conftest import ALICE_RATINGS, NOTE_MARKER, NOURISH_MARKER, add_checkins, build_checkin

TODAY = dt.date(2026, 3, 18)


@pytest.fixture
def alice_checkin(alice, practice):
    return add_checkins(
        [build_checkin(alice, TODAY, nourish=NOURISH_MARKER, private_note=NOTE_MARKER, **ALICE_RATINGS)],
        [practice],
    )[0]


def share(client, checkin, **choices):
    data = {name: "on" for name, chosen in choices.items() if chosen}
    return client.post(reverse("supervision:share_checkin", args=[checkin.pk]), {"action": "share", **data})


def test_a_member_lists_their_recent_check_ins_and_what_the_supervisor_sees(client, alice, alice_checkin):
    old = add_checkins([build_checkin(alice, TODAY - dt.timedelta(days=20))])[0]
    client.force_login(alice)
    body = client.get(reverse("supervision:share")).content.decode()
    assert "What your supervisor can and cannot see" in body
    assert reverse("supervision:share_checkin", args=[alice_checkin.pk]) in body
    assert reverse("supervision:share_checkin", args=[old.pk]) not in body


def test_the_supervisor_sees_exactly_the_parts_that_were_shared(client, alice, bob, alice_checkin):
    client.force_login(alice)
    share(client, alice_checkin, share_ratings=True)
    shared = SharedCheckIn.objects.get()
    client.force_login(bob)
    listing = client.get(reverse("supervision:shared")).content.decode()
    assert "Alice Member" in listing
    detail = client.get(reverse("supervision:shared_detail", args=[shared.pk])).content.decode()
    assert "Alice Member" in detail
    assert "3.89" in detail
    assert "Slow breathing" not in detail
    assert NOURISH_MARKER not in detail and NOTE_MARKER not in detail
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SHARED_CHECKIN_VIEW, actor=bob).exists()


def test_sharing_only_the_practices_shows_no_ratings(client, alice, bob, alice_checkin):
    client.force_login(alice)
    share(client, alice_checkin, share_practices=True)
    client.force_login(bob)
    detail = client.get(reverse("supervision:shared_detail", args=[SharedCheckIn.objects.get().pk])).content.decode()
    assert "Slow breathing" in detail
    assert "3.89" not in detail


def test_after_withdrawal_nothing_is_visible(client, alice, bob, alice_checkin):
    client.force_login(alice)
    share(client, alice_checkin, share_ratings=True, share_practices=True)
    shared = SharedCheckIn.objects.get()
    client.post(reverse("supervision:share_checkin", args=[alice_checkin.pk]), {"action": "withdraw"})
    client.force_login(bob)
    assert "Alice Member" not in client.get(reverse("supervision:shared")).content.decode()
    assert client.get(reverse("supervision:shared_detail", args=[shared.pk])).status_code == 404


def test_unticking_everything_withdraws_the_share(client, alice, bob, alice_checkin):
    client.force_login(alice)
    share(client, alice_checkin, share_ratings=True)
    share(client, alice_checkin)
    assert not SharedCheckIn.objects.active().exists()


@pytest.mark.parametrize("persona", ["dave", "olivia", "oscar", "eve", "root", "carol"])
def test_nobody_else_sees_a_shared_check_in(client, request, alice, alice_checkin, persona):
    client.force_login(alice)
    share(client, alice_checkin, share_ratings=True)
    shared = SharedCheckIn.objects.get()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("supervision:shared_detail", args=[shared.pk])).status_code == 404
    listing = client.get(reverse("supervision:shared"))
    assert listing.status_code == 404 or "Alice Member" not in listing.content.decode()


def test_nobody_can_share_someone_elses_check_in(client, carol, alice_checkin):
    client.force_login(carol)
    assert share(client, alice_checkin, share_ratings=True).status_code == 404
    assert not SharedCheckIn.objects.exists()


def test_erasing_the_check_in_erases_the_share(client, alice, alice_checkin):
    client.force_login(alice)
    share(client, alice_checkin, share_ratings=True)
    alice_checkin.delete()
    assert not SharedCheckIn.objects.exists()
