from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.navigation import nav_items_for
from checkins.models import CheckIn
from supervision import demo
from supervision.models import SharedCheckIn, TalkRequest, TeamAction

from .conftest import build_checkin


def labels(user):
    return [(str(item.label), item.order) for item in nav_items_for(user)]


def test_a_supervisor_is_offered_team_trends_first_and_what_was_shared(bob):
    items = labels(bob)
    assert ("Team trends", 15) in items and ("Shared with me", 30) in items and ("Talk requests", 31) in items
    assert nav_items_for(bob)[0].url == reverse("supervision:teams")


def test_an_organisation_admin_is_offered_the_organisation_trends(olivia):
    assert ("Organisation trends", 16) in labels(olivia)


def test_a_member_is_offered_sharing_talking_and_their_teams_actions_and_no_trends(alice):
    items = labels(alice)
    assert ("Share with my supervisor", 40) in items
    assert ("I'd like to talk", 35) in items and ("What our team is doing", 45) in items
    assert not any(label in ("Team trends", "Organisation trends", "Shared with me") for label, _ in items)


def test_the_demo_shares_two_check_ins_and_records_two_team_actions_once(db):
    organisation = accounts_demo.seed()
    for handle in ("ana", "ben"):
        person = organisation.people.get(email=accounts_demo.demo_email(handle))
        build_checkin(person, person.local_today(), 2).save()
    demo.extend(organisation)
    demo.extend(organisation)
    assert SharedCheckIn.objects.count() == 2
    assert TeamAction.objects.filter(team__name="Child Protection").count() == 2
    assert not TalkRequest.objects.exists()
    sam = organisation.people.get(email=accounts_demo.demo_email("sam"))
    assert SharedCheckIn.objects.visible_to_supervisor(sam).count() == 2


def test_the_demo_does_nothing_without_check_ins(db):
    organisation = accounts_demo.seed()
    demo.extend(organisation)
    assert not CheckIn.objects.exists()
    assert not SharedCheckIn.objects.exists()
    assert not TeamAction.objects.exists()
