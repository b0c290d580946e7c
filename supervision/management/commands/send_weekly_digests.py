from django.core.management.base import BaseCommand

from supervision.digest import send_due_digests
from supervision.publishing import publish_due


class Command(BaseCommand):
    help = (
        "Publish the weeks that are due, then send the digest of each organisation's newest published week to "
        "each supervisor who has not had it yet, at any hour (it normally goes out from 07:00 after the week is "
        "published). Never sends one twice."
    )

    def handle(self, *args, **options) -> None:
        publish_due()
        sent = send_due_digests(any_hour=True)
        self.stdout.write(self.style.SUCCESS(f"Digests sent: {sent}"))
