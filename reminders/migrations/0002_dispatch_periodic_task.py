"""The beat tick, as a django-celery-beat periodic task admins can see and edit in the admin."""

from django.db import migrations

TASK_NAME = "Dispatch due reminders"


def create_tick(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "reminders.dispatch_due",
            "interval": every_minute,
            "description": "Queues today's due reminder emails. Runs every minute; each person gets at most one a day.",
        },
    )


def remove_tick(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_tick, remove_tick)]
