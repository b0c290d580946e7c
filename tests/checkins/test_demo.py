from datetime import timedelta

from accounts import demo as accounts_demo
from accounts.models import Membership, User
from checkins import demo, insights
from checkins.models import CheckIn


def _snapshot(user) -> list[tuple]:
    return list(
        CheckIn.objects.filter(user=user)
        .order_by("local_date")
        .values_list("local_date", "sts_index", "exposure", "day_off", "nourish")
    )


def test_demo_gives_every_staff_member_eight_weeks_of_varied_history(db):
    organisation = accounts_demo.seed()
    demo.extend(organisation)
    members = User.objects.filter(memberships__role=Membership.Role.MEMBER).distinct()
    supervisors = User.objects.filter(memberships__role=Membership.Role.SUPERVISOR)
    assert not CheckIn.objects.filter(user__in=supervisors).exists()
    for person in members:
        checkins = list(CheckIn.objects.filter(user=person))
        today = person.local_today()
        assert 25 <= len(checkins) <= 56
        assert all(today - timedelta(days=56) <= c.local_date < today for c in checkins)
        assert any(c.day_off for c in checkins) and any(c.exposure for c in checkins)
        assert len({c.band for c in checkins}) >= 2
    assert CheckIn.practices.through.objects.exists()
    assert CheckIn.objects.exclude(nourish="").exists()


def test_demo_is_deterministic_and_skips_people_who_have_checkins(db):
    organisation = accounts_demo.seed()
    demo.extend(organisation)
    ben = User.objects.get(email=accounts_demo.demo_email("ben"))
    before = _snapshot(ben)
    count = CheckIn.objects.count()
    demo.extend(organisation)
    assert CheckIn.objects.count() == count
    CheckIn.objects.filter(user=ben).delete()
    demo.extend(organisation)
    assert _snapshot(ben) == before


def test_anas_steady_two_weeks_show_the_persistent_strain_note(db):
    organisation = accounts_demo.seed()
    demo.extend(organisation)
    ana = User.objects.get(email=accounts_demo.demo_email("ana"))
    days = [checkin.as_day() for checkin in CheckIn.objects.filter(user=ana)]
    warning = insights.early_warning(days, ana.local_today())
    assert warning is not None and "persistent_strain" in warning.reasons
    recent = [
        d for d in days if d.local_date >= ana.local_today() - timedelta(days=insights.PERSISTENT_WINDOW_DAYS - 1)
    ]
    # Steady strain, not a run of heavy days: the old rules would have stayed silent.
    assert sum(d.band == "high" for d in recent) < insights.RECENT_HIGH_COUNT
    assert not any(insights.is_severe_pattern(d) for d in recent)
