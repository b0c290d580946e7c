from django.core.management.base import BaseCommand
from django.db import transaction

from checkins import crypto
from checkins.models import CheckIn

BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored free text (Nourish, private note) with the first key in "
        "FIELD_ENCRYPTION_KEYS. Run it after putting a new key first; then the old key can be removed."
    )

    def handle(self, *args, **options) -> None:
        crypto.reset_cipher()
        ids = list(CheckIn.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):
            with transaction.atomic():
                batch = CheckIn.objects.select_for_update().filter(pk__in=ids[start : start + BATCH_SIZE])
                for checkin in batch.only("pk", "nourish", "private_note"):
                    # Reading decrypts with any known key; writing encrypts with the newest.
                    CheckIn.objects.filter(pk=checkin.pk).update(
                        nourish=checkin.nourish, private_note=checkin.private_note
                    )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the free text of {len(ids)} check-ins."))
