from datetime import date, timedelta

from django_celery_beat.models import PeriodicTask

from accounts.models import AuditEvent
from checkins.models import CheckIn, Practice
from checkins.tasks import apply_retention

RATINGS = dict.fromkeys(
    [
        "intrusive_thoughts",
        "avoidance",
        "sleep_trouble",
        "irritability",
        "emotional_exhaustion",
        "numbness",
        "physical_strain",
        "low_motivation",
        "rest_guilt",
    ],
    2,
)


def _checkin(user, day: date) -> CheckIn:
    checkin = CheckIn.objects.create(user=user, local_date=day, nourish="kept safe", **RATINGS)
    checkin.practices.set(Practice.objects.all()[:2])
    return checkin


def test_old_check_ins_are_deleted_with_their_links(alice, eve, organisation, time_machine):
    time_machine.move_to("2026-06-30 03:15Z")
    organisation.retention_days = 90
    organisation.save()
    today = date(2026, 6, 30)
    old = _checkin(alice, today - timedelta(days=91))
    kept = _checkin(alice, today - timedelta(days=90))
    outsider_old = _checkin(eve, today - timedelta(days=400))  # Elsewhere keeps everything

    apply_retention.apply()

    assert not CheckIn.objects.filter(pk=old.pk).exists()
    assert not CheckIn.practices.through.objects.filter(checkin_id=old.pk).exists()
    assert CheckIn.objects.filter(pk__in=[kept.pk, outsider_old.pk]).count() == 2
    event = AuditEvent.objects.get(action="retention")
    assert event.organisation == organisation
    assert event.detail == {"deleted": 1, "before": "2026-04-01"}


def test_the_retention_task_is_on_the_beat_schedule(db):
    task = PeriodicTask.objects.get(task="checkins.apply_retention")
    assert task.enabled and task.crontab is not None
