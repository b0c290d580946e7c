from celery import shared_task

from . import digest


@shared_task(name="supervision.send_weekly_digests")
def send_weekly_digests() -> int:
    return digest.send_weekly_digests()
