from django.db import migrations

# Frozen SQL, not application code: a membership that existed before memberships had dates is
# taken to have started on the Monday of its member's first check-in, when that is earlier
# than the day the row was created. Past weeks are then published from today's data, once,
# by the first "Publish closed weeks" run (or `manage.py publish_weeks`).
_MONDAY = {
    "postgresql": "(MIN(c.local_date) - (EXTRACT(ISODOW FROM MIN(c.local_date))::integer - 1))",
    "sqlite": "date(MIN(c.local_date), '-' || ((CAST(strftime('%w', MIN(c.local_date)) AS integer) + 6) % 7) || ' days')",
}
_DATE_FROM_FIRST_CHECKIN = """
UPDATE accounts_membership SET started_on = (
    SELECT {monday} FROM checkins_checkin c WHERE c.user_id = accounts_membership.user_id
)
WHERE ended_on IS NULL AND EXISTS (
    SELECT 1 FROM checkins_checkin c
    WHERE c.user_id = accounts_membership.user_id AND c.local_date < accounts_membership.started_on
)
"""

PUBLISH_TASK = "Publish closed weeks"
OLD_DIGEST_TASK = "Weekly supervisor digest"


def date_existing_memberships(apps, schema_editor):
    vendor = "sqlite" if schema_editor.connection.vendor == "sqlite" else "postgresql"
    schema_editor.execute(_DATE_FROM_FIRST_CHECKIN.format(monday=_MONDAY[vendor]))


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=PUBLISH_TASK,
        defaults={
            "task": "supervision.publish_due_weeks",
            "crontab": crontab,
            "description": (
                "Every 15 minutes: publishes each organisation's weeks that can no longer change (their last day "
                "plus the check-in edit window), once, catching up any missed week in order; then emails each "
                "supervisor the digest of a newly published week, from 07:00 in the organisation's time zone."
            ),
        },
    )
    # The digest now follows publication instead of a fixed Monday hour.
    PeriodicTask.objects.filter(name=OLD_DIGEST_TASK).delete()


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PUBLISH_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_publications"),
        ("accounts", "0005_dated_memberships_and_groups"),
        ("checkins", "0006_checkin_user_index_in_unique"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(date_existing_memberships, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
