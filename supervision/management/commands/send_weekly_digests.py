from django.core.management.base import BaseCommand

from supervision.digest import send_weekly_digests


class Command(BaseCommand):
    help = "Send the weekly supervisor digest now (it normally goes out on Monday at 07:00)."

    def handle(self, *args, **options) -> None:
        sent = send_weekly_digests()
        self.stdout.write(self.style.SUCCESS(f"Digests sent: {sent}"))
