from celery import shared_task

from . import digest, publishing


@shared_task(name="supervision.publish_due_weeks")
def publish_due_weeks() -> dict:
    """Publish every week that can no longer change, then send the digests that are due."""
    published = publishing.publish_due()
    return {"published": len(published), "digests": digest.send_due_digests()}
