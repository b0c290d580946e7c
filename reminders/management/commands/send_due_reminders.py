from celery import current_app as celery_app
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

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
        # The sends are handed to the broker once the rows are committed, before dispatch_due returns;
        # the ones it could not take are in report.waiting, still pending.
        waiting = set(report.waiting)
        counts = {
            "considered": report.considered,
            "queued": sum(1 for pk in report.created if pk not in waiting),
            "requeued": sum(1 for pk in report.requeued if pk not in waiting),
            "waiting": len(waiting),
        }
        if options["eager"]:
            message = _(
                "Looked at %(considered)s people; %(queued)s reminders sent in this process"
                " (%(requeued)s lost ones queued again)."
            )
        else:
            message = _(
                "Looked at %(considered)s people; %(queued)s reminders queued for the worker"
                " (%(requeued)s lost ones queued again)."
            )
        message %= counts
        if not waiting:
            self.stdout.write(self.style.SUCCESS(message))
            return
        message += (
            " "
            + _(
                "%(waiting)s waiting: the broker could not be reached, so a tick about five minutes from now"
                " will queue them again."
            )
            % counts
        )
        self.stdout.write(self.style.WARNING(message))
