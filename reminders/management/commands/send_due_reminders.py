from django.core.management.base import BaseCommand

from sts_checkin.celery import app as celery_app

from ... import dispatch
from ...models import ReminderSchedule


class Command(BaseCommand):
    help = (
        "Run one reminder dispatch tick now (what beat does every minute). With --now, everyone covered by an "
        "active schedule who has not checked in today and has no reminder for today gets one now, whatever "
        "the time of day. Sends go through the configured broker to the worker, or in this process with --eager."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Treat everyone covered as due now, for today.")
        parser.add_argument("--eager", action="store_true", help="Send in this process instead of via the worker.")

    def handle(self, *args, **options) -> None:
        if options["eager"]:
            celery_app.conf.task_always_eager = True
        if options["now"]:
            for organisation_id in set(
                ReminderSchedule.objects.filter(is_active=True).values_list("organisation_id", flat=True)
            ):
                dispatch.reschedule_organisation(organisation_id)
        report = dispatch.dispatch_due(force=options["now"])
        where = "sent in this process" if options["eager"] else "queued for the worker"
        self.stdout.write(
            self.style.SUCCESS(
                f"Looked at {report.considered} people; {len(report.created)} reminders {where}"
                f" ({len(report.requeued)} lost ones queued again)."
            )
        )
